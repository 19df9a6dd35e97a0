"""Float multiplier: exact significand product, one rounding into the output format."""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.formats import FloatFormat
from ..models.rounding import Rounding
from .float_logic import EXP_WIDTH, random_bits, random_ports, round_and_pack, unpack


class FpMul(wiring.Component):
    """``y = round(a * b)``; ``a``, ``b`` in ``fmt``, ``y`` in ``out``; a stochastic rounding adds
    an input ``r`` of its random bits.

    The significands multiply exactly; :func:`round_and_pack` rounds once, so the unit matches
    :func:`arithbench.models.mul.fp_mul` bit for bit, NaN and overflow policy included.
    """

    def __init__(self, fmt: FloatFormat, out: FloatFormat, rounding: Rounding, sat: bool):
        for f in (fmt, out):
            if not (f.signed and f.subnormals):
                raise ValueError(f"fp_mul formats must be signed with subnormals, not {f.name!r}")
        self.fmt, self.out, self.rounding, self.sat = fmt, out, rounding, sat
        super().__init__({"a": In(fmt.bits), "b": In(fmt.bits), "y": Out(out.bits), **random_ports(rounding)})

    def elaborate(self, platform):
        m = Module()
        fmt, out = self.fmt, self.out
        a = unpack(m, fmt, self.a, "a")
        b = unpack(m, fmt, self.b, "b")
        sign = a.sign ^ b.sign
        product = Signal(2 * fmt.man_bits + 2)
        exp = Signal(signed(EXP_WIDTH))
        m.d.comb += [
            product.eq(a.sig * b.sig),
            exp.eq(a.exp + b.exp - 2 * fmt.man_bits),
        ]
        nan = a.is_nan | b.is_nan | (a.is_inf & b.is_zero) | (b.is_inf & a.is_zero)
        m.d.comb += self.y.eq(round_and_pack(m, out, sign=sign, sig=product, exp=exp, rounding=self.rounding,
                                             sat=self.sat, name="p", random=random_bits(self, self.rounding),
                                             nan=nan, inf=a.is_inf | b.is_inf))
        return m
