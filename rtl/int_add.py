"""Integer adder, the energy model's calibration anchor (Horowitz: 8-bit add = 0.03 pJ)."""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.formats import IntFormat


class IntAdd(wiring.Component):
    """``y = a + b`` with ``width + 1`` result bits (two's complement when ``signed``)."""

    def __init__(self, fmt: IntFormat):
        self.fmt = fmt
        super().__init__({"a": In(fmt.bits), "b": In(fmt.bits), "y": Out(fmt.bits + 1)})

    def elaborate(self, platform):
        m = Module()
        if self.fmt.signed:
            m.d.comb += self.y.eq(self.a.as_signed() + self.b.as_signed())
        else:
            m.d.comb += self.y.eq(self.a + self.b)
        return m
