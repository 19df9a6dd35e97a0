"""Catalog entry: the block dequantizer (k element codes and one scale in; k fp16, bf16 or
fp32 codes out)."""

import numpy as np

from ..errors import UsageError
from ..models.block import MX_ELEMENTS, join_codes, mx_elements, split_codes
from ..models.codec import ROUNDINGS, decode, encode
from ..models.formats import LOOKUP_FORMATS, float_format
from ..models.rounding import Mode
from ..params import RBITS, Param, saturation
from ..rtl.dequant import Dequant, element_bits
from ..unit import UnitConfig, VectorPlan, register
from .block_quant import with_element_random_bits
from ..vectors import exhaustive, float_corners, int_corners

#: Scale formats: MX's E8M0, NVFP4's e4m3, and fp16 or bf16 group scales (GPTQ-style W4A16).
SCALES = ("e8m0", "e4m3", "fp16", "bf16")
#: Output formats.
OUTPUTS = ("fp16", "bf16", "fp32")


@register
class DequantUnit(UnitConfig):
    name = "dequant"
    doc = ("Block dequantizer: k element codes (MX elements or nf4) times one scale (E8M0, e4m3, fp16 or bf16), each "
           "exact product rounded once to out.")
    params = (
        Param("elem", "choice", "e2m1", "element format (int8: MXINT8, steps of 2**-6; nf4: QLoRA's table)",
              choices=(*MX_ELEMENTS, *LOOKUP_FORMATS)),
        Param("scale", "choice", "e8m0", "scale format: e8m0 (MX), e4m3 (NVFP4), fp16 or bf16 (group scales)",
              choices=SCALES),
        Param("out", "format", "bf16", "output format", choices=OUTPUTS),
        Param("k", "int", 8, "elements per scale and operation", choices=(1, 2, 4, 8, 16, 32)),
        Param("round", "choice", Mode.RNE, "rounding of each product (sr: stochastic, rbits random bits per "
              "element on port r)", choices=ROUNDINGS, quiet_default=True),
        RBITS,
        saturation("overflow and inf to +-max; else IEEE: inf"),
    )

    @property
    def element_bits(self) -> int:
        return element_bits(self.elem)

    @property
    def scale_format(self):
        return float_format(self.scale)

    def compute(self, v):
        k, r = self.k, self.rounding
        codes = split_codes(v["q"], self.element_bits, k)
        if self.elem in LOOKUP_FORMATS:
            elements = decode(LOOKUP_FORMATS[self.elem], codes)
        else:
            elements = mx_elements(codes, self.elem)
        with np.errstate(invalid="ignore"):  # inf x 0 is NaN
            values = elements * decode(self.scale_format, v["s"])[:, None]  # exact: at most 24 x 11 bits
        random = split_codes(v["r"], r.rbits, k) if r.stochastic else None
        return {"y": join_codes(encode(self.out, values, r.mode, self.sat, random, r.rbits), self.out.bits)}

    def circuit(self):
        return Dequant(self.elem, self.scale, self.out, self.k, self.rounding, self.sat)

    @property
    def input_bits(self) -> int:
        return self.k * self.element_bits + self.scale_format.bits

    def default_count(self):
        return None if self.input_bits <= 16 else 100_000

    def make_vectors(self, plan: VectorPlan):
        k, w, sw = self.k, self.element_bits, self.scale_format.bits
        rng = np.random.default_rng(plan.seed)
        if plan.count is None:
            if self.input_bits > 16:
                raise UsageError(f"dequant: exhaustive needs k * bits(elem) + bits(scale) <= 16, here "
                                 f"{self.input_bits}: give --vectors N")
            grid = exhaustive({"s": sw, **{f"q{j}": w for j in range(k)}})
            codes, scales = np.stack([grid[f"q{j}"] for j in range(k)], axis=1).astype(np.int64), grid["s"]
        else:
            n = plan.count
            element_corners = self._element_corners()
            scale_corners = np.arange(256) if self.scale == "e8m0" else float_corners(self.scale_format)
            codes = np.where(rng.random((n, k)) < 0.5, element_corners[rng.integers(0, len(element_corners), (n, k))],
                             rng.integers(0, 1 << w, (n, k))).astype(np.int64)
            scales = np.where(rng.random(n) < 0.5, scale_corners[rng.integers(0, len(scale_corners), n)],
                              rng.integers(0, 1 << sw, n))
            # A quarter: special scales times elements that are special half the time (0 x inf).
            quarter = slice(0, n // 4)
            special_scales, special_elements = self._specials()
            scales[quarter] = special_scales[rng.integers(0, len(special_scales), n // 4)]
            codes[quarter] = np.where(rng.random((n // 4, k)) < 0.5,
                                      special_elements[rng.integers(0, len(special_elements), (n // 4, k))],
                                      codes[quarter])
        inputs = {"q": join_codes(codes, w), "s": scales.astype(np.uint64)}
        return with_element_random_bits(self.rounding, inputs, k, plan.count is None, rng)

    def _specials(self):
        """Codes of the scale's and the element's zeros, infinities, NaN, ones and extremes (what
        a format lacks, it saturates or leaves out)."""
        values = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0**-130, 2.0**130])
        if self.scale == "e8m0":
            scales = np.array([0, 1, 127, 254, 255])
        else:
            scales = encode(self.scale_format, values, Mode.RNE, False)
        if self.elem == "int8" or self.elem in LOOKUP_FORMATS:
            return np.unique(scales), self._element_corners()
        return np.unique(scales), np.unique(encode(float_format(self.elem), values, Mode.RNE, False))

    def _element_corners(self):
        if self.elem == "int8":
            return int_corners(8)
        if self.elem in LOOKUP_FORMATS:
            return np.arange(1 << self.element_bits, dtype=np.uint64)
        return float_corners(float_format(self.elem))

    def ops(self):
        """Per element: the significand product, the exponent add and the rounding add."""
        if self.elem in ("int8", *LOOKUP_FORMATS):
            sig = 8 if self.elem == "int8" else 24  # NF4's table holds fp32 values
        else:
            sig = float_format(self.elem).man_bits + 1
        scale_sig = 1 if self.scale == "e8m0" else self.scale_format.man_bits + 1
        return [("int_mul", max(sig, scale_sig)), ("int_add", 8), ("int_add", self.out.man_bits)] * self.k + \
            self.rounding.ops(self.k)
