"""Error analysis, area, energy, tables, plots and report writers."""
