"""BFP block dot product: exact integer sum of the mantissa products, plus an exponent, or
that value rounded once to fp32 (:func:`arithbench.models.block.bfp_dot`)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.block import BFPFormat
from ..models.formats import float_format
from ..models.rounding import Mode, Rounding
from .float_logic import EXP_WIDTH, random_bits, random_ports, round_and_pack


class BfpDot(wiring.Component):
    """Ports: ``ea``, ``eb`` (signed shared exponents), ``a``, ``b`` (``k`` signed ``p``-bit
    mantissas packed, mantissa ``j`` at bits ``[j*p, (j+1)*p)``); ``out="int"``: ``y`` the
    signed sum and ``ye`` the exponent of its LSB; ``out="fp32"``: ``y`` an fp32 code, rounded
    by ``rounding`` (a stochastic one's random bits on ``r``); an exact zero is +0 (-0 under
    ``rdn`` when non-zero products cancel)."""

    def __init__(self, fmt: BFPFormat, out: str, rounding: Rounding = Rounding(Mode.RNE)):
        if out not in ("int", "fp32"):
            raise ValueError(f"out must be int or fp32, not {out!r}")
        self.fmt, self.out, self.rounding = fmt, out, rounding
        self.sum_bits = 2 * fmt.p + fmt.k.bit_length()
        e = fmt.exp_bits
        ports = {"ea": In(e), "eb": In(e), "a": In(fmt.k * fmt.p), "b": In(fmt.k * fmt.p)}
        if out == "int":
            ports.update({"y": Out(self.sum_bits), "ye": Out(e + 2)})
        else:
            ports.update({"y": Out(32), **random_ports(rounding)})
        super().__init__(ports)

    def elaborate(self, platform):
        m = Module()
        p, k = self.fmt.p, self.fmt.k
        products = [self.a[j * p:(j + 1) * p].as_signed() * self.b[j * p:(j + 1) * p].as_signed() for j in range(k)]
        total = Signal(signed(self.sum_bits), name="total")
        m.d.comb += total.eq(sum(products[1:], products[0]))
        exp = Signal(signed(EXP_WIDTH), name="lsb_exp")
        m.d.comb += exp.eq(self.ea.as_signed() + self.eb.as_signed() - 2 * (p - 2))
        if self.out == "int":
            m.d.comb += [self.y.eq(total), self.ye.eq(exp)]
            return m
        magnitude = Signal(self.sum_bits, name="magnitude")
        m.d.comb += magnitude.eq(Mux(total < 0, -total, total))
        cancelled = (total == 0) & Cat(*[(self.a[j * p:(j + 1) * p] != 0) & (self.b[j * p:(j + 1) * p] != 0)
                                          for j in range(k)]).any()
        sign = (total < 0) | (cancelled if self.rounding.mode is Mode.RDN else 0)
        m.d.comb += self.y.eq(round_and_pack(m, float_format("fp32"), sign=sign, sig=magnitude, exp=exp,
                                             rounding=self.rounding, sat=False, name="dot",
                                             random=random_bits(self, self.rounding)))
        return m
