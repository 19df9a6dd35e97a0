"""Catalog entries, one module per unit; importing this package registers them all."""

from . import (bfp_dot, bfp_quant, block_quant, dot, fp_mac, fp_mul, int_add, int_mac, int_mul, lmul,  # noqa: F401
               mx_dot)
