"""Float multiply-accumulate models: ``y = round(c + a*b)`` into the accumulator format.

Order of operations (one rounding per step): the product of the two ``fmt`` operands is exact
(``fp8_mac``) or the L-Mul result in ``fmt`` (``lmul_mac``); it is added to the accumulator
``c`` exactly, and the sum is rounded once into ``acc`` (fp32 or fp16) with ``rounding``.

Special values: NaN in, inf*0 and inf-inf give the canonical NaN; an infinite operand gives an
infinite sum, which ``sat`` turns into +-max like any overflow. An exact zero sum of non-zero
terms is +0 (-0 when rounding down); zero plus zero keeps the sign when both signs agree.
"""

from __future__ import annotations

import numpy as np

from .codec import SR_BITS, decode, encode
from .formats import FloatFormat
from .lmul import lmul
from .rounding import Mode


def exact_sum(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x + y`` rounded to odd in float64: rounding that once more to any format with at most
    51 significand bits gives the correctly rounded exact sum (Boldo & Melquiond, round-to-odd).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        s = x + y
        bp = s - x
        err = (x - (s - bp)) + (y - bp)  # TwoSum: s + err == x + y exactly (finite s)
    bits = s.view(np.int64)
    fix = np.isfinite(s) & (err != 0) & (bits & 1 == 0)
    towards = np.where(err > 0, np.inf, -np.inf)
    return np.where(fix, np.nextafter(s, towards), s)


def _signed_zero(total: np.ndarray, x: np.ndarray, y: np.ndarray, rounding: str) -> np.ndarray:
    """IEEE 754 6.3 signs for zero sums."""
    both_neg = np.signbit(x) & np.signbit(y)
    either_neg = np.signbit(x) | np.signbit(y)
    both_zero = (x == 0) & (y == 0)
    negative = np.where(both_zero, either_neg if rounding == Mode.RDN else both_neg, rounding == Mode.RDN)
    return np.where(total == 0, np.where(negative, -0.0, 0.0), total)


def accumulate(acc: FloatFormat, c: np.ndarray, product: np.ndarray, *, rounding: str, sat: bool | None,
               random: np.ndarray | None = None, rbits: int = SR_BITS) -> np.ndarray:
    """Codes of ``round(decode(acc, c) + product)`` where ``product`` is an exact float64 value.

    The round-to-odd sum keeps the exact sum's first 52 bits, more than stochastic rounding
    reads (the accumulator's 24 and at most 24 random bits), so ``sr`` sees the exact sum too.
    """
    cv = decode(acc, c)
    total = _signed_zero(exact_sum(cv, product), cv, product, rounding)
    sat = acc.saturates_by_default if sat is None else sat
    return encode(acc, total, rounding, sat, random, rbits)


def fp_mac(fmt: FloatFormat, acc: FloatFormat, a, b, c, *, rounding: str = Mode.RNE, sat: bool | None = None,
           random: np.ndarray | None = None, rbits: int = SR_BITS) -> np.ndarray:
    """``y = round_acc(c + a*b)`` with the exact product of two ``fmt`` codes."""
    with np.errstate(invalid="ignore", over="ignore"):
        product = decode(fmt, a) * decode(fmt, b)
    return accumulate(acc, c, product, rounding=rounding, sat=sat, random=random, rbits=rbits)


def lmul_mac(fmt: FloatFormat, acc: FloatFormat, a, b, c, *, rounding: str = Mode.RNE, sat: bool | None = None,
             offset="paper", sub: str = "flush", random: np.ndarray | None = None,
             rbits: int = SR_BITS) -> np.ndarray:
    """``y = round_acc(c + lmul(a, b))``: the L-Mul product (saturating, in ``fmt``) accumulated."""
    product = decode(fmt, lmul(fmt, a, b, offset=offset, sub=sub, sat=True))
    return accumulate(acc, c, product, rounding=rounding, sat=sat, random=random, rbits=rbits)
