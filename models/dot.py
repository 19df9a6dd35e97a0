"""The k-term dot-product unit: ``y = round_acc(c + sum_i sa*sb*a_i*b_i)``, with the internal
sum exact or kept to a window of W bits.

Definition (the RTL in :mod:`arithbench.rtl.dot` is written from this text alone):

Terms
    Each of the ``k`` operand pairs gives the exact term ``t_i = sa * sb * a_i * b_i``, where
    ``a_i``, ``b_i`` are the element values (a float format's value; a signed integer's value;
    under ``scale=mx`` an ``int8`` element is MXINT8, its value ``code * 2**-6``; an ``nf4``
    code is the float32 value of QLoRA's table it indexes) and ``sa``,
    ``sb`` the scale values (1 without scales; ``mx``: E8M0, ``2**(code - 127)``, code 255 NaN;
    ``nvfp4``: e4m3 values). One scale per operand serves all ``k`` elements, so ``k`` is at
    most the block (32 for MX, 16 for NVFP4) and the unit does one block or part of one. The
    accumulator value ``c`` is one more term.
Exact sum (``sum=exact``)
    ``y`` is ``c + sum t_i`` rounded once into ``acc``.
Window (``sum=window``, ``window=W``)
    Among the non-zero finite terms (``c`` included), ``E`` is the largest ``floor(log2|t|)``.
    Every term is cut to a multiple of the quantum ``q = 2**(E - W + 1)``, so that the largest
    keeps exactly W bits: ``align=trunc`` drops the bits below ``q`` from the magnitude (towards
    zero, as a shifter that drops them does), ``align=rne`` rounds each magnitude to the nearest
    multiple of ``q``, ties to an even multiple. The cut terms are added exactly and the sum is
    rounded once into ``acc``. Terms more than W bits below the largest become zero (``trunc``).
Special values and signs (IEEE 754 on the element values)
    A NaN element or scale, ``inf * 0`` and ``inf - inf`` (among the terms and ``c``) give NaN;
    otherwise an infinite term or ``c`` gives infinity of its sign (``sat`` makes it +-max). A
    zero sum is -0 when every term and ``c`` is a zero and all are -0 (rounding down: when any
    is), and +0 otherwise (-0 when rounding down), as IEEE 754 6.3 says for a sum.
Integer accumulator (``acc=int32``, integer elements, no scales)
    ``y = c + sum a_i * b_i`` exactly, wrapped modulo ``2**32`` or saturated (``sat``).

The model works on Python integers (NumPy object arrays), so that every width is exact; it is
the reference, not the fast path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .codec import encode, int_value, pack, split
from .formats import LOOKUP_FORMATS, FloatFormat, IntFormat, float_format
from .intmac import accumulate as int32_accumulate
from .rounding import Mode, Rounding

#: Integer element formats (two's complement).
INT_ELEMENTS = {"int4": IntFormat(4), "int8": IntFormat(8)}
#: Scale types: the scale format and the largest ``k`` one scale serves (its block).
SCALES = {"none": (None, 64), "mx": ("e8m0", 32), "nvfp4": ("e4m3", 16)}
#: MX element formats (``int8`` is MXINT8 under MX scales).
MX_ELEMENTS = ("e4m3", "e5m2", "e2m3", "e3m2", "e2m1", "int8")
#: Accumulator formats.
ACCUMULATORS = ("fp32", "bf16", "fp16", "int32")
#: The exponent of an MXINT8 element's step.
MXINT8_LSB = -6
FP32 = float_format("fp32")


def lookup_codes(name: str) -> np.ndarray:
    """The fp32 codes of a lookup format's table (its values are float32 values): code ``i``
    of ``name`` is fp32 code ``lookup_codes(name)[i]``."""
    return encode(FP32, np.array(LOOKUP_FORMATS[name].values)).astype(np.int64)


@dataclass(frozen=True)
class Element:
    """An element format as the dot product sees it: its width, its largest magnitude as an
    integer multiple of its smallest step, and that step's exponent."""

    name: str
    bits: int
    largest_steps: int
    lsb_exp: int
    sig_bits: int  # of the magnitude a multiplier takes: the significand, or the integer's magnitude

    @property
    def is_int(self) -> bool:
        return self.name in INT_ELEMENTS


def element(name: str, scale: str = "none") -> Element:
    """The element format ``name`` (``int4``, ``int8``, ``nf4`` or a signed float format of at
    most 16 bits)."""
    if name in INT_ELEMENTS:
        fmt = INT_ELEMENTS[name]
        return Element(name, fmt.bits, -fmt.min_value, MXINT8_LSB if scale == "mx" else 0, fmt.bits)
    if name in LOOKUP_FORMATS:  # the table's float32 values: their smallest LSB is the step
        _, sig, exp, _, _ = split(FP32, lookup_codes(name))
        lsb = int(exp[sig != 0].min())
        return Element(name, LOOKUP_FORMATS[name].bits, int(max((sig << (exp - lsb))[sig != 0])), lsb,
                       FP32.man_bits + 1)
    fmt = float_format(name)
    if not fmt.signed or fmt.bits > 16:
        raise ValueError(f"{name} is not a signed float format of at most 16 bits")
    lsb = fmt.emin - fmt.man_bits
    return Element(name, fmt.bits, int(fmt.max_normal / 2.0 ** lsb), lsb, fmt.man_bits + 1)


def exact_width(a: Element, b: Element, k: int, scale: str = "none") -> int:
    """Bits of the exact fixed-point sum of ``k`` products (scales included for ``nvfp4``;
    an MX scale is a power of two and only moves the binary point): the widest window."""
    largest = a.largest_steps * b.largest_steps
    if scale == "nvfp4":
        e4m3 = element("e4m3")
        largest *= e4m3.largest_steps ** 2
    return (k * largest).bit_length()


def _split(name: str, codes: np.ndarray, scale: str) -> tuple[np.ndarray, ...]:
    """Codes to (negative, sig, exp, nan, inf): ``|value| = sig * 2**exp``."""
    codes = np.asarray(codes, np.int64)
    if name in INT_ELEMENTS:
        v = int_value(INT_ELEMENTS[name], codes)
        false = np.zeros(v.shape, bool)
        return v < 0, np.abs(v), np.full(v.shape, element(name, scale).lsb_exp), false, false
    if name == "e8m0":
        false = np.zeros(codes.shape, bool)
        return false, np.ones(codes.shape, np.int64), codes - 127, codes == 255, false
    if name in LOOKUP_FORMATS:
        return split(FP32, lookup_codes(name)[codes])
    return split(float_format(name), codes)


def _objects(x: np.ndarray) -> np.ndarray:
    """An int64 array as Python integers, so that sums and shifts never overflow."""
    return np.asarray(x, np.int64).astype(object)


def _shift(x: np.ndarray, by: np.ndarray) -> np.ndarray:
    """``x * 2**by`` for Python-integer arrays ``x`` and integer ``by`` >= 0."""
    return np.array([v << int(s) for v, s in zip(x.ravel(), np.ravel(by))], dtype=object).reshape(x.shape)


def _cut(magnitude: np.ndarray, drop: np.ndarray, align: str) -> np.ndarray:
    """``magnitude / 2**drop`` cut to an integer (``drop`` may be negative: a left shift):
    truncated, or rounded to nearest with ties to even."""
    out = np.empty(magnitude.shape, dtype=object)
    for index, (v, d) in enumerate(zip(magnitude.ravel(), np.ravel(drop))):
        d = int(d)
        if d <= 0:
            out.flat[index] = v << -d
            continue
        kept, rest = v >> d, v & ((1 << d) - 1)
        if align == "rne":
            half = 1 << (d - 1)
            kept += rest > half or (rest == half and kept & 1)
        out.flat[index] = kept
    return out


def _bit_length(x: np.ndarray) -> np.ndarray:
    return np.array([int(v).bit_length() for v in x.ravel()], np.int64).reshape(x.shape)


def _round_into(acc: FloatFormat, negative, magnitude, lsb, rounding: Rounding, sat: bool, random, nan, inf):
    """Codes of ``(-1)**negative * magnitude * 2**lsb`` (Python integers of any size) rounded
    once into ``acc``: the magnitude is first cut to 53 bits with a sticky last bit (round to
    odd), which changes no rounding to 24 bits, nor one that reads 24 random bits below them."""
    length = _bit_length(magnitude)
    drop = np.maximum(length - 53, 0)
    sig = np.empty(magnitude.shape, np.int64)
    for index, (v, d) in enumerate(zip(magnitude.ravel(), drop.ravel())):
        d = int(d)
        sig.flat[index] = (v >> d) | int(v & ((1 << d) - 1) != 0)
    return pack(acc, negative, sig, np.asarray(lsb, np.int64) + drop, rounding.mode, sat, random, rounding.rbits,
                nan=nan, inf=inf)


@dataclass
class Terms:
    """A batch of ``n`` operations taken apart: ``k + 1`` terms per row (the products, then
    ``c``), each ``(-1)**negative * sig * 2**exp`` with ``sig`` an exact int64 (at most 48
    bits: two nf4 significands), and the special values decided per row."""

    negative: np.ndarray  # (n, k+1) bool
    sig: np.ndarray  # (n, k+1) int64
    exp: np.ndarray  # (n, k+1) int64
    zero: np.ndarray  # (n, k+1) bool: an exact zero
    nan: np.ndarray  # (n,) bool: the result is NaN
    inf: np.ndarray  # (n,) bool: the result is infinite (and not NaN)
    inf_negative: np.ndarray  # (n,) bool: its sign

    @property
    def finite(self) -> np.ndarray:
        """Non-zero finite terms: the ones that enter the sum."""
        return (self.sig != 0) & ~self.zero

    def zero_sign(self, rounding: Rounding) -> np.ndarray:
        """The sign of an exact zero sum (IEEE 754 6.3), per row."""
        down = rounding.mode is Mode.RDN
        negative_zeros = self.negative | ~self.zero
        return np.where(self.zero.all(axis=1), ((self.negative & self.zero).any(axis=1) if down
                                                else negative_zeros.all(axis=1)), down)


def terms(a: np.ndarray, b: np.ndarray, c: np.ndarray, *, a_fmt: str, b_fmt: str, acc: str, scale: str = "none",
          sa: np.ndarray | None = None, sb: np.ndarray | None = None) -> Terms:
    """The terms of element codes ``a``, ``b`` (n, k), accumulator codes ``c`` and scale codes
    ``sa``, ``sb`` (n,), for a float accumulator."""
    na, ma, ea, nan_a, inf_a = _split(a_fmt, a, scale)
    nb, mb, eb, nan_b, inf_b = _split(b_fmt, b, scale)
    zero_a, zero_b = (ma == 0) & ~nan_a & ~inf_a, (mb == 0) & ~nan_b & ~inf_b
    negative, sig, exp = na ^ nb, ma * mb, ea + eb
    nan = (nan_a | nan_b | (inf_a & zero_b) | (inf_b & zero_a)).any(axis=1)
    inf = inf_a | inf_b
    zero = zero_a | zero_b
    if scale != "none":
        scale_fmt = SCALES[scale][0]
        s = [_split(scale_fmt, np.asarray(x, np.int64), scale) for x in (sa, sb)]
        negative = negative ^ (s[0][0] ^ s[1][0])[:, None]
        sig = sig * (s[0][1] * s[1][1])[:, None]
        exp = exp + (s[0][2] + s[1][2])[:, None]
        scale_zero = (s[0][1] == 0) & ~s[0][3] | (s[1][1] == 0) & ~s[1][3]
        nan |= s[0][3] | s[1][3] | (inf.any(axis=1) & scale_zero)
        zero = zero | scale_zero[:, None]

    nc, mc, ec, nan_c, inf_c = split(float_format(acc), c)
    negative = np.concatenate([negative, nc[:, None]], axis=1)
    inf = np.concatenate([inf, inf_c[:, None]], axis=1)
    nan |= nan_c | ((inf & ~negative).any(axis=1) & (inf & negative).any(axis=1))
    zero = np.concatenate([zero, ((mc == 0) & ~nan_c & ~inf_c)[:, None]], axis=1)
    sig = np.where(inf, 0, np.concatenate([sig, mc[:, None]], axis=1))
    exp = np.concatenate([exp, ec[:, None]], axis=1)
    return Terms(negative, sig, exp, zero, nan, inf.any(axis=1) & ~nan, (inf & negative).any(axis=1))


def integer_dot(a: np.ndarray, b: np.ndarray, c: np.ndarray, *, a_fmt: str, b_fmt: str, sat: bool) -> np.ndarray:
    """``y`` codes of an int32 accumulator: ``c + sum a_i b_i``, wrapped or saturated."""
    products = (int_value(INT_ELEMENTS[a_fmt], a) * int_value(INT_ELEMENTS[b_fmt], b)).sum(axis=1)
    return int32_accumulate(int_value(IntFormat(32), c) + products, sat)[0].astype(np.int64)


def dot(a: np.ndarray, b: np.ndarray, c: np.ndarray, *, a_fmt: str, b_fmt: str, acc: str, scale: str = "none",
        sa: np.ndarray | None = None, sb: np.ndarray | None = None, window: int | None = None,
        align: str = "trunc", rounding: Rounding = Rounding(Mode.RNE), sat: bool = False,
        random: np.ndarray | None = None) -> np.ndarray:
    """Codes of ``y`` (int64) for element codes ``a``, ``b`` of shape ``(n, k)``, accumulator
    codes ``c`` and scale codes ``sa``, ``sb`` of shape ``(n,)``; see the module docstring.
    ``window`` None is the exact sum."""
    a, b, c = np.asarray(a, np.int64), np.asarray(b, np.int64), np.asarray(c, np.int64)
    if acc == "int32":
        return integer_dot(a, b, c, a_fmt=a_fmt, b_fmt=b_fmt, sat=sat)
    t = terms(a, b, c, a_fmt=a_fmt, b_fmt=b_fmt, acc=acc, scale=scale, sa=sa, sb=sb)
    finite = t.finite
    live = finite.any(axis=1)
    sig = _objects(t.sig)
    if window is None:
        lsb = np.where(live, np.where(finite, t.exp, np.iinfo(np.int64).max).min(axis=1), 0)
        cut = _shift(sig, np.where(finite, t.exp - lsb[:, None], 0))
    else:
        top = t.exp + _bit_length(sig) - 1
        lsb = np.where(live, np.where(finite, top, np.iinfo(np.int64).min).max(axis=1) - window + 1, 0)
        cut = _cut(sig, np.where(finite, lsb[:, None] - t.exp, 0), align)
    total = np.where(finite, np.where(t.negative, -cut, cut), 0).sum(axis=1)
    total_negative = np.array([v < 0 for v in total], bool)
    magnitude = np.where(total_negative, -total, total)
    negative = np.where(magnitude == 0, t.zero_sign(rounding), total_negative)
    negative = np.where(t.inf, t.inf_negative, negative)
    return _round_into(float_format(acc), negative, magnitude, lsb, rounding, bool(sat), random, t.nan, t.inf)
