"""Golden models of the multipliers: exact product, rounded once."""

from __future__ import annotations

import numpy as np

from .codec import SR_BITS, decode, encode, int_value
from .formats import FloatFormat, IntFormat
from .table import TABLE_BITS, lookup


def fp_mul(fmt: FloatFormat, out: FloatFormat, a: np.ndarray, b: np.ndarray, *,
           rounding: str = "rne", sat: bool | None = None, random: np.ndarray | None = None,
           rbits: int = SR_BITS) -> np.ndarray:
    """Codes of ``a * b`` in ``out``: the float64 product is exact for every format here
    (at most 2 x 24 significant bits), so ``encode`` rounds it exactly once (``rounding="sr"``
    with ``random``, ``rbits``-bit integers per vector). ``sat`` None: ``out``'s default.

    NaN in, or inf times zero, gives the canonical NaN; inf times anything else is an exact
    infinity, which ``encode`` maps by ``out``'s policy and ``sat`` (OCP conversion rules).
    """
    sat = out.saturates_by_default if sat is None else sat

    def compute(x, y):
        with np.errstate(invalid="ignore", over="ignore"):
            product = decode(fmt, x) * decode(fmt, y)
        return encode(out, product, rounding, sat, random, rbits)

    if rounding == "sr":
        return compute(a, b)
    if fmt.bits <= TABLE_BITS:
        return lookup(compute, fmt.bits, ("fp_mul", fmt, out, rounding, sat), a, b)
    return compute(a, b)


def int_mul(fmt: IntFormat, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full 2*width-bit product of two integer codes, as an unsigned code (two's complement)."""
    return (int_value(fmt, a) * int_value(fmt, b)) & ((1 << (2 * fmt.bits)) - 1)
