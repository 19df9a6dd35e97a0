"""L-Mul unit: one integer adder over the exponent+mantissa fields, a sign XOR, and the
special-case logic documented in :mod:`arithbench.models.lmul`."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.formats import FloatFormat
from .float_logic import special_code, unpack, with_sign


class LMul(wiring.Component):
    """``y = lmul(a, b)`` in ``fmt``; ``offset`` is the constant in mantissa LSBs."""

    def __init__(self, fmt: FloatFormat, offset: int, sub: str, sat: bool):
        if not (fmt.signed and fmt.subnormals):
            raise ValueError(f"lmul formats must be signed with subnormals, not {fmt.name!r}")
        if sub not in ("flush", "raw"):
            raise ValueError(f"sub must be flush or raw, not {sub!r}")
        self.fmt, self.offset, self.sub, self.sat = fmt, offset, sub, sat
        super().__init__({"a": In(fmt.bits), "b": In(fmt.bits), "y": Out(fmt.bits)})

    def elaborate(self, platform):
        m = Module()
        fmt = self.fmt
        field = fmt.bits - 1
        a = unpack(m, fmt, self.a, "a")
        b = unpack(m, fmt, self.b, "b")
        sign = a.sign ^ b.sign
        total = Signal(signed(field + 3))
        m.d.comb += total.eq(self.a[:field] + self.b[:field] - (fmt.bias << fmt.man_bits) + self.offset)

        zero = a.is_zero | b.is_zero
        if self.sub == "flush":
            zero = zero | (self.a[fmt.man_bits:field] == 0) | (self.b[fmt.man_bits:field] == 0)
        with m.If(a.is_nan | b.is_nan | ((a.is_inf | b.is_inf) & zero)):
            m.d.comb += self.y.eq(special_code(fmt, self.sat, sign, nan=True))
        with m.Elif(a.is_inf | b.is_inf):
            m.d.comb += self.y.eq(special_code(fmt, self.sat, sign, nan=False))
        with m.Elif(zero | (total < (1 << fmt.man_bits))):
            m.d.comb += self.y.eq(with_sign(fmt, sign, 0))
        with m.Elif(total > fmt.max_code):
            m.d.comb += self.y.eq(special_code(fmt, self.sat, sign, nan=False))
        with m.Else():
            m.d.comb += self.y.eq(Cat(total[:field], sign))
        return m
