"""Clocked variant of any accumulate unit: the accumulator input ``c`` becomes a register.

``Accumulating(unit)`` keeps every input of ``unit`` but ``c`` and adds ``valid``. On each
rising edge with ``valid`` the register takes ``unit.y`` (``c`` = the register), so a stream
of operand pairs computes a dot product. With ``bound`` > 0 the partial sum is moved out after
``bound`` accumulations, as Das et al. do to keep INT32 accumulators from overflowing: that
edge loads ``spill`` with the new sum, pulses ``spill_valid`` and clears the register.
Reset (synchronous ``rst``) clears everything. Outputs other than ``y`` (``ovf``) are
registered with the accumulation that produced them.
"""

from __future__ import annotations

from amaranth.hdl import Module, Shape, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out


class Accumulating(wiring.Component):
    def __init__(self, unit: wiring.Component, bound: int = 0):
        if bound < 0:
            raise ValueError(f"bound must be 0 (never spill) or positive, not {bound!r}")
        self.unit, self.bound = unit, bound
        members = unit.signature.members
        self.acc_width = Shape.cast(members["c"].shape).width
        self.inputs = [n for n, m in members.items() if m.flow == In and n != "c"]
        self.flags = [n for n, m in members.items() if m.flow == Out and n != "y"]
        ports = {"valid": In(1), **{n: In(members[n].shape) for n in self.inputs}, "y": Out(self.acc_width)}
        ports.update({n: Out(members[n].shape) for n in self.flags})
        if bound:
            ports.update({"spill": Out(self.acc_width), "spill_valid": Out(1)})
        super().__init__(ports)

    def elaborate(self, platform):
        m = Module()
        m.submodules.unit = unit = self.unit
        m.d.comb += [getattr(unit, n).eq(getattr(self, n)) for n in self.inputs]
        m.d.comb += unit.c.eq(self.y)
        if self.bound:
            count = Signal(range(self.bound + 1))
            m.d.sync += self.spill_valid.eq(0)
        with m.If(self.valid):
            m.d.sync += [getattr(self, n).eq(getattr(unit, n)) for n in self.flags]
            if self.bound:
                with m.If(count == self.bound - 1):
                    m.d.sync += [self.spill.eq(unit.y), self.spill_valid.eq(1), self.y.eq(0), count.eq(0)]
                with m.Else():
                    m.d.sync += [self.y.eq(unit.y), count.eq(count + 1)]
            else:
                m.d.sync += self.y.eq(unit.y)
        return m
