"""Catalog entry: L-Mul, multiplication by one integer addition."""

from ..catalog import UnitSpec, register
from ..errors import UsageError
from ..models.formats import float_format
from ..models.lmul import SUBNORMAL_POLICIES, lmul, offset_lsbs
from ..params import Param, saturation
from ..rtl.lmul import LMul
from ..vectors import float_pairs


def _check_format(name):
    fmt = float_format(name)
    if not (fmt.signed and fmt.subnormals):
        raise UsageError(f"lmul: format {name!r} has no sign or no subnormals; use a signed ExMy format")


def _check_offset(text):
    if text != "paper" and not (text.isdigit() and int(text) < 1 << 23):
        raise UsageError(f"lmul: parameter offset must be 'paper' or a count of mantissa LSBs, not {text!r}")


def _offset(cfg):
    fmt = float_format(cfg["fmt"])
    off = offset_lsbs(fmt, cfg["offset"])
    if off >= 1 << fmt.man_bits and cfg["offset"] != "paper":
        raise UsageError(f"lmul: offset {off} must be below 2**{fmt.man_bits} for {fmt.name}")
    return off


register(UnitSpec(
    name="lmul",
    shown=({"fmt": "e4m3"}, {"fmt": "e5m2"}),
    studies=("lmul_error",),
    role="multiplier",
    doc="L-Mul: a*b approximated by adding the exponent+mantissa fields (Luo & Sun 2024).",
    params=(
        Param("fmt", "format", "e4m3", "operand and result format", check=_check_format),
        Param("offset", "text", "paper", "constant added, in mantissa LSBs (paper: 2**(m-l(m)))",
              check=_check_offset, hint="paper, or a whole number below 2**m"),
        Param("sub", "choice", "flush", "subnormal operands: flush to zero, or raw bit fields",
              choices=SUBNORMAL_POLICIES),
        saturation("overflow and inf to +-max (else inf/NaN by the format)"),
    ),
    model=lambda cfg, inputs: {"y": lmul(float_format(cfg["fmt"]), inputs["a"], inputs["b"],
                                         offset=_offset(cfg), sub=cfg["sub"], sat=cfg["sat"])},
    component=lambda cfg: LMul(float_format(cfg["fmt"]), _offset(cfg), cfg["sub"], cfg["sat"]),
    vectors=lambda cfg, plan: float_pairs(float_format(cfg["fmt"]), plan.count, plan.seed),
    default_vectors=lambda cfg: None if float_format(cfg["fmt"]).bits <= 8 else 1_000_000,
    grid=lambda cfg: {"a": float_format(cfg["fmt"]).bits, "b": float_format(cfg["fmt"]).bits},
    port_formats=lambda cfg: {p: float_format(cfg["fmt"]) for p in ("a", "b", "y")},
    exact=lambda cfg, v: v["a"] * v["b"],
    costs={"ops": lambda cfg: [("int_add", float_format(cfg["fmt"]).bits - 1)]},  # + sign XOR, ~0
    check=_offset,
))
