"""The dot-product unit's model in int64 arithmetic: the fast path of :func:`arithbench.models.dot.dot`,
with the same signature and the same results (tests/models/test_dot_fast.py holds them equal).

It takes the configurations whose sums fit: an exact sum of at most 52 bits (its value is then
exact in a float64, and :func:`arithbench.models.fpmac.accumulate` adds ``c`` and rounds once),
or a window whose cut terms add up to less than 2**53. Every other configuration, and the
integer accumulator, goes to the reference. An exact sum of element pairs of at most 16 bits
together (without NVFP4 scales) reads each pair's product from a table of all of them, so a
block costs one lookup per pair and one integer sum: the k = 32 e4m3 model's main cost.
"""

from __future__ import annotations

import functools

import numpy as np

from .block import MX_NAN_SCALE
from .codec import pack
from .dot import dot as reference
from .dot import _split, element, exact_width, integer_dot, terms
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
    if window is None and scale != "nvfp4" and element(a_fmt, scale).bits + element(b_fmt, scale).bits <= PAIR_BITS:
        return _exact_by_table(a, b, c, a_fmt=a_fmt, b_fmt=b_fmt, acc=acc, scale=scale, sa=sa, sb=sb,
                               rounding=rounding, sat=bool(sat), random=random)
    t = terms(a, b, c, a_fmt=a_fmt, b_fmt=b_fmt, acc=acc, scale=scale, sa=sa, sb=sb)
    if window is None:
        return _exact(t, c, acc, rounding, bool(sat), random)
    return _windowed(t, acc, window, align, rounding, sat, random)


#: Element pairs of at most this many bits together take the product table.
PAIR_BITS = 16
#: A product table's entry for a pair with a NaN or an infinity: k of them (k <= 64) stay below
#: 2**63, and any sum holding one is at least 2**56 - 2**53 (finite sums are below 2**53).
SPECIAL = 1 << 56


#: Bits of a pair's flags (:func:`_pair_table`).
ZERO, NEGATIVE, NAN, POS_INF, NEG_INF = 1, 2, 4, 8, 16


@functools.lru_cache(maxsize=16)
def _pair_table(a_fmt: str, b_fmt: str, scale: str) -> tuple[np.ndarray, np.ndarray]:
    """Every element pair's product as a signed integer multiple of the smallest product step
    ``2**(lsb(a) + lsb(b))`` (0 for zeros, :data:`SPECIAL` for NaN and infinities), and its
    flags (a zero, its sign, NaN or inf x 0, an infinity of either sign), indexed by
    ``a_code << bits(b) | b_code``."""
    wb = element(b_fmt, scale).bits
    codes = np.arange(1 << (element(a_fmt, scale).bits + wb), dtype=np.int64)
    na, ma, ea, nan_a, inf_a = _split(a_fmt, codes >> wb, scale)
    nb, mb, eb, nan_b, inf_b = _split(b_fmt, codes & ((1 << wb) - 1), scale)
    base = element(a_fmt, scale).lsb_exp + element(b_fmt, scale).lsb_exp
    negative, zero = na ^ nb, (ma * mb == 0) & ~(nan_a | nan_b | inf_a | inf_b)
    shift = np.where(zero, 0, ea + eb - base)  # split normalizes subnormals: a shift may be negative, exactly
    magnitude = ((ma * mb) << np.maximum(shift, 0)) >> np.maximum(-shift, 0)
    nan = nan_a | nan_b | (inf_a & (mb == 0) & ~inf_b & ~nan_b) | (inf_b & (ma == 0) & ~inf_a & ~nan_a)
    inf = (inf_a | inf_b) & ~nan
    products = np.where(nan | inf, SPECIAL, np.where(negative, -magnitude, magnitude))
    flags = (zero * ZERO | negative * NEGATIVE | nan * NAN | (inf & ~negative) * POS_INF
             | (inf & negative) * NEG_INF).astype(np.uint8)
    products.setflags(write=False)
    flags.setflags(write=False)
    return products, flags


def _exact_by_table(a, b, c, *, a_fmt: str, b_fmt: str, acc: str, scale: str, sa, sb, rounding: Rounding,
                    sat: bool, random) -> np.ndarray:
    """The exact sum of narrow element pairs, as :func:`_exact` defines it: one product table
    lookup per pair and one integer sum per row (MX scales only move the binary point); the
    flags of the rows whose sum is zero (IEEE decides its sign) or holds a NaN or an infinity
    are read apart."""
    products, flags = _pair_table(a_fmt, b_fmt, scale)
    index = (a << element(b_fmt, scale).bits) | b
    total = products[index].sum(axis=1)
    lsb = np.full(len(a), element(a_fmt, scale).lsb_exp + element(b_fmt, scale).lsb_exp, np.int64)
    nan = np.zeros(len(a), bool)
    if scale == "mx":
        sa, sb = np.asarray(sa, np.int64), np.asarray(sb, np.int64)
        lsb += sa + sb - 254
        nan = (sa == MX_NAN_SCALE) | (sb == MX_NAN_SCALE)
    value = np.ldexp(total.astype(np.float64), lsb.astype(np.int32))
    odd = np.flatnonzero((total == 0) | (total >= SPECIAL - (1 << FLOAT64_BITS)))
    if len(odd):
        f = flags[index[odd]]
        any_, all_ = np.bitwise_or.reduce(f, axis=1), np.bitwise_and.reduce(f, axis=1)
        down = rounding.mode is Mode.RDN
        negative_zeros = (f & (ZERO | NEGATIVE)) == (ZERO | NEGATIVE)
        zero_negative = np.where(all_ & ZERO != 0, negative_zeros.any(axis=1) if down else negative_zeros.all(axis=1),
                                 down)
        special = np.where(any_ & NAN != 0, np.nan, np.where(any_ & POS_INF != 0,
                                                              np.where(any_ & NEG_INF != 0, np.nan, np.inf),
                                                              np.where(any_ & NEG_INF != 0, -np.inf, np.nan)))
        value[odd] = np.where(total[odd] == 0, np.where(zero_negative, -0.0, 0.0), special)
    value = np.where(nan, np.nan, value)
    return accumulate(float_format(acc), c, value, rounding=rounding.mode, sat=sat, random=random,
                      rbits=rounding.rbits)


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
