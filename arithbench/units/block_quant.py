"""Catalog entry: the block quantizer (k float codes in; an MX or NVFP4 scale and k element
codes out)."""

import numpy as np

from ..errors import UsageError
from ..models.block import (MX_ELEMENTS, NVFP4_BLOCK, NVFP4_ELEMENT, join_codes, mx_element, mx_elements,
                            mx_quantize, nvfp4_quantize, nvfp4_quantize_scaled, split_codes)
from ..models.codec import ROUNDINGS, decode, encode
from ..models.formats import float_format
from ..models.rounding import Mode, Rounding
from ..params import RBITS, Param
from ..rtl.block_quant import MX_RULES, NVFP4_RULES, BlockQuant
from ..unit import UnitConfig, VectorPlan, register
from ..vectors import exhaustive, float_corners

FP32 = float_format("fp32")
E4M3 = float_format("e4m3")
#: Blocks per scale type: MX's 32, NVFP4's 16; k divides it.
BLOCK = {"mx": 32, "nvfp4": NVFP4_BLOCK}
#: Reciprocal tensor scales (fp32) crossed with every input code when an NVFP4 plan is
#: exhaustive: 1, torchao's 2688 / amax for amax 1 and 60000, a rounding multiplier, far up
#: and down, negative, zero, inf and NaN.
EXHAUSTIVE_T = (1.0, 2688.0, 2688.0 / 60000.0, 1.0 + 2.0**-23, 3.0, 2.0**-100, 2.0**60, -0.75, 0.0, np.inf, np.nan)


def with_element_random_bits(rounding: Rounding, inputs: dict, k: int, exhaustive_plan: bool,
                             rng: np.random.Generator) -> dict:
    """``inputs`` (one row per vector) and, for a stochastic rounding, the port ``r`` of ``rbits``
    random bits for each of ``k`` elements: in an exhaustive plan every vector with each corner
    pattern of the rounding (the same for all its elements); otherwise each element a corner
    pattern or, with even odds, a uniform one."""
    if not rounding.stochastic:
        return inputs
    corners = rounding.corners().astype(np.int64)
    n = len(next(iter(inputs.values())))
    if exhaustive_plan:
        inputs = {name: np.repeat(v, len(corners), axis=0) for name, v in inputs.items()}
        random = np.repeat(np.tile(corners, n)[:, None], k, axis=1)
    else:
        uniform = rng.integers(0, 1 << rounding.rbits, (n, k))
        random = np.where(rng.random((n, k)) < 0.5, corners[rng.integers(0, len(corners), (n, k))], uniform)
    return {**inputs, "r": join_codes(random, rounding.rbits)}


@register
class BlockQuantUnit(UnitConfig):
    name = "block_quant"
    doc = ("Block quantizer: k fp16/bf16/fp32 codes to one scale and k element codes, OCP MX (E8M0 scale by the "
           "floor, ceil, even or rceil rule) or NVFP4 (e4m3 scale rounded rne or rup, e2m1 elements, fp32 tensor "
           "scale on port t).")
    params = (
        Param("fmt", "format", "bf16", "input float format", choices=("fp16", "bf16", "fp32")),
        Param("scale", "choice", "mx", "mx: one E8M0 scale; nvfp4: one e4m3 scale, e2m1 elements, the fp32 reciprocal "
              "tensor scale on port t", choices=("mx", "nvfp4")),
        Param("elem", "choice", "e4m3 for mx, e2m1 for nvfp4", "element format (nvfp4: e2m1)", choices=MX_ELEMENTS,
              default_rule=lambda v: NVFP4_ELEMENT if v["scale"] == "nvfp4" else "e4m3"),
        Param("k", "int", "32 for mx, 16 for nvfp4", "block size (divides 32 for mx, 16 for nvfp4)",
              choices=(1, 2, 4, 8, 16, 32), default_rule=lambda v: BLOCK[v["scale"]]),
        Param("rule", "choice", "floor for mx, rne for nvfp4", "how the scale is made: mx, the E8M0 rule, floor "
              "(OCP), ceil (smallest power of two that saturates nothing), even (torchao's EVEN) or rceil (cuBLAS's "
              "name for ceil); nvfp4, amax/6 rounded to e4m3 by rne (torchao) or rup (cuDNN)",
              choices=(*MX_RULES, *NVFP4_RULES),
              default_rule=lambda v: NVFP4_RULES[0] if v["scale"] == "nvfp4" else MX_RULES[0]),
        Param("tensor", "bool", True, "nvfp4: the fp32 reciprocal tensor scale on port t multiplies every element "
              "inside the unit (false: it is applied outside, the inputs are the scaled values)",
              quiet_default=True, only_with=("scale", "nvfp4")),
        Param("round", "choice", Mode.RNE, "element rounding, saturating (sr: stochastic, rbits random bits per "
              "element on port r)", choices=ROUNDINGS, quiet_default=True),
        RBITS,
    )

    def check(self):
        if self.k > BLOCK[self.scale]:
            raise UsageError(f"block_quant: k={self.k} exceeds the {self.scale} block of {BLOCK[self.scale]}")
        if self.scale == "nvfp4" and self.elem != NVFP4_ELEMENT:
            raise UsageError(f"block_quant: scale=nvfp4 takes elem=e2m1, not {self.elem}")
        rules = NVFP4_RULES if self.scale == "nvfp4" else MX_RULES
        if self.rule not in rules:
            raise UsageError(f"block_quant: scale={self.scale} takes rule {', '.join(rules)}, not {self.rule}")

    @property
    def tensor_port(self) -> bool:
        """NVFP4 with the tensor scale inside: port ``t``."""
        return self.scale == "nvfp4" and self.tensor

    @property
    def element_bits(self) -> int:
        return mx_element(self.elem).bits

    def compute(self, v):
        k, w = self.k, self.element_bits
        values = decode(self.fmt, split_codes(v["x"], self.fmt.bits, k))
        r = self.rounding
        random = split_codes(v["r"], r.rbits, k) if r.stochastic else None
        if self.tensor_port:
            s, q = nvfp4_quantize_scaled(values, decode(FP32, v["t"])[:, None], k, r.mode, random, r.rbits, self.rule)
        elif self.scale == "nvfp4":
            s, q = nvfp4_quantize(values, k, r.mode, random, r.rbits, self.rule)
        else:
            s, q = mx_quantize(values, self.elem, k, r.mode, random, self.rule, r.rbits)
        return {"s": s[:, 0].astype(np.uint64), "q": join_codes(q[:, 0] & ((1 << w) - 1), w)}

    def circuit(self):
        return BlockQuant(self.fmt, self.k, self.scale, self.elem, self.rule, self.rounding, self.tensor)

    # -- vectors --------------------------------------------------------------------------

    @property
    def exhaustive_bits(self) -> int:
        return self.k * self.fmt.bits

    def default_count(self):
        return None if self.exhaustive_bits <= 16 else 100_000

    def make_vectors(self, plan: VectorPlan):
        rng = np.random.default_rng(plan.seed)
        if plan.count is None:
            if self.exhaustive_bits > 16:
                raise UsageError(f"block_quant: exhaustive needs k * bits(fmt) <= 16, here {self.exhaustive_bits}: "
                                 "give --vectors N")
            grid = exhaustive({f"x{j}": self.fmt.bits for j in range(self.k)})
            codes = np.stack([grid[f"x{j}"] for j in range(self.k)], axis=1).astype(np.int64)
            t = None
            if self.tensor_port:  # every block with each listed tensor scale
                t = np.repeat(encode(FP32, np.array(EXHAUSTIVE_T)), len(codes))
                codes = np.tile(codes, (len(EXHAUSTIVE_T), 1))
        else:
            codes, t = self._planned(plan.count, rng)
        out = {"x": join_codes(codes, self.fmt.bits)}
        if self.tensor_port:
            out["t"] = t
        out = with_element_random_bits(self.rounding, out, self.k, plan.count is None, rng)
        return {name: v.astype(np.uint64) for name, v in out.items()}

    def _planned(self, n, rng):
        """``n`` blocks: a quarter each of N(0,1) blocks over the input's range, corner codes,
        blocks on the scale rules' and the element's rounding edges, and raw codes; with
        NVFP4's tensor scales (mostly 1, else near the data's own, or special)."""
        fmt, k = self.fmt, self.k
        quarter = n // 4
        corners = float_corners(fmt).astype(np.int64)
        parts = [self._normal_blocks(n - 3 * quarter, rng), corners[rng.integers(0, len(corners), (quarter, k))],
                 self._edge_blocks(quarter, rng),
                 rng.integers(0, 1 << fmt.bits, (quarter, k))]
        codes = np.concatenate(parts)
        if not self.tensor_port:
            return codes, None
        # Tensor scales: 1, torchao's 2688 / amax of the block, near 1, or special; for the edge
        # blocks 1 or one step of fp32 either side of it, which keep them at their edges or move
        # them there by less than the input format's step.
        with np.errstate(divide="ignore"):
            peak = np.max(np.abs(np.nan_to_num(decode(fmt, codes), posinf=0.0, neginf=0.0)), axis=1)
            own = np.where(peak > 0, 2688.0 / peak, 1.0)
        pick = rng.random(n)
        special = np.array(EXHAUSTIVE_T)[rng.integers(0, len(EXHAUSTIVE_T), n)]
        t = np.where(pick < 0.3, 1.0, np.where(pick < 0.6, own, np.where(pick < 0.9, 2.0 ** rng.uniform(-8, 8, n),
                                                                          special)))
        edges = np.arange(n) >= len(parts[0]) + quarter
        nudge = np.array([1.0, 1.0, 1 + 2.0**-23, 1 - 2.0**-24])[rng.integers(0, 4, n)]
        t = np.where(edges & (np.arange(n) < len(parts[0]) + 2 * quarter), nudge, t)
        with np.errstate(over="ignore"):
            return codes, encode(FP32, t)

    def _normal_blocks(self, n, rng):
        fmt = self.fmt
        x = rng.standard_normal((n, self.k)) * 2.0 ** rng.integers(fmt.emin - fmt.man_bits, fmt.emax + 1, (n, 1))
        x[1::50, 0] = fmt.max_normal  # one huge outlier
        x[2::50] = 1.5  # all equal
        x[3::50, -1] = np.inf
        x[4::50, 0] = np.nan
        return encode(fmt, x, Mode.RNE, not fmt.has_inf)

    def _edge_blocks(self, n, rng):
        """Codes of blocks whose largest magnitude sits on, one step above or one step below a
        scale rule's edge (MX: ``L * 2**e``, ``2**e`` and ``(2 - 2**-(m+1)) * 2**e``; NVFP4: six
        times an e4m3 value or midpoint), the other elements on ties of the element format
        under that scale or one step off them, with random signs."""
        fmt, k = self.fmt, self.k
        if self.scale == "nvfp4":
            scales = decode(E4M3, np.arange(1, 0x7F))
            mids = np.concatenate([scales, (scales[1:] + scales[:-1]) / 2])
            peak = 6 * mids[rng.integers(0, len(mids), n)]
            unit = decode(E4M3, encode(E4M3, peak / 6, Mode.RNE, True))
        else:
            element = mx_element(self.elem)
            edge = np.array([element.largest / 2.0**element.emax, 1.0, 2 - 2.0 ** -(element.man_bits + 1)])
            # Scales whose ties (down to half the element's smallest step) and peaks (below
            # 2**(emax + 1)) the input format holds.
            low = max(-20, fmt.emin - fmt.man_bits - element.lsb_exp + 1)
            high = max(low, min(20, fmt.emax - element.emax - 1))
            shift = rng.integers(low, high + 1, n)
            peak = edge[rng.integers(0, len(edge), n)] * 2.0 ** (shift + element.emax)
            unit = 2.0**shift
        values = self._element_values()
        ties = (values[1:] + values[:-1]) / 2
        x = ties[rng.integers(0, len(ties), (n, k))] * unit[:, None]
        x[:, 0] = peak
        codes = encode(fmt, x * rng.choice([-1.0, 1.0], (n, k)), Mode.RNE, False)
        # One step of the input format either side (sign-magnitude: the code moves the magnitude)
        # for every peak and half the ties.
        steps = rng.integers(-1, 2, (n, k)) * (rng.random((n, k)) < 0.5)
        steps[:, 0] = rng.integers(-1, 2, n)
        return (codes + steps)[:, rng.permutation(k)]

    def _element_values(self):
        """The element format's non-negative finite values, ascending."""
        values = mx_elements(np.arange(1 << self.element_bits), self.elem)
        return np.unique(values[np.isfinite(values) & (values >= 0)])

    # -- costs ------------------------------------------------------------------------------

    def ops(self):
        """The magnitude maximum; per element a rounding add (and the random-bit add for sr);
        NVFP4: per element the fp32 product of the tensor scale and its rounding (with
        ``tensor``), and the divisions' subtracts (8 of 5 bits per element, 8 of 3 bits for the scale)."""
        k, w = self.k, self.fmt.bits
        ops = [("int_add", w - 1)] * (k - 1) + [("int_add", self.element_bits)] * k
        if self.tensor_port:
            ops += [("int_mul", 24), ("int_add", 24)] * k
        if self.scale == "nvfp4":
            ops += [("int_add", 5)] * (8 * k) + [("int_add", 3)] * 8
        return ops + self.rounding.ops(k)
