"""Pipelined variant of any combinational unit: ``stages`` registers behind its outputs.

``Pipelined(unit, stages)`` has the unit's ports and a clock (the ``sync`` domain, ``clk``);
every output passes through ``stages`` registers, so it appears ``stages`` rising edges after
its inputs. The registers have no reset (``reset_less``): plain flip-flops that synthesis may
retime into the logic (Yosys ``abc -dff``, see :mod:`arithbench.reports.area`), which is what
balances the stages; the RTL places them all at the end.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out


class Pipelined(wiring.Component):
    def __init__(self, unit: wiring.Component, stages: int):
        if stages < 1:
            raise ValueError(f"stages must be at least 1, not {stages!r}")
        self.unit, self.stages = unit, stages
        members = unit.signature.members
        super().__init__({n: (In if m.flow == In else Out)(m.shape) for n, m in members.items()})

    def elaborate(self, platform):
        m = Module()
        m.submodules.unit = unit = self.unit
        for name, member in self.unit.signature.members.items():
            if member.flow == In:
                m.d.comb += getattr(unit, name).eq(getattr(self, name))
                continue
            value = getattr(unit, name)
            for i in range(self.stages):
                reg = Signal(member.shape, name=f"{name}_stage{i + 1}", reset_less=True)
                m.d.sync += reg.eq(value)
                value = reg
            m.d.comb += getattr(self, name).eq(value)
        return m
