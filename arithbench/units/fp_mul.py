"""Catalog entry: float multiplier."""

from ..errors import UsageError
from ..models.codec import ROUNDINGS
from ..models.formats import float_format
from ..models.mul_table import fp_mul
from ..models.rounding import Mode
from ..params import RBITS, Param, saturation
from ..rtl.fp_mul import FpMul
from ..unit import UnitConfig, register
from ..vectors import float_pairs


def _check_format(name):
    fmt = float_format(name)
    if not (fmt.signed and fmt.subnormals):
        raise UsageError(f"fp_mul: format {name!r} has no sign or no subnormals; use a signed ExMy format")


@register
class FpMulUnit(UnitConfig):
    name = "fp_mul"
    doc = "Float multiplier: exact product of two fmt codes, rounded once into out."
    role = "multiplier"
    shown = ({"fmt": "e4m3"}, {"fmt": "e5m2"})
    params = (
        Param("fmt", "format", "e4m3", "operand format", check=_check_format),
        Param("out", "format", None, "result format (default: fmt)", default_from="fmt", check=_check_format),
        Param("round", "choice", Mode.RNE, "rounding mode (sr: stochastic, rbits random bits on port r)",
              choices=ROUNDINGS),
        RBITS,
        saturation("saturate overflow and inf to +-max (OCP saturating mode); else IEEE: inf, or NaN "
                   "where the format has no inf"),
    )

    def compute(self, inputs):
        r = self.rounding
        return {"y": fp_mul(self.fmt, self.out, inputs["a"], inputs["b"], rounding=r.mode, sat=self.sat,
                            random=r.random(inputs), rbits=r.rbits)}

    def circuit(self):
        return FpMul(self.fmt, self.out, self.rounding, self.sat)

    def make_vectors(self, plan):
        return self.rounding.with_random_bits(float_pairs(self.fmt, plan.count, plan.seed), plan.count is None, plan.seed)

    def default_count(self):
        return None if self.fmt.bits <= 8 else 1_000_000

    def input_grid(self):
        return None if self.rounding.stochastic else {"a": self.fmt.bits, "b": self.fmt.bits}

    def port_formats(self):
        return {"a": self.fmt, "b": self.fmt, "y": self.out}

    def exact(self, v):
        return v["a"] * v["b"]

    def ops(self):
        """Significand multiply, exponent add, normalisation and rounding add (and the random-bit add)."""
        fmt, out = self.fmt, self.out
        ops = [("int_mul", fmt.man_bits + 1), ("int_add", fmt.exp_bits + 1), ("int_add", out.man_bits + 2)]
        return ops + self.rounding.ops()
