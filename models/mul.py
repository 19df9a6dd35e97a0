"""Golden models of the multipliers: exact product, rounded once."""

from __future__ import annotations

import numpy as np

from .codec import SR_BITS, int_value, pack, split
from .formats import FloatFormat, IntFormat
from .table import TABLE_BITS, lookup


def fp_mul(fmt: FloatFormat, out: FloatFormat, a: np.ndarray, b: np.ndarray, *,
           rounding: str = "rne", sat: bool | None = None, random: np.ndarray | None = None,
           rbits: int = SR_BITS) -> np.ndarray:
    """Codes of ``a * b`` in ``out``: the significands multiply exactly as integers (at most
    2 x 24 bits) and :func:`pack` rounds the product once (``rounding="sr"`` with ``random``,
    ``rbits``-bit integers per vector). ``sat`` None: ``out``'s default.

    NaN in, or inf times zero, gives the canonical NaN; inf times anything else is an exact
    infinity, which ``encode`` maps by ``out``'s policy and ``sat`` (OCP conversion rules).
    """
    sat = out.saturates_by_default if sat is None else sat

    def compute(x, y):
        neg_x, sig_x, exp_x, nan_x, inf_x = split(fmt, x)
        neg_y, sig_y, exp_y, nan_y, inf_y = split(fmt, y)
        zero_x, zero_y = (sig_x == 0) & ~(nan_x | inf_x), (sig_y == 0) & ~(nan_y | inf_y)
        nan = nan_x | nan_y | (inf_x & zero_y) | (inf_y & zero_x)
        inf = (inf_x | inf_y) & ~nan
        return pack(out, neg_x ^ neg_y, sig_x * sig_y, exp_x + exp_y, rounding, sat, random, rbits,
                    nan=nan, inf=inf)

    if rounding != "sr" and fmt.bits <= TABLE_BITS:
        return lookup(compute, fmt.bits, ("fp_mul", fmt, out, rounding, sat), a, b)
    return compute(a, b)


def int_mul(fmt: IntFormat, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full 2*width-bit product of two integer codes, as an unsigned code (two's complement)."""
    return (int_value(fmt, a) * int_value(fmt, b)) & ((1 << (2 * fmt.bits)) - 1)
