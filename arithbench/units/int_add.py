"""Catalog entry: integer adder."""

from ..catalog import UnitSpec, register
from ..models.add import int_add
from ..models.formats import IntFormat
from ..params import Param
from ..rtl.int_add import IntAdd
from ..vectors import int_pairs


def _fmt(cfg):
    return IntFormat(cfg["width"], cfg["signed"])


register(UnitSpec(
    name="int_add",
    doc="Integer adder with carry out: the energy model's calibration anchor.",
    params=(
        Param("width", "int", 8, "operand width in bits", choices=(4, 8, 16)),
        Param("signed", "bool", True, "two's complement operands", choices=("unsigned", "signed")),
    ),
    model=lambda cfg, inputs: {"y": int_add(_fmt(cfg), inputs["a"], inputs["b"]).astype("uint64")},
    component=lambda cfg: IntAdd(_fmt(cfg)),
    vectors=lambda cfg, plan: int_pairs(cfg["width"], plan.count, plan.seed),
    default_vectors=lambda cfg: None if cfg["width"] <= 8 else 1_000_000,
    grid=lambda cfg: {"a": cfg["width"], "b": cfg["width"]},
    port_formats=lambda cfg: {"a": _fmt(cfg), "b": _fmt(cfg), "y": IntFormat(cfg["width"] + 1, cfg["signed"])},
    exact=lambda cfg, v: v["a"] + v["b"],
    costs={"ops": lambda cfg: [("int_add", cfg["width"])]},
))
