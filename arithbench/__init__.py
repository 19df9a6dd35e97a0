"""arithbench: a bit-accurate hardware arithmetic simulator."""

__version__ = "0.1.0"
