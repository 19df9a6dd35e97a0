"""Amaranth components, one per unit, and Verilog emission."""
