"""Integer multiply-accumulate components with an INT32 accumulator (wrap or saturate)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

LOW, HIGH = -(1 << 31), (1 << 31) - 1


class IntDotAcc(wiring.Component):
    """``y = c + sum(a_i * b_i)`` over ``pairs`` signed ``width``-bit operand pairs, INT32 ``c``
    and ``y``, wrapping or saturating (``sat``); ``ovf`` flags an exact sum outside INT32.

    Port names: one pair is ``a``, ``b``; several are ``a0``, ``b0``, ``a1``, ``b1``, ...
    """

    def __init__(self, width: int, pairs: int, sat: bool):
        self.width, self.pairs, self.sat = width, pairs, sat
        names = ["a", "b"] if pairs == 1 else [f"{x}{i}" for i in range(pairs) for x in "ab"]
        self.operand_names = names
        super().__init__({**{n: In(width) for n in names}, "c": In(32), "y": Out(32), "ovf": Out(1)})

    def elaborate(self, platform):
        m = Module()
        exact = Signal(signed(34 + 2 * self.width))
        ops = [getattr(self, n).as_signed() for n in self.operand_names]
        total = self.c.as_signed()
        for i in range(self.pairs):
            total = total + ops[2 * i] * ops[2 * i + 1]
        m.d.comb += exact.eq(total)
        over = (exact < LOW) | (exact > HIGH)
        m.d.comb += self.ovf.eq(over)
        if self.sat:
            m.d.comb += self.y.eq(Mux(exact < LOW, LOW, Mux(exact > HIGH, HIGH, exact)))
        else:
            m.d.comb += self.y.eq(exact)
        return m
