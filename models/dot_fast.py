"""The dot-product unit's model in int64 arithmetic: the fast path of :func:`arithbench.models.dot.dot`,
with the same signature and the same results (tests/models/test_dot_fast.py holds them equal).

It takes the configurations whose sums fit: an exact sum of at most 52 bits (its value is then
exact in a float64, and :func:`arithbench.models.fpmac.accumulate` adds ``c`` and rounds once),
or a window whose cut terms add up to less than 2**53. Every other configuration, and the
integer accumulator, goes to the reference.
"""

from __future__ import annotations

import numpy as np

from .codec import pack
from .dot import dot as reference
from .dot import element, exact_width, integer_dot, terms
from .formats import float_format
from .fpmac import accumulate
from .rounding import Mode, Rounding

#: A float64 holds any integer below 2**53 exactly.
FLOAT64_BITS = 53


def fits(a_fmt: str, b_fmt: str, k: int, scale: str, window: int | None) -> bool:
    """Whether the int64 path takes this configuration."""
    if window is None:
        return exact_width(element(a_fmt, scale), element(b_fmt, scale), k, scale) < FLOAT64_BITS
    return ((k + 1) << (window + 1)).bit_length() <= FLOAT64_BITS


def dot(a: np.ndarray, b: np.ndarray, c: np.ndarray, *, a_fmt: str, b_fmt: str, acc: str, scale: str = "none",
        sa: np.ndarray | None = None, sb: np.ndarray | None = None, window: int | None = None,
        align: str = "trunc", rounding: Rounding = Rounding(Mode.RNE), sat: bool = False,
        random: np.ndarray | None = None) -> np.ndarray:
    """See :func:`arithbench.models.dot.dot`."""
    a, b, c = np.asarray(a, np.int64), np.asarray(b, np.int64), np.asarray(c, np.int64)
    if acc == "int32":
        return integer_dot(a, b, c, a_fmt=a_fmt, b_fmt=b_fmt, sat=sat)
    if not fits(a_fmt, b_fmt, a.shape[1], scale, window):
        return reference(a, b, c, a_fmt=a_fmt, b_fmt=b_fmt, acc=acc, scale=scale, sa=sa, sb=sb, window=window,
                         align=align, rounding=rounding, sat=sat, random=random)
    t = terms(a, b, c, a_fmt=a_fmt, b_fmt=b_fmt, acc=acc, scale=scale, sa=sa, sb=sb)
    if window is None:
        return _exact(t, c, acc, rounding, bool(sat), random)
    return _windowed(t, acc, window, align, rounding, sat, random)


def _exact(t, c: np.ndarray, acc: str, rounding: Rounding, sat: bool, random) -> np.ndarray:
    """The products summed exactly in int64, their sum a float64 (its zero sign, infinity or
    NaN as IEEE arithmetic gives them), then ``c`` added and rounded once."""
    products = slice(None, -1)
    finite, exp, negative, zero = t.finite[:, products], t.exp[:, products], t.negative[:, products], t.zero[:, products]
    lsb = np.where(finite.any(axis=1), np.where(finite, exp, np.iinfo(np.int64).max).min(axis=1), 0)
    shifted = t.sig[:, products] << np.where(finite, exp - lsb[:, None], 0)
    total = np.where(finite, np.where(negative, -shifted, shifted), 0).sum(axis=1)
    down = rounding.mode is Mode.RDN
    zero_negative = np.where(zero.all(axis=1), (negative & zero).any(axis=1) if down
                             else (negative | ~zero).all(axis=1), down)
    value = np.where(total == 0, np.where(zero_negative, -0.0, 0.0),
                     np.ldexp(total.astype(np.float64), lsb.astype(np.int32)))
    infinite = (t.sig[:, products] == 0) & ~zero  # an infinite product, when the row is not NaN
    value = np.where(infinite.any(axis=1), np.where((infinite & negative).any(axis=1), -np.inf, np.inf), value)
    value = np.where(t.nan, np.nan, value)
    return accumulate(float_format(acc), c, value, rounding=rounding.mode, sat=sat, random=random,
                      rbits=rounding.rbits)


def _windowed(t, acc: str, window: int, align: str, rounding: Rounding, sat: bool, random) -> np.ndarray:
    finite = t.finite
    _, length = np.frexp(t.sig.astype(np.float64))  # bit lengths: sig < 2**53
    top = t.exp + length.astype(np.int64) - 1
    live = finite.any(axis=1)
    lsb = np.where(live, np.where(finite, top, np.iinfo(np.int64).min).max(axis=1) - window + 1, 0)
    drop = np.where(finite, lsb[:, None] - t.exp, 0)
    right = np.clip(drop, 0, 62)
    kept = np.where(drop <= 0, t.sig << np.clip(-drop, 0, 62), t.sig >> right)
    if align == "rne":
        rest = t.sig - (kept << right)
        half = np.where(drop > 0, np.left_shift(1, np.maximum(right - 1, 0)), 0)
        kept = kept + ((drop > 0) & ((rest > half) | ((rest == half) & (kept & 1 == 1))))
    total = np.where(finite, np.where(t.negative, -kept, kept), 0).sum(axis=1)
    negative = np.where(total == 0, t.zero_sign(rounding), total < 0)
    negative = np.where(t.inf, t.inf_negative, negative)
    return pack(float_format(acc), negative, np.abs(total), lsb, rounding.mode, bool(sat), random, rounding.rbits,
                nan=t.nan, inf=t.inf)
