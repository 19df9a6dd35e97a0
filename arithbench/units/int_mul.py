"""Catalog entry: integer multiplier."""

from ..catalog import UnitSpec, register
from ..params import Param
from ..models.formats import IntFormat
from ..models.mul import int_mul
from ..rtl.int_mul import IntMul
from ..vectors import int_pairs


def _fmt(cfg):
    return IntFormat(cfg["width"], cfg["signed"])


register(UnitSpec(
    name="int_mul",
    shown=({"width": "8"},),
    role="multiplier",
    doc="Integer multiplier: full 2*width-bit product, signed or unsigned.",
    params=(
        Param("width", "int", 8, "operand width in bits", choices=(4, 8, 16)),
        Param("signed", "bool", True, "two's complement operands", choices=("unsigned", "signed")),
    ),
    model=lambda cfg, inputs: {"y": int_mul(_fmt(cfg), inputs["a"], inputs["b"]).astype("uint64")},
    component=lambda cfg: IntMul(_fmt(cfg)),
    vectors=lambda cfg, plan: int_pairs(cfg["width"], plan.count, plan.seed),
    default_vectors=lambda cfg: None if cfg["width"] <= 8 else 1_000_000,
    grid=lambda cfg: {"a": cfg["width"], "b": cfg["width"]},
    port_formats=lambda cfg: {"a": _fmt(cfg), "b": _fmt(cfg), "y": IntFormat(2 * cfg["width"], cfg["signed"])},
    exact=lambda cfg, v: v["a"] * v["b"],
    costs={"ops": lambda cfg: [("int_mul", cfg["width"])]},
))
