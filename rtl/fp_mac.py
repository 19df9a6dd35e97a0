"""Float multiply-accumulate units: ``y = round_acc(c + product)``, one rounding per step.

The accumulate datapath is a classic single-path FMA adder: the operand whose leading bit is
higher is placed at the top of a window of ``acc significand + product significand + 3`` bits,
the other is shifted right into it with a sticky bit, the two are added or subtracted exactly,
and :func:`round_and_pack` rounds once. Bits can only fall below the window when the operands
are far apart, and then the result's rounding point lies well above the sticky bit, so the
rounding is exact (matches :mod:`arithbench.models.fpmac` bit for bit).
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Cat, Const, Module, Mux, Signal, Value, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.formats import FloatFormat
from ..models.rounding import Mode, Rounding
from .float_logic import (EXP_WIDTH, leading_one, random_bits, random_ports, round_and_pack, shift_right_sticky,
                          unpack)
from .lmul import LMul


@dataclass
class Term:
    """An exact finite value ``(-1)**sign * sig * 2**exp`` plus its special-value flags."""

    sign: Value
    sig: Value
    exp: Value
    is_zero: Value
    is_inf: Value
    is_nan: Value


def accumulate(m: Module, acc: FloatFormat, c_code: Value, p: Term, *, rounding: Rounding, sat: bool,
               random: Value | None = None) -> Signal:
    """The code of ``round_acc(c + p)``; see the module docstring. Stochastic rounding reads
    ``len(random)`` bits below the result's LSB, so the window grows by as many bits: the
    sticky bit then stays below every bit the random bits are added to."""
    c = unpack(m, acc, c_code, "c")
    c_sig_exp = Signal(signed(EXP_WIDTH), name="c_lsb")
    m.d.comb += c_sig_exp.eq(c.exp - acc.man_bits)
    terms = [(c.sign, c.sig, c_sig_exp, c.is_zero), (p.sign, p.sig, p.exp, p.is_zero)]
    window = len(c.sig) + len(p.sig) + 3 + (len(random) if random is not None else 0)

    normed, tops = [], []
    for i, (sign, sig, exp, _) in enumerate(terms):
        lead = leading_one(m, sig, f"t{i}_lead")
        top = Signal(signed(EXP_WIDTH), name=f"t{i}_top")
        norm = Signal(window, name=f"t{i}_norm")
        up = Signal(range(window), name=f"t{i}_up")
        m.d.comb += [top.eq(exp + lead), up.eq(window - 1 - lead), norm.eq((sig << up)[:window])]
        normed.append(norm)
        tops.append(top)

    c_big = Signal(name="c_big")
    m.d.comb += c_big.eq(~c.is_zero & (p.is_zero | (tops[0] >= tops[1])))
    big, small = (Signal(window, name=n) for n in ("big", "small"))
    top_big, top_small = (Signal(signed(EXP_WIDTH), name=n) for n in ("top_big", "top_small"))
    sign_big, sign_small, small_zero = Signal(name="sign_big"), Signal(name="sign_small"), Signal(name="small_zero")
    m.d.comb += [
        big.eq(Mux(c_big, normed[0], normed[1])), small.eq(Mux(c_big, normed[1], normed[0])),
        top_big.eq(Mux(c_big, tops[0], tops[1])), top_small.eq(Mux(c_big, tops[1], tops[0])),
        sign_big.eq(Mux(c_big, c.sign, p.sign)), sign_small.eq(Mux(c_big, p.sign, c.sign)),
        small_zero.eq(Mux(c_big, p.is_zero, c.is_zero)),
    ]

    span = window + 2
    distance = Signal(signed(EXP_WIDTH), name="distance")
    m.d.comb += distance.eq(top_big - top_small)
    aligned, lost = shift_right_sticky(m, Cat(Const(0, 2), small), distance, "align")
    small_term = Signal(span, name="small_term")
    m.d.comb += small_term.eq(Mux(small_zero, 0, aligned | lost))

    total = Signal(signed(span + 2), name="total")
    big_ext = Cat(Const(0, 2), big)
    m.d.comb += total.eq(Mux(sign_big == sign_small, big_ext + small_term, big_ext - small_term))
    negative = total < 0
    magnitude = Signal(span + 1, name="magnitude")
    m.d.comb += magnitude.eq(Mux(negative, -total, total))
    sign = Signal(name="sum_sign")
    both_zero = c.is_zero & p.is_zero
    down = rounding.mode is Mode.RDN  # an exact zero sum is -0 when rounding down (IEEE 754 6.3)
    zero_sign = (c.sign | p.sign) if down else (c.sign & p.sign)
    with m.If(magnitude == 0):
        m.d.comb += sign.eq(Mux(both_zero, zero_sign, int(down)))
    with m.Else():
        m.d.comb += sign.eq(sign_big ^ negative)
    lsb_exp = Signal(signed(EXP_WIDTH), name="sum_lsb")
    m.d.comb += lsb_exp.eq(top_big - (window - 1) - 2)
    code = Signal(acc.bits, name="acc_code")
    m.d.comb += code.eq(round_and_pack(m, acc, sign=sign, sig=magnitude, exp=lsb_exp, rounding=rounding, sat=sat,
                                       name="s", random=random,
                                       nan=c.is_nan | p.is_nan | (c.is_inf & p.is_inf & (c.sign != p.sign)),
                                       inf=c.is_inf | p.is_inf, inf_sign=Mux(c.is_inf, c.sign, p.sign)))
    return code


def _ports(fmt: FloatFormat, acc: FloatFormat, rounding: Rounding) -> dict:
    return {"a": In(fmt.bits), "b": In(fmt.bits), "c": In(acc.bits), "y": Out(acc.bits), **random_ports(rounding)}


class FpMac(wiring.Component):
    """``y = round_acc(c + a*b)``: exact ``fmt`` product, accumulator ``c``/``y`` in ``acc``;
    a stochastic rounding adds an input ``r`` of its random bits."""

    def __init__(self, fmt: FloatFormat, acc: FloatFormat, rounding: Rounding, sat: bool):
        self.fmt, self.acc, self.rounding, self.sat = fmt, acc, rounding, sat
        super().__init__(_ports(fmt, acc, rounding))

    def elaborate(self, platform):
        m = Module()
        fmt = self.fmt
        a, b = unpack(m, fmt, self.a, "a"), unpack(m, fmt, self.b, "b")
        sig, exp = Signal(2 * fmt.man_bits + 2, name="p_sig"), Signal(signed(EXP_WIDTH), name="p_lsb")
        m.d.comb += [sig.eq(a.sig * b.sig), exp.eq(a.exp + b.exp - 2 * fmt.man_bits)]
        product = Term(a.sign ^ b.sign, sig, exp, a.is_zero | b.is_zero, a.is_inf | b.is_inf,
                       a.is_nan | b.is_nan | (a.is_inf & b.is_zero) | (b.is_inf & a.is_zero))
        m.d.comb += self.y.eq(accumulate(m, self.acc, self.c, product, rounding=self.rounding, sat=self.sat,
                                         random=random_bits(self, self.rounding)))
        return m


class LMulMac(wiring.Component):
    """``y = round_acc(c + lmul(a, b))``: the L-Mul unit (saturating) feeding the accumulator."""

    def __init__(self, fmt: FloatFormat, acc: FloatFormat, offset: int, sub: str, rounding: Rounding, sat: bool):
        self.fmt, self.acc, self.offset, self.sub, self.rounding, self.sat = fmt, acc, offset, sub, rounding, sat
        super().__init__(_ports(fmt, acc, rounding))

    def elaborate(self, platform):
        m = Module()
        m.submodules.lmul = mul = LMul(self.fmt, self.offset, self.sub, True)
        m.d.comb += [mul.a.eq(self.a), mul.b.eq(self.b)]
        p = unpack(m, self.fmt, mul.y, "p")
        exp = Signal(signed(EXP_WIDTH), name="p_lsb")
        m.d.comb += exp.eq(p.exp - self.fmt.man_bits)
        product = Term(p.sign, p.sig, exp, p.is_zero, p.is_inf, p.is_nan)
        m.d.comb += self.y.eq(accumulate(m, self.acc, self.c, product, rounding=self.rounding, sat=self.sat,
                                         random=random_bits(self, self.rounding)))
        return m

