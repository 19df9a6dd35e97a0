"""Golden, bit-accurate NumPy models: formats, encode/decode, and one function per unit."""
