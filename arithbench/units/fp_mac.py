"""Catalog entries: the FP8 MAC and the L-Mul MAC, accumulating into fp32 or fp16."""

import numpy as np

from ..models.codec import ROUNDINGS, decode, encode
from ..models.fpmac import fp_mac, lmul_mac
from ..models.lmul import offset_lsbs
from ..models.rounding import Mode
from ..params import CLOCKED, RBITS, Param
from ..rtl.fp_mac import FpMac, LMulMac
from ..unit import UnitConfig, VectorPlan, register
from ..vectors import crossed, float_corners, mixed, sampled

#: The L-Mul MAC's product: the paper's offset, subnormal operands flushed (stated once for model and RTL).
LMUL_OFFSET, LMUL_SUB = "paper", "flush"

#: Accumulator values every operand pair is checked against.
ACC_VALUES = (0.0, -0.0, 1.0, -1.0, 3.0, -2.5, 1e-3, -1000.0, 65504.0, -1e-7, 6e-8, 1e30, np.inf, -np.inf, np.nan)


def _params():
    return (
        Param("fmt", "format", "e4m3", "operand format", choices=("e4m3", "e5m2")),
        Param("acc", "format", "fp32", "accumulator format", choices=("fp32", "fp16")),
        Param("round", "choice", Mode.RNE, "rounding of each accumulation (sr: stochastic, rbits random bits on "
              "port r)", choices=ROUNDINGS),
        RBITS,
        Param("sat", "bool", False, "saturate accumulator overflow to +-max (else inf)", choices=("nosat", "sat")),
        CLOCKED,
    )


def _operands(unit, fmt, acc, plan: VectorPlan):
    """``count`` vectors in all: once ``count`` reaches the full grid (every operand pair with
    each of :data:`ACC_VALUES`), the grid, then corner-or-random mixes and near-aligned
    accumulators, half each; fewer: corner-or-random mixes alone."""
    widths = {"a": fmt.bits, "b": fmt.bits, "c": acc.bits}
    everything = np.arange(256, dtype=np.uint64)
    accs = np.unique(encode(acc, np.array(ACC_VALUES), sat=False)).astype(np.uint64)
    count = sampled(unit, widths, plan.count)
    if count < 65536 * len(accs):  # too few for the full grid: corners and random only
        return mixed({"a": float_corners(fmt), "b": float_corners(fmt), "c": float_corners(acc)}, widths,
                     count, plan.seed)
    grid = crossed({"a": everything, "b": everything, "c": accs}, widths, 0, plan.seed)
    rest = count - len(grid["a"])
    extra = mixed({"a": float_corners(fmt), "b": float_corners(fmt), "c": float_corners(acc)}, widths,
                  rest - rest // 2, plan.seed)
    near = _aligned(fmt, acc, rest // 2, plan.seed)
    return {k: np.concatenate([grid[k], extra[k], near[k]]) for k in widths}


def _aligned(fmt, acc, n, seed):
    """Random operand pairs with an accumulator whose exponent is within the accumulator's
    precision of the product's, so that every alignment shift, and the sticky bits it drops,
    is exercised (uniform random accumulators almost never land there)."""
    rng = np.random.default_rng(seed + 1)
    a, b = (rng.integers(0, 1 << fmt.bits, n).astype(np.uint64) for _ in range(2))
    with np.errstate(invalid="ignore", over="ignore"):
        product = np.abs(decode(fmt, a) * decode(fmt, b))
    _, exp = np.frexp(np.where(np.isfinite(product) & (product > 0), product, 1.0))
    span = acc.man_bits + 8
    biased = np.clip(exp - 1 + rng.integers(-span, span + 1, n) + acc.bias, 0, acc.exp_max_code - 1)
    mantissa = rng.integers(0, 1 << acc.man_bits, n)
    c = (rng.integers(0, 2, n) << (acc.bits - 1)) | (biased << acc.man_bits) | mantissa
    return {"a": a, "b": b, "c": c.astype(np.uint64)}


class _FloatMac(UnitConfig):
    """What the FP8 and L-Mul MACs share: parameters, vectors, formats, exact result."""

    role = "mac"
    shown = ({"fmt": "e4m3", "acc": "fp32"},)
    params = _params()

    def make_vectors(self, plan):
        return self.rounding.with_random_bits(_operands(self.name, self.fmt, self.acc, plan), False, plan.seed)

    def default_count(self):
        return 65536 * 16 + 200_000

    def port_formats(self):
        return {"a": self.fmt, "b": self.fmt, "c": self.acc, "y": self.acc}

    def exact(self, v):
        return v["c"] + v["a"] * v["b"]

    def accumulate_ops(self):
        """Alignment add over the window, normalisation and rounding add (and the random-bit add)."""
        window = self.acc.man_bits + 2 * self.fmt.man_bits + 5
        ops = [("int_add", window), ("int_add", self.acc.man_bits + 2)]
        return ops + self.rounding.ops()


@register
class FpMacUnit(_FloatMac):
    name = "fp8_mac"
    doc = "y = round_acc(c + a*b): exact fp8 product accumulated in fp32 or fp16, one rounding per step."

    def compute(self, v):
        r = self.rounding
        return {"y": fp_mac(self.fmt, self.acc, v["a"], v["b"], v["c"], rounding=r.mode, sat=self.sat,
                            random=r.random(v), rbits=r.rbits)}

    def circuit(self):
        return FpMac(self.fmt, self.acc, self.rounding, self.sat)

    def ops(self):
        return [("int_mul", self.fmt.man_bits + 1), ("int_add", self.fmt.exp_bits + 1), *self.accumulate_ops()]


@register
class LMulMacUnit(_FloatMac):
    name = "lmul_mac"
    doc = "y = round_acc(c + lmul(a, b)): the L-Mul product (paper offset, saturating) accumulated."

    def compute(self, v):
        r = self.rounding
        return {"y": lmul_mac(self.fmt, self.acc, v["a"], v["b"], v["c"], rounding=r.mode, sat=self.sat,
                              offset=LMUL_OFFSET, sub=LMUL_SUB, random=r.random(v), rbits=r.rbits)}

    def circuit(self):
        return LMulMac(self.fmt, self.acc, offset_lsbs(self.fmt, LMUL_OFFSET), LMUL_SUB, self.rounding, self.sat)

    def ops(self):
        return [("int_add", self.fmt.bits - 1), *self.accumulate_ops()]
