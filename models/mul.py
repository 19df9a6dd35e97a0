"""Golden models of the multipliers: exact product, rounded once. The plain reference; the fast
path the units run (:mod:`.mul_table`) is tested against it."""

from __future__ import annotations

import numpy as np

from .codec import SR_BITS, int_value, pack, split
from .formats import FloatFormat, IntFormat
from .rounding import Mode


def fp_mul(fmt: FloatFormat, out: FloatFormat, a: np.ndarray, b: np.ndarray, *,
           rounding: str = Mode.RNE, sat: bool | None = None, random: np.ndarray | None = None,
           rbits: int = SR_BITS) -> np.ndarray:
    """Codes of ``a * b`` in ``out``: the significands multiply exactly as integers (at most
    2 x 24 bits) and :func:`pack` rounds the product once (stochastic rounding with ``random``,
    ``rbits``-bit integers per vector). ``sat`` None: ``out``'s default.

    NaN in, or inf times zero, gives the canonical NaN; inf times anything else is an exact
    infinity, which ``pack`` maps by ``out``'s policy and ``sat`` (OCP conversion rules).
    """
    sat = out.saturates_by_default if sat is None else sat
    neg_a, sig_a, exp_a, nan_a, inf_a = split(fmt, a)
    neg_b, sig_b, exp_b, nan_b, inf_b = split(fmt, b)
    zero_a, zero_b = (sig_a == 0) & ~(nan_a | inf_a), (sig_b == 0) & ~(nan_b | inf_b)
    nan = nan_a | nan_b | (inf_a & zero_b) | (inf_b & zero_a)
    inf = (inf_a | inf_b) & ~nan
    return pack(out, neg_a ^ neg_b, sig_a * sig_b, exp_a + exp_b, rounding, sat, random, rbits, nan=nan, inf=inf)


def int_mul(fmt: IntFormat, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full 2*width-bit product of two integer codes, as an unsigned code (two's complement)."""
    return (int_value(fmt, a) * int_value(fmt, b)) & ((1 << (2 * fmt.bits)) - 1)
