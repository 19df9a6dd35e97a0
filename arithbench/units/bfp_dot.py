"""Catalog entry: the BFP block dot product."""

import numpy as np

from ..catalog import UnitSpec, VectorPlan, register
from ..errors import UsageError
from ..models.block import BFPFormat, bfp_dot, bfp_dot_fp32, bfp_quantize, join_codes, split_codes
from ..models.formats import IntFormat, float_format
from ..models.codec import ROUNDINGS
from ..params import RBITS, Param
from ..rtl.bfp_dot import BfpDot
from ..vectors import with_random_bits


def _fmt(cfg):
    return BFPFormat(cfg["k"], cfg["p"])


def _signed(codes, bits):
    return codes - ((codes >> (bits - 1)) & 1) * (1 << bits)


def _pack(e, m, fmt):
    return (e.astype(np.int64) & 0xFF).astype(np.uint64), join_codes(m & ((1 << fmt.p) - 1), fmt.p)


#: Raw shared-exponent codes crossed with every mantissa pair when the plan is exhaustive:
#: zero, +-1, both ends of the signed range.
EXHAUSTIVE_EXPONENTS = (0x00, 0x01, 0xFF, 0x7F, 0x80, 0x81)


def _exhaustive(cfg):
    """Every pair of mantissa blocks, crossed with every pair of :data:`EXHAUSTIVE_EXPONENTS`."""
    fmt = _fmt(cfg)
    bits = 2 * fmt.k * fmt.p
    if bits > 16:
        raise UsageError(f"bfp_dot: exhaustive covers every mantissa pair only when 2*k*p <= 16, here {bits}: "
                         "give --vectors N")
    codes = np.arange(1 << (fmt.k * fmt.p), dtype=np.uint64)
    exps = np.array(EXHAUSTIVE_EXPONENTS, dtype=np.uint64)
    grids = np.meshgrid(exps, exps, codes, codes, indexing="ij")
    return {name: g.ravel() for name, g in zip(("ea", "eb", "a", "b"), grids)}


def _vectors(cfg, plan: VectorPlan):
    blocks = _exhaustive(cfg) if plan.count is None else _random_blocks(cfg, plan)
    if cfg["out"] == "fp32" and cfg["round"] == "sr":
        return with_random_bits(blocks, cfg["rbits"], plan.count is None, plan.seed)
    return blocks


def _random_blocks(cfg, plan: VectorPlan):
    fmt, n = _fmt(cfg), plan.count
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


def _block_inputs(cfg, x, y):
    """Rows of ``x`` and ``y`` converted to BFP blocks (RNE)."""
    fmt = _fmt(cfg)
    out = {}
    for side, data in zip("ab", (x, y)):
        e, m = bfp_quantize(data, fmt)
        out[f"e{side}"], out[side] = _pack(e[:, 0], m.reshape(len(data), fmt.k), fmt)
    return out


def _model(cfg, v):
    fmt = _fmt(cfg)
    ea, eb = _signed(v["ea"].astype(np.int64), 8), _signed(v["eb"].astype(np.int64), 8)
    ma, mb = (_signed(split_codes(v[s], fmt.p, fmt.k), fmt.p) for s in "ab")
    if cfg["out"] == "fp32":
        return {"y": bfp_dot_fp32(ea, ma, eb, mb, fmt, cfg["round"], v.get("r"), cfg["rbits"]).astype(np.uint64)}
    total, exp = bfp_dot(ea, ma, eb, mb, fmt)
    bits = 2 * fmt.p + fmt.k.bit_length()
    return {"y": (total & ((1 << bits) - 1)).astype(np.uint64), "ye": (exp & 0x3FF).astype(np.uint64)}


def _exact(cfg, v):
    """The exact block dot product as float64: the integer sum alone for ``out=int`` (the
    exponent travels on its own port), times its power of two for ``out=fp32``."""
    fmt = _fmt(cfg)
    ea, eb = _signed(v["ea"].astype(np.int64), 8), _signed(v["eb"].astype(np.int64), 8)
    ma, mb = (_signed(split_codes(v[s], fmt.p, fmt.k), fmt.p) for s in "ab")
    total, exp = bfp_dot(ea, ma, eb, mb, fmt)
    if cfg["out"] == "int":
        return total.astype(np.float64)
    return np.ldexp(total.astype(np.float64), exp.astype(np.int32))


register(UnitSpec(
    name="bfp_dot",
    shown=({"k": "16", "p": "4"},),
    doc="BFP block dot product: exact sum of mantissa products with its exponent, or rounded to fp32.",
    params=(
        Param("k", "int", 16, "block size", choices=(2, 4, 8, 16, 32)),
        Param("p", "int", 4, "signed mantissa bits (bfp12: 4, bfp16: 8)", choices=(4, 6, 8)),
        Param("out", "choice", "fp32", "result: exact integer sum + exponent, or fp32", choices=("int", "fp32")),
        Param("round", "choice", "rne", "rounding of the fp32 result (sr: stochastic, rbits random bits on port r)",
              choices=ROUNDINGS, quiet_default=True, only_with=("out", "fp32")),
        RBITS,
    ),
    model=_model,
    component=lambda cfg: BfpDot(_fmt(cfg), cfg["out"], cfg["round"], cfg["rbits"]),
    vectors=_vectors,
    default_vectors=lambda cfg: None if 2 * cfg["k"] * cfg["p"] <= 16 else 100_000,
    block_inputs=_block_inputs,
    role="block",
    macs=lambda cfg: cfg["k"],
    exact=_exact,
    port_formats=lambda cfg: {"y": float_format("fp32")} if cfg["out"] == "fp32" else
    {"y": IntFormat(2 * cfg["p"] + cfg["k"].bit_length())},
    costs={"ops": lambda cfg: [("int_mul", cfg["p"]), ("int_add", 2 * cfg["p"] + cfg["k"].bit_length())] * cfg["k"]
           + ([("int_add", cfg["rbits"])] if cfg["out"] == "fp32" and cfg["round"] == "sr" else [])},
))
