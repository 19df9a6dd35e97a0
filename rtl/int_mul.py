"""Integer multiplier with the full double-width product."""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.formats import IntFormat


class IntMul(wiring.Component):
    """``y = a * b``, ``2 * width`` bits, two's complement when ``signed``."""

    def __init__(self, fmt: IntFormat):
        self.fmt = fmt
        super().__init__({"a": In(fmt.bits), "b": In(fmt.bits), "y": Out(2 * fmt.bits)})

    def elaborate(self, platform):
        m = Module()
        if self.fmt.signed:
            m.d.comb += self.y.eq(self.a.as_signed() * self.b.as_signed())
        else:
            m.d.comb += self.y.eq(self.a * self.b)
        return m
