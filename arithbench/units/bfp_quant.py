"""Catalog entry: the BFP quantizer (float block in, shared exponent and mantissas out)."""

import numpy as np

from ..errors import UsageError
from ..models.block import BFPFormat, bfp_quantize, join_codes, split_codes
from ..models.codec import decode, encode
from ..models.formats import float_format
from ..models.rounding import Mode
from ..params import RBITS, Param
from ..rtl.bfp_quant import BFP_ROUNDINGS, BfpQuant
from ..unit import UnitConfig, VectorPlan, register
from ..vectors import MAX_EXHAUSTIVE_BITS, exhaustive, float_corners


def _check_format(name):
    fmt = float_format(name)
    if not fmt.signed or fmt.emax > 127:
        raise UsageError(f"bfp_quant: input format {name!r} must be signed with exponents up to 127 "
                         "(the shared exponent's range); e.g. bf16, fp16, fp32, e4m3")


def _value_blocks(fmt, k, n, rng):
    """Codes of N(0,1) blocks at scales across the format's range, with corner blocks: all
    zero, one huge outlier, all equal, subnormal-only, and one NaN or inf element."""
    lo, hi = fmt.emin - fmt.man_bits, fmt.emax
    x = rng.standard_normal((n, k)) * 2.0 ** rng.integers(lo, hi + 1, (n, 1))
    x[0::50] = 0.0
    x[1::50, 0] = fmt.max_normal
    x[2::50] = 1.5
    x[3::50] = rng.integers(-3, 4, (len(x[3::50]), k)) * fmt.min_subnormal
    x[4::50, -1] = np.inf
    x[5::50, 0] = np.nan
    return encode(fmt, x, Mode.RNE, sat=not fmt.has_inf)


@register
class BfpQuantUnit(UnitConfig):
    name = "bfp_quant"
    doc = "BFP quantizer: k float codes to one shared exponent (max of the block) and k signed p-bit mantissas."
    params = (
        Param("fmt", "format", "bf16", "input float format", check=_check_format),
        Param("k", "int", 16, "block size", choices=(2, 4, 8, 16, 32)),
        Param("p", "int", 8, "signed mantissa bits (bfp12: 4, bfp16: 8)", choices=(4, 6, 8)),
        Param("round", "choice", Mode.RNE, "mantissa rounding (sr: stochastic, rbits random bits per element on "
              "port r)", choices=BFP_ROUNDINGS),
        RBITS,
    )

    @property
    def block(self) -> BFPFormat:
        return BFPFormat(self.k, self.p)

    @property
    def exhaustive_bits(self) -> int:
        return self.k * self.fmt.bits

    def compute(self, v):
        values = decode(self.fmt, split_codes(v["x"], self.fmt.bits, self.k))
        r = self.rounding
        random = split_codes(v["r"], r.rbits, self.k)[:, None, :] if r.stochastic else None
        e, m = bfp_quantize(values, self.block, r.mode, random, r.rbits)
        return {"e": (e[:, 0] & 0xFF).astype(np.uint64), "m": join_codes(m[:, 0] & ((1 << self.p) - 1), self.p)}

    def circuit(self):
        return BfpQuant(self.fmt, self.block, self.rounding)

    def make_vectors(self, plan: VectorPlan):
        fmt, k, stochastic, rbits = self.fmt, self.k, self.rounding.stochastic, self.rounding.rbits
        rng = np.random.default_rng(plan.seed)
        if plan.count is None:
            bits = self.exhaustive_bits
            if bits > MAX_EXHAUSTIVE_BITS:
                raise UsageError(f"bfp_quant: exhaustive needs k * bits(fmt) <= {MAX_EXHAUSTIVE_BITS}, here {bits}: "
                                 "give --vectors N")
            grid = exhaustive({f"x{j}": fmt.bits for j in range(k)})
            codes = np.stack([grid[f"x{j}"] for j in range(k)], axis=1).astype(np.int64)
            if stochastic:  # every block with every corner pattern of random bits
                corners = self.rounding.corners()
                codes = np.repeat(codes, len(corners), axis=0)
                random = np.tile(corners, len(codes) // len(corners))[:, None].repeat(k, axis=1)
        else:
            n = plan.count
            third = n // 3
            corners = float_corners(fmt).astype(np.int64)
            codes = np.concatenate([
                _value_blocks(fmt, k, n - 2 * third, rng),
                corners[rng.integers(0, len(corners), (third, k))],  # extremes, subnormals, specials
                rng.integers(0, 1 << fmt.bits, (third, k)),  # raw codes
            ])
            if stochastic:
                random = rng.integers(0, 1 << rbits, (n, k))
        out = {"x": join_codes(codes, fmt.bits)}
        if stochastic:
            out["r"] = join_codes(random, rbits)
        return out

    def default_count(self):
        return None if self.exhaustive_bits <= 16 else 100_000

    def ops(self):
        """The exponent maximum, then per element a rounding add (and the random-bit add for sr)."""
        ops = [("int_add", 8)] * (self.k - 1) + [("int_add", self.p)] * self.k
        return ops + self.rounding.ops(self.k)
