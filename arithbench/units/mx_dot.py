"""Catalog entry: the OCP MX block dot product."""

import numpy as np

from ..errors import UsageError
from ..models.block import join_codes, mx_dequantize, mx_dot, mx_element, mx_quantize, split_codes
from ..models.codec import ROUNDINGS
from ..models.formats import float_format
from ..models.rounding import Mode
from ..params import RBITS, Param
from ..rtl.mx_dot import MxDot
from ..unit import UnitConfig, VectorPlan, register

#: E8M0 scale pairs crossed with every element pair when the plan is exhaustive: unit scales,
#: both ends of the range, their sums at both extremes, and the NaN scale.
EXHAUSTIVE_SCALES = ((127, 127), (0, 0), (1, 1), (0, 254), (254, 254), (127, 0), (254, 127), (60, 70),
                     (200, 180), (255, 127), (127, 255), (255, 255))


@register
class MxDotUnit(UnitConfig):
    name = "mx_dot"
    doc = "OCP MX block dot product: E8M0 scales + k elements each, exact sum, one fp32 rounding."
    role = "block"
    shown = ({"elem": "e4m3", "k": "32"},)
    params = (
        Param("elem", "text", "e4m3", "MX element format", check=mx_element,
              hint="e4m3, e5m2, e2m3, e3m2, e2m1, int8 (OCP) or binary8p1 .. binary8p7 (P3109)"),
        Param("k", "int", 32, "block size", choices=(2, 4, 8, 16, 32)),
        Param("round", "choice", Mode.RNE, "rounding of the fp32 result (sr: stochastic, rbits random bits on port r)",
              choices=ROUNDINGS, quiet_default=True),
        RBITS,
    )

    @property
    def element_bits(self) -> int:
        return mx_element(self.elem).bits

    def compute(self, v):
        w = self.element_bits
        ca, cb = split_codes(v["a"], w, self.k), split_codes(v["b"], w, self.k)
        r = self.rounding
        y = mx_dot(v["sa"].astype(np.int64), ca, v["sb"].astype(np.int64), cb, self.elem, r.mode, r.random(v), r.rbits)
        return {"y": y.astype(np.uint64)}

    def circuit(self):
        return MxDot(self.elem, self.k, self.rounding)

    def make_vectors(self, plan: VectorPlan):
        blocks = self._exhaustive() if plan.count is None else self._random_blocks(plan)
        return self.rounding.with_random_bits(blocks, plan.count is None, plan.seed)

    def _values(self, n, rng):
        """``n`` blocks of values: N(0,1) at scales from 2**-140 to 2**140, with corner blocks."""
        x = rng.standard_normal((n, self.k)) * 2.0 ** rng.integers(-140, 140, (n, 1))
        x[0::50] = 0.0  # all zero
        x[1::50, 0] *= 1e6  # one huge outlier
        x[2::50] = 1.5  # all equal
        return x

    def _exhaustive(self):
        """Every pair of element blocks, crossed with :data:`EXHAUSTIVE_SCALES`."""
        bits = 2 * self.k * self.element_bits
        if bits > 16:
            raise UsageError(f"mx_dot: exhaustive covers every element pair only when 2*k*bits(elem) <= 16, here "
                             f"{bits}: give --vectors N")
        codes = np.arange(1 << (bits // 2), dtype=np.uint64)
        a, b = (g.ravel() for g in np.meshgrid(codes, codes, indexing="ij"))
        scales = np.array(EXHAUSTIVE_SCALES, dtype=np.uint64)
        return {"sa": np.repeat(scales[:, 0], len(a)), "sb": np.repeat(scales[:, 1], len(a)),
                "a": np.tile(a, len(scales)), "b": np.tile(b, len(scales))}

    def _random_blocks(self, plan: VectorPlan):
        elem, k, n = self.elem, self.k, plan.count
        rng = np.random.default_rng(plan.seed)
        half = n // 2
        sa, ca = mx_quantize(self._values(half, rng).ravel(), elem, k)
        sb, cb = mx_quantize(self._values(half, rng).ravel(), elem, k)
        # The other half: raw random codes, scales at both ends of E8M0 and NaN included.
        w = self.element_bits
        rest = n - half
        rsa, rsb = (np.where(rng.random(rest) < 0.2, rng.choice([0, 1, 253, 254, 255], rest),
                             rng.integers(0, 256, rest)) for _ in range(2))
        rca, rcb = (rng.integers(0, 1 << w, (rest, k)) for _ in range(2))
        return {"sa": np.concatenate([sa, rsa]).astype(np.uint64), "sb": np.concatenate([sb, rsb]).astype(np.uint64),
                "a": join_codes(np.concatenate([ca, rca]), w), "b": join_codes(np.concatenate([cb, rcb]), w)}

    def default_count(self):
        return None if 2 * self.k * self.element_bits <= 16 else 100_000

    def macs(self):
        return self.k

    def block_inputs(self, x, y):
        """Rows of ``x`` and ``y`` converted to MX blocks (the OCP scale rule, RNE elements)."""
        sa, ca = mx_quantize(x.ravel(), self.elem, self.k)
        sb, cb = mx_quantize(y.ravel(), self.elem, self.k)
        w = self.element_bits
        return {"sa": sa.astype(np.uint64), "sb": sb.astype(np.uint64), "a": join_codes(ca, w),
                "b": join_codes(cb, w)}

    def exact(self, v):
        """The block dot product of the decoded elements, summed in float64 (NaN where the unit
        gives NaN): the reference for the unit's one fp32 rounding."""
        w, k = self.element_bits, self.k
        a = mx_dequantize(v["sa"].astype(np.int64), split_codes(v["a"], w, k), self.elem).reshape(-1, k)
        b = mx_dequantize(v["sb"].astype(np.int64), split_codes(v["b"], w, k), self.elem).reshape(-1, k)
        with np.errstate(invalid="ignore", over="ignore"):
            return np.sum(a * b, axis=1)

    def port_formats(self):
        return {"y": float_format("fp32")}

    def ops(self):
        """Per element: a significand multiply and an add into the exact accumulator (and the
        random-bit add of stochastic rounding)."""
        k = self.k
        if self.elem == "int8":
            ops = [("int_mul", 8), ("int_add", 16 + k.bit_length())] * k
        else:
            fmt = float_format(self.elem)
            width = 2 * (fmt.man_bits + 1) + 2 * (fmt.exp_max_code - 1) + k.bit_length()
            ops = [("int_mul", fmt.man_bits + 1), ("int_add", width)] * k
        return ops + self.rounding.ops()
