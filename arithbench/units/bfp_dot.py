"""Catalog entry: the BFP block dot product."""

import numpy as np

from ..errors import UsageError
from ..models.block import BFPFormat, bfp_dot, bfp_dot_fp32, bfp_quantize, join_codes, split_codes
from ..models.codec import ROUNDINGS
from ..models.formats import IntFormat, float_format
from ..models.rounding import Mode
from ..params import RBITS, Param
from ..rtl.bfp_dot import BfpDot
from ..unit import UnitConfig, VectorPlan, register


def _signed(codes, bits):
    return codes - ((codes >> (bits - 1)) & 1) * (1 << bits)


def _pack(e, m, fmt):
    return (e.astype(np.int64) & 0xFF).astype(np.uint64), join_codes(m & ((1 << fmt.p) - 1), fmt.p)


#: Raw shared-exponent codes crossed with every mantissa pair when the plan is exhaustive:
#: zero, +-1, both ends of the signed range.
EXHAUSTIVE_EXPONENTS = (0x00, 0x01, 0xFF, 0x7F, 0x80, 0x81)


@register
class BfpDotUnit(UnitConfig):
    name = "bfp_dot"
    doc = "BFP block dot product: exact sum of mantissa products with its exponent, or rounded to fp32."
    role = "block"
    shown = ({"k": "16", "p": "4"},)
    params = (
        Param("k", "int", 16, "block size", choices=(2, 4, 8, 16, 32)),
        Param("p", "int", 4, "signed mantissa bits (bfp12: 4, bfp16: 8)", choices=(4, 6, 8)),
        Param("out", "choice", "fp32", "result: exact integer sum + exponent, or fp32", choices=("int", "fp32")),
        Param("round", "choice", Mode.RNE, "rounding of the fp32 result (sr: stochastic, rbits random bits on port r)",
              choices=ROUNDINGS, quiet_default=True, only_with=("out", "fp32")),
        RBITS,
    )

    @property
    def block(self) -> BFPFormat:
        return BFPFormat(self.k, self.p)

    def _operands(self, v):
        ea, eb = _signed(v["ea"].astype(np.int64), 8), _signed(v["eb"].astype(np.int64), 8)
        ma, mb = (_signed(split_codes(v[s], self.p, self.k), self.p) for s in "ab")
        return ea, ma, eb, mb

    def compute(self, v):
        ea, ma, eb, mb = self._operands(v)
        if self.out == "fp32":
            r = self.rounding
            return {"y": bfp_dot_fp32(ea, ma, eb, mb, self.block, r.mode, r.random(v), r.rbits).astype(np.uint64)}
        total, exp = bfp_dot(ea, ma, eb, mb, self.block)
        bits = 2 * self.p + self.k.bit_length()
        return {"y": (total & ((1 << bits) - 1)).astype(np.uint64), "ye": (exp & 0x3FF).astype(np.uint64)}

    def circuit(self):
        return BfpDot(self.block, self.out, self.rounding)

    def make_vectors(self, plan: VectorPlan):
        blocks = self._exhaustive() if plan.count is None else self._random_blocks(plan)
        return self.rounding.with_random_bits(blocks, plan.count is None, plan.seed)

    def _exhaustive(self):
        """Every pair of mantissa blocks, crossed with every pair of :data:`EXHAUSTIVE_EXPONENTS`."""
        bits = 2 * self.k * self.p
        if bits > 16:
            raise UsageError(f"bfp_dot: exhaustive covers every mantissa pair only when 2*k*p <= 16, here {bits}: "
                             "give --vectors N")
        codes = np.arange(1 << (self.k * self.p), dtype=np.uint64)
        exps = np.array(EXHAUSTIVE_EXPONENTS, dtype=np.uint64)
        grids = np.meshgrid(exps, exps, codes, codes, indexing="ij")
        return {name: g.ravel() for name, g in zip(("ea", "eb", "a", "b"), grids)}

    def _random_blocks(self, plan: VectorPlan):
        fmt, n = self.block, plan.count
        rng = np.random.default_rng(plan.seed)
        half = n // 2
        out = {}
        for side in "ab":
            x = rng.standard_normal((half, fmt.k)) * 2.0 ** rng.integers(-120, 120, (half, 1))
            x[0::50] = 0.0
            x[1::50, 0] *= 1e5
            e, m = bfp_quantize(x, fmt)
            pe, pm = _pack(e[:, 0] if e.ndim > 1 else e, m.reshape(half, fmt.k), fmt)
            re = rng.integers(0, 256, n - half).astype(np.uint64)  # raw codes: every exponent and mantissa
            rm = join_codes(rng.integers(0, 1 << fmt.p, (n - half, fmt.k)), fmt.p)
            out[f"e{side}"], out[side] = np.concatenate([pe, re]), np.concatenate([pm, rm])
        return out

    def default_count(self):
        return None if 2 * self.k * self.p <= 16 else 100_000

    def macs(self):
        return self.k

    def block_inputs(self, x, y):
        """Rows of ``x`` and ``y`` converted to BFP blocks (RNE)."""
        out = {}
        for side, data in zip("ab", (x, y)):
            e, m = bfp_quantize(data, self.block)
            out[f"e{side}"], out[side] = _pack(e[:, 0], m.reshape(len(data), self.k), self.block)
        return out

    def exact(self, v):
        """The exact block dot product as float64: the integer sum alone for ``out=int`` (the
        exponent travels on its own port), times its power of two for ``out=fp32``."""
        total, exp = bfp_dot(*self._operands(v), self.block)
        if self.out == "int":
            return total.astype(np.float64)
        return np.ldexp(total.astype(np.float64), exp.astype(np.int32))

    def port_formats(self):
        if self.out == "fp32":
            return {"y": float_format("fp32")}
        return {"y": IntFormat(2 * self.p + self.k.bit_length())}

    def ops(self):
        ops = [("int_mul", self.p), ("int_add", 2 * self.p + self.k.bit_length())] * self.k
        return ops + self.rounding.ops()  # round=sr applies only with out=fp32
