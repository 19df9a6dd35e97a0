"""Catalog entry: integer multiplier."""

from ..models.formats import IntFormat
from ..models.mul import int_mul
from ..rtl.int_mul import IntMul
from ..unit import register
from .int_pair import IntPairUnit


@register
class IntMulUnit(IntPairUnit):
    name = "int_mul"
    doc = "Integer multiplier: full 2*width-bit product, signed or unsigned."
    role = "multiplier"
    shown = ({"width": "8"},)

    def compute(self, inputs):
        return {"y": int_mul(self.operands, inputs["a"], inputs["b"]).astype("uint64")}

    def circuit(self):
        return IntMul(self.operands)

    def port_formats(self):
        return {"a": self.operands, "b": self.operands, "y": IntFormat(2 * self.width, self.signed)}

    def exact(self, v):
        return v["a"] * v["b"]

    def ops(self):
        return [("int_mul", self.width)]
