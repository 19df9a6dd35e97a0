"""Catalog entry: L-Mul, multiplication by one integer addition."""

from ..errors import UsageError
from ..models.formats import float_format
from ..models.lmul import SUBNORMAL_POLICIES, lmul, offset_lsbs
from ..params import Param, saturation
from ..rtl.lmul import LMul
from ..unit import UnitConfig, register
from ..vectors import float_pairs


def _check_format(name):
    fmt = float_format(name)
    if not (fmt.signed and fmt.subnormals):
        raise UsageError(f"lmul: format {name!r} has no sign or no subnormals; use a signed ExMy format")


def _check_offset(text):
    if text != "paper" and not (text.isdigit() and int(text) < 1 << 23):
        raise UsageError(f"lmul: parameter offset must be 'paper' or a count of mantissa LSBs, not {text!r}")


@register
class LMulUnit(UnitConfig):
    name = "lmul"
    doc = "L-Mul: a*b approximated by adding the exponent+mantissa fields (Luo & Sun 2024)."
    role = "multiplier"
    shown = ({"fmt": "e4m3"}, {"fmt": "e5m2"})
    studies = ("lmul_error",)
    params = (
        Param("fmt", "format", "e4m3", "operand and result format", check=_check_format),
        Param("offset", "text", "paper", "constant added, in mantissa LSBs (paper: 2**(m-l(m)))",
              check=_check_offset, hint="paper, or a whole number below 2**m"),
        Param("sub", "choice", "flush", "subnormal operands: flush to zero, or raw bit fields",
              choices=SUBNORMAL_POLICIES),
        saturation("overflow and inf to +-max (else inf/NaN by the format)"),
    )

    @property
    def offset_lsbs(self) -> int:
        return offset_lsbs(self.fmt, self.offset)

    def check(self):
        if self.offset != "paper" and self.offset_lsbs >= 1 << self.fmt.man_bits:
            raise UsageError(f"lmul: offset {self.offset_lsbs} must be below 2**{self.fmt.man_bits} for {self.fmt.name}")

    def compute(self, inputs):
        return {"y": lmul(self.fmt, inputs["a"], inputs["b"], offset=self.offset_lsbs, sub=self.sub, sat=self.sat)}

    def circuit(self):
        return LMul(self.fmt, self.offset_lsbs, self.sub, self.sat)

    def make_vectors(self, plan):
        return float_pairs(self.fmt, plan.count, plan.seed)

    def default_count(self):
        return None if self.fmt.bits <= 8 else 1_000_000

    def input_grid(self):
        return {"a": self.fmt.bits, "b": self.fmt.bits}

    def port_formats(self):
        return {p: self.fmt for p in ("a", "b", "y")}

    def exact(self, v):
        return v["a"] * v["b"]

    def ops(self):
        return [("int_add", self.fmt.bits - 1)]  # + the sign XOR, ~0
