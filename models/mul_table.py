"""The fast path of :func:`arithbench.models.mul.fp_mul`, which the fp_mul unit runs: a table of
every result for 8-bit operands, and for 16-bit operands tables of rounded significand products
with the exponent, overflow, underflow and specials decided as whole-array arithmetic. Tests
check it against the reference (:func:`.mul.fp_mul`, which packs the exact product) on every
kind of pair and output format."""

from __future__ import annotations

import functools

import numpy as np

from .codec import SR_BITS, pack, round_shift, split
from .formats import FloatFormat
from .mul import fp_mul as reference
from .rounding import Mode
from .table import TABLE_BITS, lookup


def fp_mul(fmt: FloatFormat, out: FloatFormat, a: np.ndarray, b: np.ndarray, *,
           rounding: str = Mode.RNE, sat: bool | None = None, random: np.ndarray | None = None,
           rbits: int = SR_BITS) -> np.ndarray:
    """:func:`arithbench.models.mul.fp_mul`, through tables where they apply (deterministic
    rounding; 8-bit operands, or 16-bit ones whose significand pairs fit :data:`SIG_PAIR_BITS`)."""
    sat = out.saturates_by_default if sat is None else sat
    if rounding != Mode.SR and fmt.bits <= TABLE_BITS:
        return lookup(lambda x, y: reference(fmt, out, x, y, rounding=rounding, sat=sat), fmt.bits,
                      ("fp_mul", fmt, out, rounding, sat), a, b)
    if (rounding != Mode.SR and fmt.bits <= 16 and 2 * (fmt.man_bits + 1) <= SIG_PAIR_BITS and out.man_bits > 0
            and out.signed and out.subnormals):
        return _tabulated(fmt, out, a, b, rounding, sat)
    return reference(fmt, out, a, b, rounding=rounding, sat=sat, random=random, rbits=rbits)


#: Widest significand pair :func:`_tabulated` indexes (fp16: 2 x 11 bits, a 4M-entry table).
SIG_PAIR_BITS = 22


#: Sentinel exponents of the table path's operand words (real exponents of 16-bit operands'
#: products and of table entries stay within +-1,000): an inf operand, a NaN operand, a zero
#: significand product. Sums of two words fall in separate bands: inf x finite near
#: ``_INF``, inf x zero near ``_INF + _ZERO``, inf x inf near ``2 * _INF``, NaN x anything
#: above ``_NAN + _ZERO``.
_INF, _NAN, _ZERO = 1 << 13, 1 << 15, -(1 << 11)
#: Bit of a table word where the exponent starts (below it: sign, significand index).
_HIGH = 24


@functools.lru_cache(maxsize=8)
def _rounded_products(fmt: FloatFormat, out: FloatFormat, rounding: str, negative: bool) -> np.ndarray:
    """For every pair of ``fmt`` significands (index ``sig_a << w | sig_b``): their product
    rounded by :func:`pack` to ``out``'s precision as if far from the range's ends, as
    ``(exponent of its leading bit + out.bias) << out.man_bits | mantissa field`` (an int64
    that adds to the operands' exponents), the exponent relative to the product's LSB; a zero
    product is the sentinel ``_ZERO``."""
    w = fmt.man_bits + 1
    index = np.arange(1 << (2 * w), dtype=np.int64)
    product = (index >> w) * (index & ((1 << w) - 1))
    probe = FloatFormat("probe", 8, out.man_bits, 127, "finite")  # LSB at 2**0, leading bit up to 2**23
    codes = pack(probe, np.full(len(product), negative), product, np.zeros(len(product), np.int64), rounding)
    lead = ((codes >> out.man_bits) & 0xFF) - 127
    table = np.where(product == 0, _ZERO, lead + out.bias) * (1 << out.man_bits) + (codes & out.man_max_code)
    table.flags.writeable = False
    return table


@functools.lru_cache(maxsize=8)
def _operand_words(fmt: FloatFormat, first: bool) -> np.ndarray:
    """Every code of ``fmt`` as an int64 word that adds to the other operand's: its exponent
    from bit :data:`_HIGH` (``_INF`` or ``_NAN`` for those, whose significand counts as 1),
    its sign at bit ``2w``, its significand (shifted by ``w`` for the ``first`` operand) below.
    Their sum holds the product's exponent, the sign XOR at bit ``2w`` and the
    :func:`_rounded_products` index."""
    w = fmt.man_bits + 1
    negative, sig, exp, nan, inf = split(fmt, np.arange(1 << fmt.bits))
    exp = np.where(nan, _NAN, np.where(inf, _INF, exp)).astype(np.int64)
    sig = np.where(nan | inf, 1, sig)
    words = (exp << _HIGH) | (negative.astype(np.int64) << (2 * w)) | (sig << w if first else sig)
    words.flags.writeable = False
    return words


#: Vectors per chunk of :func:`_tabulated`: its arrays stay in the CPU caches.
_CHUNK = 1 << 15


@functools.lru_cache(maxsize=32)
def _fixed_results(out: FloatFormat, rounding: str, sat: bool) -> tuple[np.ndarray, ...]:
    """By sign (index 0: positive), the whole codes :func:`pack` gives an overflowing, a deeply
    underflowing (below half the smallest subnormal), an exactly zero, an infinite and a NaN
    product: the results that do not depend on the product's digits."""
    signs, one, far = np.array([False, True]), np.ones(2, np.int64), np.full(2, 1 << 12)
    results = (pack(out, signs, one, far, rounding, sat), pack(out, signs, one, -far, rounding, sat),
               pack(out, signs, 0 * one, 0 * one, rounding, sat),
               pack(out, signs, 0 * one, 0 * one, rounding, sat, inf=True),
               pack(out, signs, 0 * one, 0 * one, rounding, sat, nan=True))
    for table in results:
        table.flags.writeable = False
    return results


def _tabulated(fmt, out, a, b, rounding, sat):
    """:func:`fp_mul` for 16-bit operands through tables, as whole-array arithmetic: one sum of
    two operand words (:func:`_operand_words`) gives the sign, the exponent and the index of the
    rounded significand product (:func:`_rounded_products`), whose sum with the scaled exponent
    is the result's code unless it overflows, falls below half the smallest subnormal, is zero,
    inf or NaN (all decided on that code) or lands in the subnormal range, where the exact
    product is rounded again by :func:`round_shift` at the subnormals' LSB. Tests check it
    against :func:`pack` of the exact product on every kind of pair and output format."""
    w, mo = fmt.man_bits + 1, out.man_bits
    words_a, words_b = _operand_words(fmt, True), _operand_words(fmt, False)
    # Only the directed modes round by sign: the others share one table.
    directed = rounding in (Mode.RUP, Mode.RDN)
    products = [_rounded_products(fmt, out, rounding, neg) for neg in ((False, True) if directed else (False,))]
    overflow, tiny, zero, infinity, nan_codes = _fixed_results(out, rounding, sat)
    top = (out.max_biased_exp << mo) + out.max_mantissa_at_top  # the largest finite magnitude's code
    deep_below, sub_below = -mo << mo, 1 << mo  # biased exponent <= -mo - 1; biased exponent < 1
    zero_below = (_ZERO // 2) << mo
    special_above, inf_zero_below, nan_above = (_INF // 2) << mo, (_INF + _ZERO // 2) << mo, (_NAN // 2 + _INF) << mo
    sub_lsb = out.emin - mo  # exponent of the subnormals' LSB
    index_mask, sign_bit = (1 << (2 * w)) - 1, 2 * w
    result = np.empty(len(a), np.int64)
    for start in range(0, len(a), _CHUNK):
        s = words_a[a[start:start + _CHUNK]] + words_b[b[start:start + _CHUNK]]
        negative = (s >> sign_bit) & 1
        index = s & index_mask
        entry = products[0][index] if not directed else np.where(negative == 1, products[1][index],
                                                                 products[0][index])
        exp = s >> _HIGH
        code = (exp << mo) + entry
        mag = code.copy()
        band = np.flatnonzero((code >= deep_below) & (code < sub_below))
        if len(band):
            product = (index[band] >> w) * (index[band] & ((1 << w) - 1))
            shift = sub_lsb - exp[band]
            rounded = round_shift(product, np.maximum(shift, 0), negative[band] == 1, rounding)
            mag[band] = np.where(shift < 0, product << np.clip(-shift, 0, 62), rounded)
        # The sign on finite magnitudes (a subnormal-band result may have rounded to zero) ...
        signed = negative == 1
        if not out.has_negative_zero:
            signed &= mag != 0
        mag |= signed.astype(np.int64) << (out.bits - 1)
        # ... then the whole codes of the results that do not depend on the digits.
        mag = np.where(code > top, overflow[negative], np.where(code < deep_below, tiny[negative], mag))
        if directed:  # exact zeros stay zero (below deep, where directed modes give the tiny step)
            mag = np.where(code < zero_below, zero[negative], mag)
        special = np.flatnonzero(code > special_above)
        if len(special):
            c, neg = code[special], negative[special]
            mag[special] = np.where((c > nan_above) | (c < inf_zero_below), nan_codes[neg], infinity[neg])
        result[start:start + _CHUNK] = mag
    return result
