"""Catalog entry: float multiplier."""

from ..errors import UsageError
from ..catalog import UnitSpec, register
from ..params import RBITS, Param, saturation
from ..models.codec import ROUNDINGS
from ..models.formats import float_format
from ..models.mul import fp_mul
from ..rtl.fp_mul import FpMul
from ..vectors import float_pairs, with_random_bits


def _check_format(name):
    fmt = float_format(name)
    if not (fmt.signed and fmt.subnormals):
        raise UsageError(f"fp_mul: format {name!r} has no sign or no subnormals; use a signed ExMy format")


def _model(cfg, inputs):
    fmt, out = float_format(cfg["fmt"]), float_format(cfg["out"])
    return {"y": fp_mul(fmt, out, inputs["a"], inputs["b"], rounding=cfg["round"], sat=cfg["sat"],
                        random=inputs.get("r"), rbits=cfg["rbits"])}


def _vectors(cfg, plan):
    pairs = float_pairs(float_format(cfg["fmt"]), plan.count, plan.seed)
    return with_random_bits(pairs, cfg["rbits"], plan.count is None, plan.seed) if cfg["round"] == "sr" else pairs


def _ops(cfg):
    """Significand multiply, exponent add, normalisation and rounding add (and the random-bit add)."""
    fmt, out = float_format(cfg["fmt"]), float_format(cfg["out"])
    ops = [("int_mul", fmt.man_bits + 1), ("int_add", fmt.exp_bits + 1), ("int_add", out.man_bits + 2)]
    return ops + [("int_add", cfg["rbits"])] if cfg["round"] == "sr" else ops


register(UnitSpec(
    name="fp_mul",
    shown=({"fmt": "e4m3"}, {"fmt": "e5m2"}),
    role="multiplier",
    doc="Float multiplier: exact product of two fmt codes, rounded once into out.",
    params=(
        Param("fmt", "format", "e4m3", "operand format", check=_check_format),
        Param("out", "format", None, "result format (default: fmt)", default_from="fmt", check=_check_format),
        Param("round", "choice", "rne", "rounding mode (sr: stochastic, rbits random bits on port r)",
              choices=ROUNDINGS),
        RBITS,
        saturation("saturate overflow and inf to +-max (OCP saturating mode); else IEEE: inf, or NaN "
                   "where the format has no inf"),
    ),
    model=_model,
    component=lambda cfg: FpMul(float_format(cfg["fmt"]), float_format(cfg["out"]), cfg["round"], cfg["sat"],
                                cfg["rbits"]),
    vectors=_vectors,
    default_vectors=lambda cfg: None if float_format(cfg["fmt"]).bits <= 8 else 1_000_000,
    grid=lambda cfg: None if cfg["round"] == "sr" else {"a": float_format(cfg["fmt"]).bits,
                                                        "b": float_format(cfg["fmt"]).bits},
    port_formats=lambda cfg: {"a": float_format(cfg["fmt"]), "b": float_format(cfg["fmt"]),
                              "y": float_format(cfg["out"])},
    exact=lambda cfg, v: v["a"] * v["b"],
    costs={"ops": _ops},
))
