"""Catalog entry: the BFP quantizer (float block in, shared exponent and mantissas out)."""

import numpy as np

from ..catalog import UnitSpec, VectorPlan, register
from ..errors import UsageError
from ..models.block import BFPFormat, bfp_quantize, join_codes, split_codes
from ..models.codec import SR_BITS, decode, encode
from ..models.formats import float_format
from ..params import Param
from ..rtl.bfp_quant import BFP_ROUNDINGS, BfpQuant
from ..vectors import MAX_EXHAUSTIVE_BITS, exhaustive, float_corners

#: Random bits crossed with every input block when ``round=sr`` runs exhaustively.
SR_CORNERS = (0, 1, 0x7FFF, 0x8000, 0xFFFF)


def _check_format(name):
    fmt = float_format(name)
    if not fmt.signed or fmt.emax > 127:
        raise UsageError(f"bfp_quant: input format {name!r} must be signed with exponents up to 127 "
                         "(the shared exponent's range); e.g. bf16, fp16, fp32, e4m3")


def _block(cfg):
    return BFPFormat(cfg["k"], cfg["p"])


def _exhaustive_bits(cfg):
    return cfg["k"] * float_format(cfg["fmt"]).bits


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
    return encode(fmt, x, "rne", sat=not fmt.has_inf)


def _vectors(cfg, plan: VectorPlan):
    fmt, k, rounding = float_format(cfg["fmt"]), cfg["k"], cfg["round"]
    rng = np.random.default_rng(plan.seed)
    if plan.count is None:
        bits = _exhaustive_bits(cfg)
        if bits > MAX_EXHAUSTIVE_BITS:
            raise UsageError(f"bfp_quant: exhaustive needs k * bits(fmt) <= {MAX_EXHAUSTIVE_BITS}, here {bits}: "
                             "give --vectors N")
        grid = exhaustive({f"x{j}": fmt.bits for j in range(k)})
        codes = np.stack([grid[f"x{j}"] for j in range(k)], axis=1).astype(np.int64)
        if rounding == "sr":  # every block with every corner pattern of random bits
            codes = np.repeat(codes, len(SR_CORNERS), axis=0)
            random = np.tile(np.array(SR_CORNERS), len(codes) // len(SR_CORNERS))[:, None].repeat(k, axis=1)
    else:
        n = plan.count
        third = n // 3
        corners = float_corners(fmt).astype(np.int64)
        codes = np.concatenate([
            _value_blocks(fmt, k, n - 2 * third, rng),
            corners[rng.integers(0, len(corners), (third, k))],  # extremes, subnormals, specials
            rng.integers(0, 1 << fmt.bits, (third, k)),  # raw codes
        ])
        random = rng.integers(0, 1 << SR_BITS, (n, k))
    out = {"x": join_codes(codes, fmt.bits)}
    if rounding == "sr":
        out["r"] = join_codes(random, SR_BITS)
    return out


def _model(cfg, v):
    fmt, block = float_format(cfg["fmt"]), _block(cfg)
    values = decode(fmt, split_codes(v["x"], fmt.bits, block.k))
    random = split_codes(v["r"], SR_BITS, block.k)[:, None, :] if cfg["round"] == "sr" else None
    e, m = bfp_quantize(values, block, cfg["round"], random)
    return {"e": (e[:, 0] & 0xFF).astype(np.uint64), "m": join_codes(m[:, 0] & ((1 << block.p) - 1), block.p)}


def _ops(cfg):
    """The exponent maximum, then per element a rounding add (and the random-bit add for sr)."""
    k, p = cfg["k"], cfg["p"]
    ops = [("int_add", 8)] * (k - 1) + [("int_add", p)] * k
    return ops + [("int_add", SR_BITS)] * k if cfg["round"] == "sr" else ops


register(UnitSpec(
    name="bfp_quant",
    doc="BFP quantizer: k float codes to one shared exponent (max of the block) and k signed p-bit mantissas.",
    params=(
        Param("fmt", "format", "bf16", "input float format", check=_check_format),
        Param("k", "int", 16, "block size", choices=(2, 4, 8, 16, 32)),
        Param("p", "int", 8, "signed mantissa bits (bfp12: 4, bfp16: 8)", choices=(4, 6, 8)),
        Param("round", "choice", "rne", "mantissa rounding (sr: stochastic, 16 random bits per element on port r)",
              choices=BFP_ROUNDINGS),
    ),
    model=_model,
    component=lambda cfg: BfpQuant(float_format(cfg["fmt"]), _block(cfg), cfg["round"]),
    vectors=_vectors,
    default_vectors=lambda cfg: None if _exhaustive_bits(cfg) <= 16 else 100_000,
    port_formats=lambda cfg: {},
    costs={"ops": _ops},
))
