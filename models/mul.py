"""Golden models of the multipliers: exact product, rounded once."""

from __future__ import annotations

import functools

import numpy as np

from .codec import SR_BITS, int_value, pack, rounds_away, rounds_away_from_zero, split
from .formats import FloatFormat, IntFormat
from .table import TABLE_BITS, lookup


def fp_mul(fmt: FloatFormat, out: FloatFormat, a: np.ndarray, b: np.ndarray, *,
           rounding: str = "rne", sat: bool | None = None, random: np.ndarray | None = None,
           rbits: int = SR_BITS) -> np.ndarray:
    """Codes of ``a * b`` in ``out``: the significands multiply exactly as integers (at most
    2 x 24 bits) and :func:`pack` rounds the product once (``rounding="sr"`` with ``random``,
    ``rbits``-bit integers per vector). ``sat`` None: ``out``'s default.

    NaN in, or inf times zero, gives the canonical NaN; inf times anything else is an exact
    infinity, which ``pack`` maps by ``out``'s policy and ``sat`` (OCP conversion rules).
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
    if rounding != "sr" and fmt.bits <= 16 and 2 * (fmt.man_bits + 1) <= SIG_PAIR_BITS and out.man_bits > 0:
        return _tabulated(fmt, out, a, b, rounding, sat, compute)
    return compute(a, b)


#: Widest significand pair :func:`_tabulated` indexes (fp16: 2 x 11 bits, a 4M-entry table).
SIG_PAIR_BITS = 22


@functools.lru_cache(maxsize=8)
def _rounded_products(fmt: FloatFormat, out: FloatFormat, rounding: str, negative: bool) -> np.ndarray:
    """For every pair of ``fmt`` significands (index ``sig_a << w | sig_b``): their product
    rounded by :func:`pack` to ``out``'s precision as if far from the range's ends, as
    ``(exponent of its leading bit) << _lead_shift(out) | mantissa field``, the exponent
    relative to the product's LSB."""
    w = fmt.man_bits + 1
    index = np.arange(1 << (2 * w), dtype=np.int64)
    product = (index >> w) * (index & ((1 << w) - 1))
    probe = FloatFormat("probe", 8, out.man_bits, 127, "finite")  # LSB at 2**0, leading bit up to 2**23
    codes = pack(probe, np.full(len(product), negative), product, np.zeros(len(product), np.int64), rounding)
    lead = ((codes >> out.man_bits) & 0xFF) - 127
    table = ((lead << _lead_shift(out)) | (codes & out.man_max_code))
    table = table.astype(np.int32 if _lead_shift(out) == 16 else np.int64)
    table.flags.writeable = False
    return table


def _lead_shift(out: FloatFormat) -> int:
    return 16 if out.man_bits < 16 else 32


#: Bits of an operand word: significand (12), exponent + _EXP_OFFSET (9), NaN, inf, sign.
_EXP_SHIFT, _EXP_OFFSET, _NAN, _INF, _NEG = 12, 200, 1 << 21, 1 << 22, 23


@functools.lru_cache(maxsize=8)
def _operand_words(fmt: FloatFormat) -> np.ndarray:
    """Every code of ``fmt`` as one int32 word of its :func:`split` fields."""
    negative, sig, exp, nan, inf = split(fmt, np.arange(1 << fmt.bits))
    words = (sig | ((exp + _EXP_OFFSET) << _EXP_SHIFT) | nan * _NAN | inf * _INF | (negative.astype(np.int64) << _NEG))
    words = words.astype(np.int32)
    words.flags.writeable = False
    return words


#: Vectors per chunk of :func:`_tabulated`: its arrays stay in the CPU caches.
_CHUNK = 1 << 16


def _tabulated(fmt, out, a, b, rounding, sat, compute):
    """``compute(a, b)`` for 16-bit operands, the common cases through tables: operand fields
    from :func:`_operand_words`, the rounded significand product from :func:`_rounded_products`,
    then exponent, overflow, deep underflow, zeros and the sign by whole-array arithmetic;
    results in or near the subnormal range, NaN and inf go through ``compute`` itself. Tests
    check it against ``compute`` on every kind of pair."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    words = _operand_words(fmt)
    w, mo = fmt.man_bits + 1, out.man_bits
    mask = (1 << w) - 1
    # Only the directed modes round by sign: the others share one table.
    products = [_rounded_products(fmt, out, rounding, neg)
                for neg in ((False, True) if rounding in ("rup", "rdn") else (False,))]
    big = out.inf_code if out.has_inf else out.nan_code
    # Overflow and deep-underflow codes of each sign (magnitudes; the sign is attached last).
    overflow = [out.max_code if sat or big is None or not rounds_away(rounding, np.bool_(neg)) else big
                for neg in (False, True)]
    tiny = [int(rounds_away_from_zero(rounding, np.bool_(neg))) for neg in (False, True)]
    result = np.empty(len(a), np.int64)
    slow = []
    for start in range(0, len(a), _CHUNK):
        wa, wb = words[a[start:start + _CHUNK]], words[b[start:start + _CHUNK]]
        negative = ((wa ^ wb) >> _NEG) & 1
        index = ((wa & mask) << w) | (wb & mask)
        entry = products[0][index] if len(products) == 1 else np.where(negative == 1, products[1][index],
                                                                        products[0][index])
        biased = (((wa >> _EXP_SHIFT) & 511) + ((wb >> _EXP_SHIFT) & 511) - 2 * _EXP_OFFSET
                  + (entry >> _lead_shift(out)) + out.bias)
        mantissa = entry & out.man_max_code
        code = ((biased.astype(np.int64) if out.bits > 16 else biased) << mo) | mantissa
        over = (biased > out.max_biased_exp) | ((biased == out.max_biased_exp) & (mantissa > out.max_mantissa_at_top))
        code = np.where(over, np.where(negative == 1, overflow[1], overflow[0]), code)
        deep = biased <= -mo - 1  # below half the smallest subnormal
        code = np.where(deep, np.where(negative == 1, tiny[1], tiny[0]), code)
        zero = ((wa & mask) == 0) | ((wb & mask) == 0)
        code = np.where(zero, 0, code)
        if out.signed:
            signed = (negative == 1) & ((code != 0) | out.has_negative_zero)
            if out.nan_code is not None:
                signed &= code != out.nan_code
            code = np.where(signed, code | out.sign_mask, code)
        result[start:start + _CHUNK] = code
        special = ((wa | wb) & (_NAN | _INF)) != 0
        slow.append(start + np.flatnonzero(((biased < 1) & ~deep & ~zero) | special))
    slow = np.concatenate(slow) if slow else np.empty(0, np.int64)
    if len(slow):
        result[slow] = compute(a[slow], b[slow])
    return result


def int_mul(fmt: IntFormat, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full 2*width-bit product of two integer codes, as an unsigned code (two's complement)."""
    return (int_value(fmt, a) * int_value(fmt, b)) & ((1 << (2 * fmt.bits)) - 1)
