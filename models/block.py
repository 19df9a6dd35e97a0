"""Block formats: block floating point (BFP) and OCP Microscaling (MX), and the channel
reordering of "Accurate Block Quantization in LLMs with Outliers" (Trukhanov & Soloveychik).

Blocks run along the last axis, ``k`` elements each (the length must be a multiple of ``k``).

BFP
    One shared exponent per block: ``E = floor(log2(max|x|))`` of the block, clipped to the
    signed range of ``exp_bits``; each element becomes a ``p``-bit two's complement mantissa
    ``m`` with value ``m * 2**(E - (p - 2))`` (the largest element lands in
    ``[2**(p-2), 2**(p-1))``), rounded by ``rne``, ``rtz`` or ``sr`` (stochastic: the element
    truncated to 16 fractional bits plus 16 explicit random bits, then truncated: the same
    arithmetic an RTL adder would do), and clamped to ``[-(2**(p-1) - 1), 2**(p-1) - 1]``.
    An all-zero block gets the smallest exponent. NaN and inf elements count as larger than
    any finite one (the block gets the largest exponent, as a hardware maximum over exponent
    fields would give); inf clamps to the largest mantissa of its sign, NaN becomes 0.
MX (OCP MX v1.0)
    Scale ``X = 2**(floor(log2(max|V|)) - emax_elem)`` clipped to ``2**[-127, 127]`` (E8M0;
    ``ceil``, ``even`` and cuBLAS's ``rceil`` rules as options), elements ``V / X`` rounded (RNE by default, any
    mode including stochastic) into the element format with saturation (MXINT8: multiples
    of 2**-6 from -2 to 127/64, as gfloat rounds them: -2, code 0x80, is a value). An all-zero
    block gets ``X = 2**-127``. A block containing
    NaN or inf gets the NaN scale (code 0xFF) and zero elements, and decodes to NaN.
    The dot product sums element products exactly and applies both scales once, rounding to
    fp32 at the end; infinite elements, NaN and signed zeros follow IEEE arithmetic on the
    element values (see :func:`mx_dot`).
NVFP4
    e2m1 elements, one e4m3 scale per 16 (``amax / 6``, RNE as torchao or rounded up as cuDNN),
    and an fp32 per-tensor scale outside the blocks (:func:`nvfp4_tensor_scale`, two recipes):
    :func:`nvfp4_quantize`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UsageError
from .codec import SR_BITS, decode, encode, round_signed
from .formats import float_format
from .rounding import Mode


@dataclass(frozen=True)
class BFPFormat:
    """``k`` elements of ``p``-bit signed mantissas sharing one ``exp_bits`` exponent."""

    k: int
    p: int
    exp_bits: int = 8

    def __post_init__(self):
        if self.k < 1 or self.p < 2 or not 2 <= self.exp_bits <= 10:
            raise UsageError(f"impossible BFP format: k={self.k}, p={self.p}, exp_bits={self.exp_bits}")

    @property
    def bits_per_element(self) -> float:
        return self.p + self.exp_bits / self.k


BFP_PRESETS = {"bfp12": BFPFormat(16, 4), "bfp16": BFPFormat(16, 8)}


def _blocks(x: np.ndarray, k: int) -> np.ndarray:
    x = np.asarray(x, np.float64)
    if x.shape[-1] % k:
        raise UsageError(f"the last axis ({x.shape[-1]}) must be a multiple of the block size {k}")
    return x.reshape(*x.shape[:-1], x.shape[-1] // k, k)


def bfp_quantize(x: np.ndarray, fmt: BFPFormat, rounding: str = Mode.RNE,
                 random_bits: np.ndarray | None = None, rbits: int = SR_BITS) -> tuple[np.ndarray, np.ndarray]:
    """(shared exponents, shape ``(..., blocks)``; mantissas, shape ``(..., blocks, k)``).
    Stochastic rounding adds ``random_bits`` (``rbits``-bit integers, one per element) to the
    first ``rbits`` bits below each mantissa's last bit."""
    b = _blocks(x, fmt.k)
    top = (1 << (fmt.exp_bits - 1)) - 1
    peak = np.max(np.where(np.isnan(b), np.inf, np.abs(b)), axis=-1)
    _, above = np.frexp(np.where(np.isfinite(peak), peak, 0.0))  # peak in [2**(above-1), 2**above)
    e = np.where(np.isinf(peak), top, np.where(peak > 0, above - 1, -top))
    e = np.clip(e, -top, top).astype(np.int64)
    scaled = np.where(np.isnan(b), 0.0, b) / np.ldexp(1.0, (e - (fmt.p - 2)).astype(np.int32))[..., None]
    if rounding not in (Mode.RNE, Mode.RTZ, Mode.SR):
        raise UsageError(f"BFP rounding must be rne, rtz or sr, not {rounding!r}")
    if rounding == Mode.SR and (random_bits is None or np.shape(random_bits) != scaled.shape):
        raise UsageError(f"stochastic rounding needs random_bits of shape {scaled.shape}")
    m = round_signed(scaled, rounding, random_bits, rbits)
    limit = (1 << (fmt.p - 1)) - 1
    return e, np.clip(m, -limit, limit).astype(np.int64)


def bfp_dequantize(e: np.ndarray, m: np.ndarray, fmt: BFPFormat) -> np.ndarray:
    v = m * np.ldexp(1.0, (e - (fmt.p - 2)).astype(np.int32))[..., None]
    return v.reshape(*v.shape[:-2], -1)


#: The OCP MX v1.0 element formats; the P3109 formats ``binary8pP`` serve as elements too.
MX_ELEMENTS = ("e4m3", "e5m2", "e2m3", "e3m2", "e2m1", "int8")
MX_NAN_SCALE = 0xFF


@dataclass(frozen=True)
class MxElement:
    """What the MX arithmetic needs of an element format: its width, ``emax`` (the scale rule's
    offset), the exponent of its smallest step, its largest finite value and mantissa bits."""

    name: str
    bits: int
    emax: int
    lsb_exp: int
    largest: float
    man_bits: int


def mx_element(name: str) -> MxElement:
    """The element format ``name``: an OCP element (MXINT8 is 8-bit two's complement in steps
    of 2**-6) or a P3109 ``binary8pP``; anything else is a UsageError."""
    if name == "int8":
        return MxElement("int8", 8, 0, -6, 127 / 64, 6)
    if name not in MX_ELEMENTS and not name.startswith("binary8p"):
        raise UsageError(f"unknown MX element format {name!r}: use one of {', '.join(MX_ELEMENTS)} "
                         "or a P3109 binary8p1 .. binary8p7")
    fmt = float_format(name)
    return MxElement(name, fmt.bits, fmt.emax, fmt.emin - fmt.man_bits, fmt.max_normal, fmt.man_bits)


#: How the E8M0 scale exponent comes from the block's largest magnitude ``amax``: the OCP rule and
#: the variants the block study compares (:func:`scale_exponent`).
SCALE_RULES = ("floor", "ceil", "even")
#: Every rule :func:`scale_exponent` takes: cuBLAS's ``rceil`` too, which the block study leaves
#: out because in exact arithmetic it is ``ceil`` (their results differ only in rounding edge cases).
E8M0_RULES = (*SCALE_RULES, "rceil")


def mx_scale_exponent(peak: np.ndarray, elem: str, rule: str = "floor") -> np.ndarray:
    """The unbiased shared exponent for blocks whose largest magnitude is ``peak`` (> 0) and
    whose elements are the MX element format ``elem``, by ``rule`` (:func:`scale_exponent`)."""
    return scale_exponent(peak, mx_element(elem), rule)


def scale_exponent(peak: np.ndarray, element: MxElement, rule: str = "floor") -> np.ndarray:
    """The unbiased exponent ``e`` of a power-of-two scale ``X = 2**e`` for blocks whose largest
    magnitude is ``peak`` (> 0), elements of ``element`` (its ``emax``, ``largest`` and, for
    ``even``, ``man_bits``), before any clipping to E8M0's range:

    ``floor``: ``floor(log2(amax)) - emax_elem``, the OCP MX v1.0 rule (the largest element
    may then exceed the element format's range and saturate); ``ceil``: the smallest power of
    two with ``amax / X <= max_elem``, so nothing saturates, computed as
    ``ceil(log2(amax / max_elem))`` in float64; ``even``: ``amax`` first rounded to the element's
    precision (half away from zero), then ``floor`` (torchao's EVEN mode: values the element
    would round up past its top binade move the scale up); ``rceil``: cuBLAS's RCEIL, the ratio
    ``amax / max_elem`` rounded up to a power of two (cuBLAS "1D block quantization", torchao's
    ``_to_mx_rceil``), computed exactly here: ``e`` is the smallest integer with
    ``max_elem * 2**e >= amax``. In exact arithmetic ``rceil`` and ``ceil`` are one rule;
    ``ceil``'s float64 logarithm can land one below when the ratio is within a rounding of a
    power of two, and GPU code computes the ratio in fp32 as ``amax * fp32(1 / max_elem)``,
    which can land either side there too. (torchao's own CEIL mode is another rule:
    ``ceil(log2(amax)) - emax_elem``, not offered here.)
    """
    if rule == "floor":
        return np.floor(np.log2(peak)) - element.emax
    if rule == "ceil":
        return np.ceil(np.log2(peak / element.largest))
    if rule == "even":
        mantissa, exp = np.frexp(peak)  # peak = mantissa * 2**exp, mantissa in [0.5, 1)
        carries = mantissa >= 1 - 2.0 ** -(element.man_bits + 2)  # rounds up to 2**exp at man_bits fraction bits
        return exp - 1 + carries - element.emax
    if rule == "rceil":
        peak = np.asarray(peak, np.float64)
        guess = np.ceil(np.log2(peak / element.largest))
        e = np.clip(guess, -1100, 1100).astype(np.int64)
        e = np.where(np.ldexp(element.largest, e.astype(np.int32)) < peak, e + 1, e)
        e = np.where(np.ldexp(element.largest, (e - 1).astype(np.int32)) >= peak, e - 1, e)
        return e.astype(np.float64)
    raise UsageError(f"MX scale rule must be one of {', '.join(E8M0_RULES)}, not {rule!r}")


def mx_quantize(v: np.ndarray, elem: str, k: int = 32, rounding: str = Mode.RNE, random: np.ndarray | None = None,
                scale: str = "floor", rbits: int = SR_BITS) -> tuple[np.ndarray, np.ndarray]:
    """(E8M0 scale codes per block, element codes per block) under the OCP rules: the scale
    exponent by ``scale`` (:func:`mx_scale_exponent`), elements rounded by ``rounding`` (``sr``
    with ``random``, one ``rbits``-bit integer per element, shaped as ``v``) and saturated."""
    mx_element(elem)  # a known element format
    b = _blocks(v, k)
    if random is not None:
        random = _blocks(random, k)
    bad = ~np.all(np.isfinite(b), axis=-1)
    finite = np.where(np.isfinite(b), b, 0.0)
    peak = np.max(np.abs(finite), axis=-1)
    with np.errstate(divide="ignore"):
        shared = np.where(peak > 0, mx_scale_exponent(np.where(peak > 0, peak, 1.0), elem, scale), -127)
    shared = np.clip(shared, -127, 127).astype(np.int64)
    p = finite / np.ldexp(1.0, shared.astype(np.int32))[..., None]
    if elem == "int8":
        codes = np.clip(round_signed(p * 64, rounding, random, rbits), -128, 127).astype(np.int64) & 0xFF
    else:
        codes = encode(float_format(elem), p, rounding, True, random, rbits)
    scale_codes = np.where(bad, MX_NAN_SCALE, shared + 127)
    return scale_codes.astype(np.int64), np.where(bad[..., None], 0, codes)


#: NVFP4's element and scale formats, and its block.
NVFP4_ELEMENT, NVFP4_SCALE, NVFP4_BLOCK = "e2m1", "e4m3", 16

#: How the block scale ``amax / 6`` becomes an e4m3 code: ``rne`` to nearest, ties to even
#: (torchao's NVFP4 recipe), or ``rup`` rounded up to the next e4m3 value (cuDNN's
#: ``block_scale_quantize``: ``scale = quantize_round_up(amax(vals) / vmax_otype)``), so that no
#: element saturates unless the scale itself does.
NVFP4_SCALE_ROUNDINGS = ("rne", "rup")

#: NVFP4's fp32 per-tensor scale ``amax(tensor) / divisor``, by recipe: ``amax/(448*6)`` (torchao's
#: ``per_tensor_amax_to_scale`` since pytorch/ao PR 2604, "Use more of e4m3 range for
#: block_scales", and NVIDIA's global scale ``448 * 6 / amax``): the largest block's scale lands on
#: e4m3's top, 448; ``amax/448`` (torchao's recipe before that PR): block scales reach only
#: 448 / 6 = 74.67, 2.6 binades below e4m3's top.
NVFP4_TENSOR_SCALES = {"amax/(448*6)": 448.0 * 6.0, "amax/448": 448.0}


def nvfp4_tensor_scale(amax: float, recipe: str = "amax/(448*6)") -> float:
    """NVFP4's per-tensor scale for a tensor whose largest magnitude is ``amax``, by ``recipe``
    (:data:`NVFP4_TENSOR_SCALES`), computed in fp32 as torchao does (fp32 amax divided by the fp32
    divisor); an all-zero tensor (or one whose scale underflows fp32) gets 1.0."""
    if recipe not in NVFP4_TENSOR_SCALES:
        raise UsageError(f"NVFP4 tensor scale must be one of {', '.join(NVFP4_TENSOR_SCALES)} or a number, "
                         f"not {recipe!r}")
    scale = float(np.float32(amax) / np.float32(NVFP4_TENSOR_SCALES[recipe]))
    return scale if scale > 0 else 1.0


def nvfp4_quantize(v: np.ndarray, k: int = NVFP4_BLOCK, rounding: str = Mode.RNE, random: np.ndarray | None = None,
                   rbits: int = SR_BITS, scale_rounding: str = Mode.RNE) -> tuple[np.ndarray, np.ndarray]:
    """(e4m3 scale codes per block, e2m1 element codes per block), as torchao's NVFP4 recipe
    does after the per-tensor scale (which stays outside, with the caller): the block scale is
    ``amax / 6`` rounded to e4m3 (by ``scale_rounding``: RNE as torchao, or ``rup`` as cuDNN,
    see :data:`NVFP4_SCALE_ROUNDINGS`; saturating at 448), the elements ``v / scale`` rounded to
    e2m1 (RNE by default, or ``rounding`` with ``random``, one ``rbits``-bit integer per element
    shaped as ``v``; saturating at 6). A block whose scale rounds to zero gets zero elements."""
    if scale_rounding not in NVFP4_SCALE_ROUNDINGS:
        raise UsageError(f"NVFP4 scale rounding must be one of {', '.join(NVFP4_SCALE_ROUNDINGS)}, "
                         f"not {scale_rounding!r}")
    b = _blocks(v, k)
    if random is not None:
        random = _blocks(random, k)
    scale_fmt, elem_fmt = float_format(NVFP4_SCALE), float_format(NVFP4_ELEMENT)
    peak = np.max(np.abs(b), axis=-1)
    scales = encode(scale_fmt, peak / elem_fmt.max_normal, scale_rounding, True)
    divisor = decode(scale_fmt, scales)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(divisor[..., None] > 0, b / np.where(divisor > 0, divisor, 1.0)[..., None], 0.0)
    return scales.astype(np.int64), encode(elem_fmt, p, rounding, True, random, rbits)


def nvfp4_quantize_scaled(v: np.ndarray, inverse_scale, k: int = NVFP4_BLOCK, rounding: str = Mode.RNE,
                          random: np.ndarray | None = None, rbits: int = SR_BITS,
                          scale_rounding: str = Mode.RNE) -> tuple[np.ndarray, np.ndarray]:
    """NVFP4 with the per-tensor scale applied inside, as the ``block_quant`` unit does it:
    ``y = v * inverse_scale``, the exact product rounded once to fp32 (RNE, overflow to inf;
    IEEE specials: a NaN operand or 0 x inf gives NaN), then :func:`nvfp4_quantize` on ``y``
    (with its element ``rounding``, ``random``, ``rbits`` and ``scale_rounding``).
    ``inverse_scale`` (broadcast against ``v``; fp32 values) is the reciprocal of torchao's
    per-tensor scale ``amax_tensor / (448 * 6)``, rounded to fp32 once by whoever computes it.

    torchao divides instead: the block scale ``amax / 6`` and its quotient by the tensor scale
    are each rounded to fp32, clamped to ``[2**-6, 448]`` and cast to e4m3; the elements are
    ``x / (tensor_scale * block_scale)`` with that product and quotient rounded to fp32 each.
    Here ``y`` is the one fp32 rounding before the block's two single roundings (``amax_y / 6``
    to e4m3, ``y / scale`` to e2m1), there is no lower clamp (a block whose ``amax_y / 6``
    rounds to 0 gets scale 0 and +0 elements), and a block with a NaN ``y`` gets the NaN scale
    0x7F and +0 elements; an infinite ``y`` makes the scale 448 and its element +-6.
    """
    fp32 = float_format("fp32")
    with np.errstate(invalid="ignore", over="ignore"):
        product = np.asarray(v, np.float64) * np.asarray(inverse_scale, np.float64)  # exact: 24 x 24 bits
    return nvfp4_quantize(decode(fp32, encode(fp32, product, Mode.RNE, False)), k, rounding, random, rbits,
                          scale_rounding)


def mx_elements(codes: np.ndarray, elem: str) -> np.ndarray:
    """Element codes to values (before the scale)."""
    if elem == "int8":
        c = np.asarray(codes, np.int64)
        return (c - ((c >> 7) & 1) * 256) / 64.0
    return decode(float_format(elem), codes)


def mx_dequantize(scale: np.ndarray, codes: np.ndarray, elem: str) -> np.ndarray:
    x = np.where(scale == MX_NAN_SCALE, np.nan, np.ldexp(1.0, (scale - 127).astype(np.int32)))
    v = mx_elements(codes, elem) * x[..., None]
    return v.reshape(*v.shape[:-2], -1)


def zero_sum_is_negative(all_negative_zeros, all_positive_zeros, rounding: str):
    """The sign of an exact zero sum of several products (IEEE 754 section 6.3): -0 when every
    product is -0; under ``rdn`` -0 unless every product is +0; else +0."""
    if rounding == Mode.RDN:
        return ~np.asarray(all_positive_zeros)
    return np.asarray(all_negative_zeros)


def mx_dot(sa, ca, sb, cb, elem: str, rounding: str = Mode.RNE, random: np.ndarray | None = None,
           rbits: int = SR_BITS) -> np.ndarray:
    """Per block pair: ``X(A) X(B) sum_i P_i(A) P_i(B)``, the sum exact, one fp32 rounding
    (``rounding``; ``sr`` with ``random``, one ``rbits``-bit integer per block pair).

    IEEE 754 arithmetic on the element values, as OCP MX v1.0 defines the dot product: under
    finite scales an infinite element is infinite, so inf x finite non-zero is +-inf, inf x 0
    and +inf + -inf are NaN, a NaN element or a NaN scale (0xFF) makes NaN; an exact zero sum
    takes its sign by :func:`zero_sum_is_negative`.
    """
    pa, pb = mx_elements(ca, elem), mx_elements(cb, elem)
    negative = np.signbit(pa) ^ np.signbit(pb)
    with np.errstate(invalid="ignore"):
        product = pa * pb  # inf x 0 and NaN give NaN; inf x non-zero gives +-inf
    pos_inf = np.any(product == np.inf, axis=-1)
    neg_inf = np.any(product == -np.inf, axis=-1)
    bad_nan = np.any(np.isnan(product), axis=-1) | (pos_inf & neg_inf)
    all_negative_zeros = np.all((product == 0) & negative, axis=-1)
    all_positive_zeros = np.all((product == 0) & ~negative, axis=-1)
    pa, pb = np.where(np.isfinite(pa), pa, 0.0), np.where(np.isfinite(pb), pb, 0.0)
    # Element values are multiples of 2**-q; as integers the sum is exact.
    element = mx_element(elem)
    q = -element.lsb_exp
    exp = (np.asarray(sa, np.int64) - 127) + (np.asarray(sb, np.int64) - 127) - 2 * q
    largest = int(element.largest * 2**q)
    if (largest**2 * pa.shape[-1]).bit_length() <= 53:  # exact in int64 and in float64
        ia, ib = (pa * 2**q).astype(np.int64), (pb * 2**q).astype(np.int64)
        values = np.ldexp((ia * ib).sum(axis=-1).astype(np.float64), exp.astype(np.int32))
    else:  # e5m2, wide P3109: Python integers, then round to odd so that the fp32 rounding stays single
        exact = np.frompyfunc(int, 1, 1)
        total = (exact(pa * 2.0**q) * exact(pb * 2.0**q)).sum(axis=-1)
        values = np.array([_exact_to_float64_odd(int(t), int(e)) for t, e in zip(total.ravel(), exp.ravel())])
        values = values.reshape(total.shape)
    fp32 = float_format("fp32")
    values = np.where(values == 0, np.where(zero_sum_is_negative(all_negative_zeros, all_positive_zeros, rounding),
                                            -0.0, 0.0), values)
    codes = encode(fp32, values, rounding, False, random, rbits)
    codes = np.where(pos_inf, fp32.inf_code, np.where(neg_inf, fp32.inf_code | fp32.sign_mask, codes))
    nan = (np.asarray(sa) == MX_NAN_SCALE) | (np.asarray(sb) == MX_NAN_SCALE) | bad_nan
    return np.where(nan, fp32.nan_code, codes)


def _exact_to_float64_odd(n: int, e: int) -> float:
    """``n * 2**e`` as float64 rounded to odd (exact when it fits): rounding it again to fp32
    gives the correctly rounded value (round-to-odd, Boldo & Melquiond)."""
    if n == 0:
        return 0.0
    mag, shift = abs(n), max(abs(n).bit_length() - 53, 0)
    kept = mag >> shift
    if shift and (mag & ((1 << shift) - 1)):
        kept |= 1
    return float(np.ldexp(float(kept) * (1 if n > 0 else -1), e + shift))


def reorder_by_norm(w: np.ndarray, axis: int = 0) -> np.ndarray:
    """The channel permutation of Trukhanov & Soloveychik: channels (slices along the last
    axis) sorted by their L2 norm over ``axis``, so that outlier channels share blocks.
    Applying the same permutation to both operands of a dot product leaves it unchanged."""
    return np.argsort(np.linalg.norm(w, axis=axis), kind="stable")


def join_codes(codes: np.ndarray, bits: int) -> np.ndarray:
    """(n, k) element codes to one packed port value per row, element j at bits
    ``[j*bits, (j+1)*bits)``: uint64 when it fits, else rows of little-endian uint64 words."""
    n, k = codes.shape
    bitmat = ((codes[..., None].astype(np.uint64) >> np.arange(bits, dtype=np.uint64)) & 1).astype(np.uint8)
    flat = bitmat.reshape(n, k * bits)
    words = -(-k * bits // 64)
    flat = np.pad(flat, ((0, 0), (0, words * 64 - k * bits)))
    packed = np.packbits(flat, axis=1, bitorder="little").view("<u8").astype(np.uint64)
    return packed[:, 0] if k * bits <= 64 else packed


def split_codes(port: np.ndarray, bits: int, k: int) -> np.ndarray:
    """The inverse of :func:`join_codes`."""
    words = np.asarray(port, np.uint64).reshape(len(port), -1)
    if bits in (8, 16, 32):  # whole little-endian lanes of the words: a view
        return np.ascontiguousarray(words).astype("<u8").view(f"<u{bits // 8}")[:, :k].astype(np.int64)
    if bits == 4:
        nibbles = np.ascontiguousarray(words).astype("<u8").view(np.uint8)
        return np.stack([nibbles & 15, nibbles >> 4], axis=-1).reshape(len(port), -1)[:, :k].astype(np.int64)
    bitmat = np.unpackbits(words.astype("<u8").view(np.uint8), axis=1, bitorder="little")[:, :k * bits]
    return (bitmat.reshape(-1, k, bits).astype(np.int64) << np.arange(bits)).sum(axis=-1)


def bfp_dot(ea, ma, eb, mb, fmt: BFPFormat) -> tuple[np.ndarray, np.ndarray]:
    """Exact BFP block dot product: (integer sum of mantissa products, exponent of its LSB
    ``ea + eb - 2 * (p - 2)``)."""
    total = np.sum(np.asarray(ma, np.int64) * np.asarray(mb, np.int64), axis=-1)
    return total, np.asarray(ea, np.int64) + np.asarray(eb, np.int64) - 2 * (fmt.p - 2)


def bfp_dot_fp32(ea, ma, eb, mb, fmt: BFPFormat, rounding: str = Mode.RNE, random: np.ndarray | None = None,
                 rbits: int = SR_BITS) -> np.ndarray:
    """The exact dot product rounded once to fp32 (``rounding``; ``sr`` with ``random``):
    codes. Two's complement mantissas have one zero, taken as +0, so an exact zero sum is +0,
    or -0 under ``rdn`` when non-zero products cancel (:func:`zero_sum_is_negative`)."""
    total, exp = bfp_dot(ea, ma, eb, mb, fmt)
    products = np.asarray(ma, np.int64) * np.asarray(mb, np.int64)
    negative = zero_sum_is_negative(False, np.all(products == 0, axis=-1), rounding)
    values = np.ldexp(total.astype(np.float64), exp.astype(np.int32))
    values = np.where((total == 0) & negative, -0.0, values)
    return encode(float_format("fp32"), values, rounding, False, random, rbits)
