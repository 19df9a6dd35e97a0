"""Catalog entries, one module per unit; importing this package registers them all."""

from . import (bfp_dot, bfp_quant, block_quant, dequant, dot, fp_mac, fp_mul, int_add, int_mac,  # noqa: F401
               int_mul, lmul, mx_dot)
