"""Catalog entry: integer adder."""

from ..models.add import int_add
from ..models.formats import IntFormat
from ..rtl.int_add import IntAdd
from ..unit import register
from .int_pair import IntPairUnit


@register
class IntAddUnit(IntPairUnit):
    name = "int_add"
    doc = "Integer adder with carry out: the energy model's calibration anchor."

    def compute(self, inputs):
        return {"y": int_add(self.operands, inputs["a"], inputs["b"]).astype("uint64")}

    def circuit(self):
        return IntAdd(self.operands)

    def port_formats(self):
        return {"a": self.operands, "b": self.operands, "y": IntFormat(self.width + 1, self.signed)}

    def exact(self, v):
        return v["a"] + v["b"]

    def ops(self):
        return [("int_add", self.width)]
