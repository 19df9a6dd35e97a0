"""Scaled quantizers: a tensor to element codes and scales, per tensor, per channel or per group.

The last axis is the reduction axis (a weight matrix's input features, an activation's hidden
dimension): scales run along it. :func:`quantize_scaled` takes the tensor and

**elements**
    ``e2m1``, ``e2m3``, ``e3m2``, ``e4m3``, ``e5m2`` (OCP floats; any signed float format of at
    most 16 bits is taken), ``int4``, ``int8`` (``intN``, N from 2 to 16: two's complement, the
    range symmetric, -7..7 for int4, or ``int_range="full"``, -8..7; see
    :meth:`~arithbench.models.formats.IntFormat.quantizer_range`) and ``nf4`` (QLoRA's table,
    :data:`~arithbench.models.formats.NF4`). Elements are rounded RNE (``nf4``: to the nearest
    value, ties down, as bitsandbytes) or stochastically (``sr``: ``rbits`` random bits per
    element drawn from ``numpy.random.default_rng(seed)``, one per element in the tensor's C
    order, added below the element's last bit as :func:`~arithbench.models.codec.round_shift`
    does), and saturate at the element's largest value (``max_elem``: 6 for e2m1, 448 for
    e4m3, 7 for int4 in either range, 1 for nf4).
**granularity** (``group``)
    ``"tensor"`` (one scale), ``"channel"`` (one scale per row, i.e. per slice along the last
    axis) or a group size ``g`` (16, 32, 64, 128 in the studies; any size that divides the last
    axis): one scale per ``g`` consecutive elements of a row.
**scale formats** (``scale``)
    ``fp32`` and ``fp16``: ``amax / max_elem`` rounded to the format (RNE, saturating at its
    largest value); with ``pow2=True`` rounded up to a power of two instead (the smallest
    ``2**e >= amax / max_elem``, so nothing saturates; ZeroQuant-FP's constraint for W4A8,
    Wu et al. 2023, arXiv 2307.09782: power-of-two weight scales make the FP4-to-FP8 cast a
    shift of the exponent; rounding up is our reading, the paper's exact rule is not
    reproduced here). ``e8m0``: a power of two by an MX rule (``rule``: ``floor``, OCP MX v1.0,
    the default; ``ceil``; ``even``, torchao's; ``rceil``, cuBLAS's: see
    :func:`~arithbench.models.block.scale_exponent`), clipped to ``2**[-127, 127]``; integer
    elements take the rules with ``emax = floor(log2(max_elem))`` (2 for int4, 6 for int8) and
    ``even`` with ``emax`` fraction bits; nf4 takes floor, ceil and rceil (its values have no
    mantissa to round ``amax`` to). ``e4m3``: NVFP4, e2m1 elements only: an fp32 per-tensor
    scale (``tensor_scale``: ``"amax/(448*6)"``, the default, or ``"amax/448"``, see
    :data:`~arithbench.models.block.NVFP4_TENSOR_SCALES`, or a number of your own) divides the
    data, then :func:`~arithbench.models.block.nvfp4_quantize` gives each block of ``g``
    (16 in NVFP4) an e4m3 scale ``amax / 6`` (``scale_rounding``: ``rne`` as torchao, or
    ``rup`` as cuDNN) and its e2m1 elements.
**presets** (``fmt``)
    ``nvfp4`` (e2m1, group 16, e4m3 scales), ``mxfp4`` (e2m1), ``mxfp6_e2m3``, ``mxfp6_e3m2``,
    ``mxfp8_e4m3``, ``mxfp8_e5m2`` and ``mxint8`` (int8 in the full range -128..127, whose values
    times the scale are MXINT8's: its element ``code / 64`` under a scale 64 times larger), all
    group 32 with e8m0 scales (``rule`` may be given).
**LLM-FP4's search** (``fmt="llm-fp4"``)
    Liu et al., EMNLP 2023 (arXiv 2310.16836), search the exponent/mantissa split of a 4-bit
    float and its maximum value (clipping range). Here: for the tensor (``group="tensor"``)
    or each row (``group="channel"``), every split among ``e2m1``, ``e1m2`` and ``e3m0``
    (formats without inf or NaN; see :data:`FP4_SPLITS`) crossed with every clipping ratio of
    ``clips`` (default :data:`CLIP_GRID`, 1.00 down to 0.50 in steps of 0.05: our grid) gives an
    fp32 scale ``fp32(ratio * amax / max_elem)``; the elements are rounded RNE and the option of
    least squared error wins (the first in split-then-ratio order on equal errors). A real-valued
    exponent bias, as the paper has it, is this fp32 scale. The final elements are then rounded
    by ``rounding``. The split chosen is stored in 2 bits per tensor or row and counted.

Scales are worked out from ``amax``, the group's largest magnitude. A group of zeros gets scale 0
(fp32, fp16; e4m3 blocks likewise) or ``2**-127`` (e8m0, as OCP MX), and zero elements. Data with
NaN or inf are refused (one line) except with e8m0 scales, where OCP MX gives the group the NaN
scale (0xFF) and zero elements, as :func:`~arithbench.models.block.mx_quantize` does.

Elements are ``x / scale`` in float64, then rounded once into the element format; dequantized
values are ``element * scale`` (times NVFP4's tensor scale). Bits per element count the
scales: ``element bits + scale bits / g`` (+ 32 / size for NVFP4's tensor scale, + 2 / g for
LLM-FP4's split). Large tensors go through in chunks of about a million elements.
"""

from __future__ import annotations

import functools
import numbers
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import UsageError
from .block import (E8M0_RULES, MX_NAN_SCALE, NVFP4_BLOCK, NVFP4_ELEMENT, NVFP4_SCALE, NVFP4_SCALE_ROUNDINGS,
                    NVFP4_TENSOR_SCALES, MxElement, nvfp4_quantize, nvfp4_tensor_scale, scale_exponent)
from .codec import SR_BITS, decode, encode, int_value, lookup_encode, round_signed
from .formats import INT_RANGES, LOOKUP_FORMATS, FloatFormat, IntFormat, LookupFormat, float_format, int_format
from .rounding import RBITS_RANGE, Mode

#: The element formats the studies use (others: any signed float format up to 16 bits, intN).
ELEMENTS = ("e2m1", "e2m3", "e3m2", "e4m3", "e5m2", "int4", "int8", "nf4")
#: Scale formats and their bits.
SCALE_FORMATS = {"fp32": 32, "fp16": 16, "e8m0": 8, "e4m3": 8}
#: Granularities by name; an integer is a group size.
GRANULARITIES = ("tensor", "channel")
#: The element roundings.
ROUNDINGS = (Mode.RNE.value, Mode.SR.value)
#: LLM-FP4's 4-bit splits (name shown -> format): no inf, no NaN, every code a number.
FP4_SPLITS = {"e2m1": "e2m1", "e1m2": "e1m2finite", "e3m0": "e3m0finite"}
#: LLM-FP4's clipping ratios searched by default: 1.00, 0.95, ..., 0.50 (our grid).
CLIP_GRID = tuple(round(1.0 - 0.05 * i, 2) for i in range(11))
LLM_FP4 = "llm-fp4"
#: Elements per chunk of work (a multiple of the group size is taken).
CHUNK = 1 << 20


@dataclass(frozen=True)
class Preset:
    element: str
    group: int
    scale: str
    int_range: str | None = None


#: Named block formats: element, group and scale fixed.
PRESETS = {
    "nvfp4": Preset(NVFP4_ELEMENT, NVFP4_BLOCK, NVFP4_SCALE),
    "mxfp4": Preset("e2m1", 32, "e8m0"),
    "mxfp6_e2m3": Preset("e2m3", 32, "e8m0"),
    "mxfp6_e3m2": Preset("e3m2", 32, "e8m0"),
    "mxfp8_e4m3": Preset("e4m3", 32, "e8m0"),
    "mxfp8_e5m2": Preset("e5m2", 32, "e8m0"),
    "mxint8": Preset("int8", 32, "e8m0", "full"),
}


@dataclass(frozen=True)
class Scaled:
    """A tensor quantized with scales (:func:`quantize_scaled`).

    ``codes`` (uint64, the data's shape) are the element codes (two's complement bit patterns
    for integers); ``scales`` the scale values as stored (float64; without NVFP4's
    ``tensor_scale``), shape ``()`` per tensor, else ``(*leading, groups_per_row)``: they
    broadcast against ``codes.reshape(*leading, groups_per_row, group)``; ``scale_codes`` their
    codes in ``scale_format`` (fp32 and fp16 bit patterns, biased E8M0 exponents, e4m3 codes);
    ``values`` the dequantized tensor (float64); ``bits_per_element`` the storage per element,
    scales counted. ``element`` is the element format's name; for LLM-FP4 by channel an array of
    names, one per row, and ``clip`` the ratio chosen (a float, or an array per row).
    """

    fmt: str
    element: str | np.ndarray
    granularity: str
    group: int
    scale_format: str
    rule: str | None
    rounding: str
    bits_per_element: float
    tensor_scale: float | None
    codes: np.ndarray = field(repr=False)
    scales: np.ndarray = field(repr=False)
    scale_codes: np.ndarray = field(repr=False)
    values: np.ndarray = field(repr=False)
    clip: float | np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Element:
    """An element format as the scaled quantizer sees it: its codes, values and ``largest``."""

    name: str
    fmt: FloatFormat | IntFormat | LookupFormat
    lo: int = 0
    hi: int = 0

    @property
    def bits(self) -> int:
        return self.fmt.bits

    @property
    def largest(self) -> float:
        """``max_elem``: the value ``amax`` maps to."""
        return float(self.hi) if isinstance(self.fmt, IntFormat) else self.fmt.max_normal

    def mx(self, rule: str) -> MxElement:
        """What the E8M0 scale rules need of the element."""
        if isinstance(self.fmt, FloatFormat):
            f = self.fmt
            return MxElement(self.name, f.bits, f.emax, f.emin - f.man_bits, f.max_normal, f.man_bits)
        if isinstance(self.fmt, LookupFormat):
            if rule == "even":
                raise UsageError(f"scale rule 'even' rounds amax to the element's mantissa: {self.name} is a table "
                                 "of values without one; use floor, ceil or rceil")
            return MxElement(self.name, self.bits, int(np.floor(np.log2(self.largest))), 0, self.largest, 0)
        top = self.hi.bit_length() - 1
        return MxElement(self.name, self.bits, top, 0, float(self.hi), top)

    def encode(self, p: np.ndarray, rounding: str, random: np.ndarray | None, rbits: int) -> np.ndarray:
        """Scaled values to codes (int64), saturating."""
        if isinstance(self.fmt, IntFormat):
            q = np.rint(p) if rounding == Mode.RNE else round_signed(p, rounding, random, rbits)
            q = np.clip(np.where(np.isnan(q), 0.0, q), self.lo, self.hi).astype(np.int64)
            return q & ((1 << self.bits) - 1)
        if isinstance(self.fmt, LookupFormat):
            return lookup_encode(self.fmt, p, rounding, random, rbits)
        if rounding == Mode.RNE and self.bits <= 8:
            return nearest_codes(self.fmt, p)
        return encode(self.fmt, p, rounding, True, random, rbits)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        if isinstance(self.fmt, IntFormat):
            return int_value(self.fmt, codes).astype(np.float64)
        if isinstance(self.fmt, LookupFormat):
            return decode(self.fmt, codes)
        return _value_table(self.fmt)[np.asarray(codes, np.intp)]


def element(name, int_range: str | None = None) -> Element:
    """The element format ``name`` (see the module docstring); ``int_range`` for integers."""
    if not isinstance(name, str):
        raise UsageError(f"an element format is a name such as 'e2m1', 'int4' or 'nf4', not {name!r}")
    if re.fullmatch(r"u?int\d+", name):
        fmt = int_format(name)
        if not fmt.signed or fmt.bits > 16:
            raise UsageError(f"integer elements are signed, 2 to 16 bits (int4, int8), not {name}")
        lo, hi = fmt.quantizer_range("symmetric" if int_range is None else int_range)
        return Element(name, fmt, lo, hi)
    if int_range is not None:
        raise UsageError(f"int_range ({', '.join(INT_RANGES)}) applies to integer elements, not {name}")
    if name in LOOKUP_FORMATS:
        return Element(name, LOOKUP_FORMATS[name])
    try:
        fmt = float_format(name)
    except UsageError:
        raise UsageError(f"unknown element format {name!r}: use {', '.join(ELEMENTS)} (or a signed eXmY format, "
                         f"intN), a preset ({', '.join(PRESETS)}) or {LLM_FP4}") from None
    if not fmt.signed or fmt.bits > 16:
        raise UsageError(f"float elements are signed formats of at most 16 bits, not {name}")
    return Element(name, fmt)


@functools.lru_cache(maxsize=32)
def _value_table(fmt: FloatFormat) -> np.ndarray:
    table = decode(fmt, np.arange(1 << fmt.bits))
    table.flags.writeable = False
    return table


@functools.lru_cache(maxsize=32)
def _nearest_table(fmt: FloatFormat) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(midpoints of neighbouring non-negative finite values, their codes, whether a value on
    each midpoint rounds up), the tie decisions taken from :func:`~.codec.encode` itself."""
    codes = np.arange(1 << (fmt.bits - 1))
    values = decode(fmt, codes)
    keep = np.isfinite(values)
    codes, values = codes[keep], values[keep]
    mids = (values[1:] + values[:-1]) / 2
    up = encode(fmt, mids, Mode.RNE, True) == codes[1:]
    for a in (mids, codes, up):
        a.flags.writeable = False
    return mids, codes, up


def nearest_codes(fmt: FloatFormat, p: np.ndarray) -> np.ndarray:
    """RNE codes, saturating, of a signed float format of at most 8 bits, by a search among the
    midpoints of its values: the same codes as :func:`~.codec.encode` ``(fmt, p, "rne", True)``
    (ties decided by it), several times faster."""
    mids, codes, up = _nearest_table(fmt)
    p = np.asarray(p, np.float64)
    a = np.abs(p)
    i = np.searchsorted(mids, a, side="left")
    j = np.minimum(i, len(mids) - 1)
    i = i + ((i < len(mids)) & (a == mids[j]) & up[j])
    magnitude = codes[i]
    negative = np.signbit(p) & (fmt.has_negative_zero | (magnitude != 0))
    out = np.where(negative, magnitude | fmt.sign_mask, magnitude)
    return np.where(np.isnan(p), fmt.nan_code if fmt.nan_code is not None else 0, out).astype(np.int64)


def _nearest_magnitudes(fmt: FloatFormat, a: np.ndarray) -> np.ndarray:
    """The values of :func:`nearest_codes` for non-negative finite ``a``, without the codes."""
    mids, codes, up = _nearest_table(fmt)
    i = np.searchsorted(mids, a, side="left")
    j = np.minimum(i, len(mids) - 1)
    i += (i < len(mids)) & (a == mids[j]) & up[j]
    return _value_table(fmt)[codes][i]


def _group_size(group, n: int, size: int) -> tuple[str, int]:
    """(granularity, elements per scale)."""
    if isinstance(group, str):
        if group == "tensor":
            return "tensor", size
        if group == "channel":
            return "channel", n
        raise UsageError(f"group must be 'tensor', 'channel' or a group size such as 32, not {group!r}")
    if isinstance(group, bool) or not isinstance(group, numbers.Integral) or group < 1:
        raise UsageError(f"group must be 'tensor', 'channel' or a group size such as 32, not {group!r}")
    if n % group:
        raise UsageError(f"group size {group} does not divide the last axis ({n} elements): use a divisor of {n}, "
                         "'channel' or 'tensor'")
    return "group", int(group)


def _data(x) -> np.ndarray:
    x = np.asarray(x, np.float64)
    if x.ndim == 0 or x.size == 0:
        raise UsageError(f"the data must be an array of one or more dimensions with values, not of shape {x.shape}")
    return x


def _refuse_nonfinite(x: np.ndarray, what: str) -> None:
    bad = int(np.count_nonzero(~np.isfinite(x)))
    if bad:
        raise UsageError(f"the data hold {bad:,} NaN or infinite value{'s' if bad > 1 else ''}: {what} has no answer "
                         "for them (only e8m0 scales take them: OCP MX gives such a group the NaN scale)")


def _random(seed, shape, rounding: str, rbits) -> tuple[np.ndarray | None, int]:
    """The stochastic rounding's random bits, one per element, and their count per element."""
    if rounding not in ROUNDINGS:
        raise UsageError(f"rounding must be one of {', '.join(ROUNDINGS)} (elements round to nearest, ties to even, "
                         f"or stochastically), not {rounding!r}")
    if rounding != Mode.SR:
        if seed is not None:
            raise UsageError("seed sets the random bits of rounding='sr': leave it out for rne")
        if rbits != SR_BITS:
            raise UsageError("rbits sets the random bits of rounding='sr': leave it out for rne")
        return None, SR_BITS
    if seed is None or isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise UsageError(f"rounding='sr' needs seed, an integer from 0 to 2**32 - 1, for its random bits, not {seed!r}")
    low, high = RBITS_RANGE
    if isinstance(rbits, bool) or not isinstance(rbits, numbers.Integral) or not low <= rbits <= high:
        raise UsageError(f"rbits must be an integer from {low} to {high}, not {rbits!r}")
    rng = np.random.default_rng(int(seed))
    return rng.integers(0, 1 << int(rbits), size=shape, dtype=np.uint32), int(rbits)


def _chunks(groups: int, g: int):
    """Ranges of groups of about :data:`CHUNK` elements."""
    step = max(1, CHUNK // g)
    for start in range(0, groups, step):
        yield start, min(start + step, groups)


def quantize_scaled(x, fmt: str, *, group=None, scale: str | None = None, rule: str | None = None,
                    rounding: str = "rne", seed: int | None = None, rbits: int = SR_BITS, int_range: str | None = None,
                    pow2: bool = False, tensor_scale: str | float | None = None, scale_rounding: str | None = None,
                    clips=None) -> Scaled:
    """``x`` quantized to ``fmt`` with scales along its last axis; see the module docstring.

    ``fmt``: an element format, a preset (``nvfp4``, ``mxfp4``, ...) or ``llm-fp4``. ``group``:
    ``"tensor"`` (the default), ``"channel"`` or a group size. ``scale``: ``fp32`` (the
    default), ``fp16``, ``e8m0`` or ``e4m3``. ``rule``: the e8m0 rule. ``rounding``: ``rne`` or
    ``sr`` (with ``seed``, and ``rbits`` random bits per element, 16 by default). ``int_range``:
    ``symmetric`` or ``full`` for integer elements. ``pow2``: power-of-two fp32/fp16 scales.
    ``tensor_scale`` and ``scale_rounding``: NVFP4's (e4m3 scales). ``clips``: LLM-FP4's ratios.
    Options that do not apply to the request are refused, each with one line.
    """
    x = _data(x)
    if not isinstance(fmt, str):
        raise UsageError(f"fmt must be a format's name such as 'e2m1', 'int4', 'nf4', 'nvfp4' or 'llm-fp4', not {fmt!r}")
    random, rbits = _random(seed, x.shape, rounding, rbits)
    if fmt == LLM_FP4:
        for name, value in (("scale", scale if scale != "fp32" else None), ("rule", rule), ("int_range", int_range),
                            ("pow2", pow2 or None), ("tensor_scale", tensor_scale), ("scale_rounding", scale_rounding)):
            if value is not None:
                raise UsageError(f"{name} does not apply to {LLM_FP4}, whose scales are fp32 (the real-valued "
                                 "exponent bias of the paper)")
        return _llm_fp4(x, "tensor" if group is None else group, CLIP_GRID if clips is None else clips, rounding,
                        random, rbits)
    if clips is not None:
        raise UsageError(f"clips are {LLM_FP4}'s clipping ratios: they do not apply to {fmt}")
    if fmt in PRESETS:
        preset = PRESETS[fmt]
        for name, value, fixed in (("group", group, preset.group), ("scale", scale, preset.scale)):
            if value is not None and value != fixed:
                raise UsageError(f"{fmt} is {preset.element} elements in groups of {preset.group} with {preset.scale} "
                                 f"scales: for {name}={value!r} ask for fmt={preset.element!r} with group and scale")
        group, scale = preset.group, preset.scale
        if int_range is None:
            int_range = preset.int_range
        elif preset.int_range is None:
            raise UsageError(f"int_range applies to integer elements, not to {fmt}")
    elem = element(fmt if fmt not in PRESETS else PRESETS[fmt].element, int_range)
    scale = "fp32" if scale is None else scale
    if scale not in SCALE_FORMATS:
        raise UsageError(f"unknown scale type {scale!r}: use one of {', '.join(SCALE_FORMATS)}")
    granularity, g = _group_size("tensor" if group is None else group, x.shape[-1], x.size)
    _scale_options(elem, scale, rule, pow2, tensor_scale, scale_rounding)
    if scale != "e8m0":
        _refuse_nonfinite(x, f"a {scale} scale (amax / {elem.largest:g})")
    if scale == "e4m3":
        scales, scale_codes, codes, values, tscale = _nvfp4(x, elem, g, rounding, random, rbits, tensor_scale,
                                                            scale_rounding)
    else:
        scales, scale_codes, codes, values = _scaled(x, elem, g, scale, rule, pow2, rounding, random, rbits)
        tscale = None
    bits = elem.bits + SCALE_FORMATS[scale] / g + (32 / x.size if scale == "e4m3" else 0.0)
    shape = () if granularity == "tensor" else (*x.shape[:-1], x.shape[-1] // g)
    return Scaled(fmt, elem.name, granularity, g, scale, (rule or "floor") if scale == "e8m0" else None, rounding,
                  bits, tscale, codes.reshape(x.shape), scales.reshape(shape), scale_codes.reshape(shape),
                  values.reshape(x.shape))


def _scale_options(elem: Element, scale: str, rule, pow2, tensor_scale, scale_rounding) -> None:
    """Refuse the scale options a scale type does not take, and a scale type the element cannot take."""
    if scale == "e4m3" and elem.name != NVFP4_ELEMENT:
        raise UsageError(f"scale e4m3 is NVFP4's block scale: it takes {NVFP4_ELEMENT} elements, not {elem.name} "
                         "(use fp32, fp16 or e8m0 scales)")
    if rule is not None:
        if scale != "e8m0":
            raise UsageError(f"rule ({', '.join(E8M0_RULES)}) applies to e8m0 scales, not {scale}")
        if rule not in E8M0_RULES:
            raise UsageError(f"unknown e8m0 scale rule {rule!r}: use one of {', '.join(E8M0_RULES)}")
        elem.mx(rule)  # refuses 'even' for a table
    if not isinstance(pow2, (bool, np.bool_)):
        raise UsageError(f"pow2 must be True or False, not {pow2!r}")
    if pow2 and scale not in ("fp32", "fp16"):
        raise UsageError(f"pow2 rounds fp32 and fp16 scales to powers of two: {scale} scales "
                         + ("are powers of two already" if scale == "e8m0" else "are NVFP4's e4m3 values"))
    for name, value in (("tensor_scale", tensor_scale), ("scale_rounding", scale_rounding)):
        if value is not None and scale != "e4m3":
            raise UsageError(f"{name} is NVFP4's (e4m3 scales): it does not apply to {scale} scales")
    if scale_rounding is not None and scale_rounding not in NVFP4_SCALE_ROUNDINGS:
        raise UsageError(f"scale_rounding must be one of {', '.join(NVFP4_SCALE_ROUNDINGS)}, not {scale_rounding!r}")


def _group_scales(amax: np.ndarray, elem: Element, scale: str, rule: str | None, pow2: bool):
    """(scale values, scale codes) of groups whose largest magnitudes are ``amax`` (finite)."""
    positive = amax > 0
    safe = np.where(positive, amax, 1.0)
    if scale == "e8m0":
        e = scale_exponent(safe, elem.mx(rule or "floor"), rule or "floor")
        e = np.clip(np.where(positive, e, -127), -127, 127).astype(np.int64)
        return np.ldexp(1.0, e.astype(np.int32)), e + 127
    fmt = float_format(scale)
    if pow2:
        e = scale_exponent(safe, elem.mx("rceil"), "rceil")
        e = np.clip(e, fmt.emin - fmt.man_bits, fmt.emax).astype(np.int32)
        values = np.where(positive, np.ldexp(1.0, e), 0.0)
        return values, encode(fmt, values, Mode.RNE, True)
    codes = encode(fmt, amax / elem.largest, Mode.RNE, True)
    return decode(fmt, codes), codes


def _scaled(x, elem: Element, g: int, scale: str, rule, pow2, rounding, random, rbits):
    """fp32, fp16 and e8m0 scales: (scales, scale codes, codes, values), flat."""
    flat = x.reshape(-1)
    grouped = flat.reshape(-1, g)
    finite = np.isfinite(grouped)
    bad = ~finite.all(axis=1)
    amax = np.max(np.abs(np.where(finite, grouped, 0.0)) if bad.any() else np.abs(grouped), axis=1)
    scales, scale_codes = _group_scales(amax, elem, scale, rule, pow2)
    if bad.any():  # e8m0 only: OCP MX's NaN scale
        scales = np.where(bad, np.nan, scales)
        scale_codes = np.where(bad, MX_NAN_SCALE, scale_codes)
    codes = np.empty(flat.size, np.uint64)
    values = np.empty(flat.size, np.float64)
    for start, stop in _chunks(len(scales), g):
        part = grouped[start:stop]
        s = scales[start:stop, None]
        usable = (s > 0) & np.isfinite(part)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(usable, part / np.where(s > 0, s, 1.0), 0.0)
        bits = None if random is None else random.reshape(-1, g)[start:stop]
        c = elem.encode(p, rounding, bits, rbits)
        codes[start * g:stop * g] = c.reshape(-1)
        values[start * g:stop * g] = (elem.decode(c) * s).reshape(-1)
    return scales, scale_codes.astype(np.uint64), codes, values


def _nvfp4(x, elem: Element, g: int, rounding, random, rbits, tensor_scale, scale_rounding):
    """e4m3 block scales after NVFP4's fp32 tensor scale (:func:`~.block.nvfp4_quantize`)."""
    flat = x.reshape(-1)
    amax = float(np.max(np.abs(flat)))
    if tensor_scale is None or isinstance(tensor_scale, str):
        tscale = nvfp4_tensor_scale(amax, "amax/(448*6)" if tensor_scale is None else tensor_scale)
    elif (isinstance(tensor_scale, bool) or not isinstance(tensor_scale, numbers.Real)
          or not np.isfinite(tensor_scale) or tensor_scale <= 0):
        raise UsageError(f"tensor_scale must be {' or '.join(map(repr, NVFP4_TENSOR_SCALES))} or a positive finite "
                         f"number, not {tensor_scale!r}")
    else:
        tscale = float(tensor_scale)
    groups = flat.size // g
    scale_codes = np.empty(groups, np.uint64)
    codes = np.empty(flat.size, np.uint64)
    values = np.empty(flat.size, np.float64)
    e4m3, e2m1 = float_format(NVFP4_SCALE), elem.fmt
    for start, stop in _chunks(groups, g):
        part = flat[start * g:stop * g]
        bits = None if random is None else random.reshape(-1)[start * g:stop * g]
        sc, c = nvfp4_quantize(part / tscale, g, rounding, bits, rbits, scale_rounding or Mode.RNE)
        scale_codes[start:stop] = sc
        codes[start * g:stop * g] = c.reshape(-1)
        values[start * g:stop * g] = (decode(e2m1, c) * decode(e4m3, sc)[:, None] * tscale).reshape(-1)
    return decode(e4m3, scale_codes), scale_codes, codes, values, tscale


def _clips(clips) -> tuple[float, ...]:
    try:
        ratios = tuple(float(c) for c in np.atleast_1d(np.asarray(clips, np.float64)))
    except (TypeError, ValueError):
        raise UsageError(f"clips must be clipping ratios in (0, 1], not {clips!r}") from None
    if not ratios or not all(0 < c <= 1 for c in ratios):
        raise UsageError(f"clips must be one or more clipping ratios in (0, 1], not {clips!r}")
    return ratios


def _llm_fp4(x: np.ndarray, group, clips, rounding, random, rbits) -> Scaled:
    """LLM-FP4's search (module docstring): per tensor or per row."""
    if group not in GRANULARITIES:
        raise UsageError(f"{LLM_FP4} searches per 'tensor' or per 'channel', not group={group!r}")
    _refuse_nonfinite(x, f"{LLM_FP4}'s search")
    ratios = _clips(clips)
    n = x.shape[-1]
    rows = x.reshape(-1, n)
    splits = [(name, Element(name, float_format(fmt))) for name, fmt in FP4_SPLITS.items()]
    candidates = [(s, r) for s in range(len(splits)) for r in ratios]
    fp32 = float_format("fp32")
    amax_rows = np.max(np.abs(rows), axis=1)
    amax = amax_rows if group == "channel" else np.full(len(rows), amax_rows.max())

    def scale_of(split: Element, ratio):
        return decode(fp32, encode(fp32, ratio * amax / split.largest, Mode.RNE, True))

    errors = np.zeros((len(candidates), len(rows)))
    step = max(1, CHUNK // n)
    scales = [scale_of(splits[s][1], r) for s, r in candidates]
    for start in range(0, len(rows), step):
        magnitude = np.abs(rows[start:start + step])  # the elements keep their signs: errors are of magnitudes
        for k, (s, _) in enumerate(candidates):
            sc = scales[k][start:start + step, None]
            q = _nearest_magnitudes(splits[s][1].fmt, magnitude / np.where(sc > 0, sc, 1.0)) * sc
            errors[k, start:start + step] = np.sum((q - magnitude) ** 2, axis=1)
    totals = errors if group == "channel" else errors.sum(axis=1, keepdims=True).repeat(len(rows), axis=1)
    best = np.argmin(totals, axis=0)  # the first of equal errors
    codes = np.empty(rows.shape, np.uint64)
    values = np.empty(rows.shape, np.float64)
    row_scales = np.empty(len(rows))
    bits = None if random is None else random.reshape(rows.shape)
    for k in np.unique(best):
        chosen = best == k
        s, _ = candidates[k]
        sc = scales[k][chosen, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(sc > 0, rows[chosen] / np.where(sc > 0, sc, 1.0), 0.0)
        c = splits[s][1].encode(p, rounding, None if bits is None else bits[chosen], rbits)
        codes[chosen] = c
        values[chosen] = splits[s][1].decode(c) * sc
        row_scales[chosen] = sc[:, 0]
    names = np.array([splits[candidates[k][0]][0] for k in best])
    ratio = np.array([candidates[k][1] for k in best])
    lead = x.shape[:-1]
    if group == "tensor":
        element_, clip, shape = str(names[0]), float(ratio[0]), ()
        per = x.size
        scale_values = np.asarray(row_scales[0])
    else:
        element_, clip, shape = names.reshape(lead), ratio.reshape(lead), (*lead, 1)
        per = n
        scale_values = row_scales.reshape(shape)
    return Scaled(LLM_FP4, element_, group, per, "fp32", None, rounding, 4 + (32 + 2) / per, None,
                  codes.reshape(x.shape), scale_values, encode(fp32, scale_values, Mode.RNE, True).astype(np.uint64),
                  values.reshape(x.shape), clip)
