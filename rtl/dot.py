"""The k-term dot-product unit, written from the definition in :mod:`arithbench.models.dot`.

Datapath. Each element pair is multiplied as significands (an integer element is its
magnitude); with ``nvfp4`` scales the two e4m3 scale significands multiply every product, and
scale exponents add to every product's exponent.

* ``sum=exact``: the element products are shifted to the smallest product LSB and added in
  one signed adder as wide as the exact sum; the scales multiply the sum once (a power of two
  for MX only moves its exponent); the single-path FMA adder of
  :func:`arithbench.rtl.fp_mac.accumulate` adds ``c`` and rounds once.
* ``sum=window``: every non-zero term's leading-one exponent (its LSB exponent plus a leading-one
  detector on its significand; ``c`` is a term too) goes into a tree of maxima, ``E``; each
  significand, extended by W zero bits, is shifted right by ``E - LSB + 1`` with a sticky bit
  (truncated, or rounded to nearest even for ``align=rne``), so that it keeps at most W bits
  above the quantum ``2**(E - W + 1)``; the cut terms are added in one signed adder of
  ``W + 2 + log2(k + 1)`` bits and :func:`round_and_pack` rounds once.
* ``acc=int32``: a signed sum of the integer products and ``c``, wrapped or saturated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal, Value, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.codec import split
from ..models.dot import FP32, INT_ELEMENTS, MXINT8_LSB, SCALES, element, exact_width, lookup_codes
from ..models.formats import LOOKUP_FORMATS, float_format
from ..models.rounding import Mode, Rounding
from .fp_mac import Term, accumulate
from .float_logic import EXP_WIDTH, leading_one, random_bits, random_ports, round_and_pack, shift_right_sticky, unpack


@dataclass
class Operand:
    """One element or scale: ``|value| = sig * 2**lsb``, and its special-value flags."""

    sign: Value
    sig: Value
    lsb: Value  # exponent of sig's LSB
    offset: Value  # lsb above the format's smallest lsb (0 for integers)
    is_zero: Value
    is_inf: Value
    is_nan: Value


def _operand(m: Module, name: str, code: Value, scale: str, label: str) -> Operand:
    if name in INT_ELEMENTS:
        value = code.as_signed()
        magnitude = Signal(len(code), name=f"{label}_mag")
        m.d.comb += magnitude.eq(Mux(value < 0, -value, value))
        lsb = MXINT8_LSB if scale == "mx" else 0
        return Operand(code[-1], magnitude, Const(lsb, signed(EXP_WIDTH)), Const(0, 1), code == 0,
                       Const(0, 1), Const(0, 1))
    if name == "e8m0":
        lsb = Signal(signed(EXP_WIDTH), name=f"{label}_exp")
        m.d.comb += lsb.eq(code - 127)
        return Operand(Const(0, 1), Const(1, 1), lsb, Const(0, 1), Const(0, 1), Const(0, 1), code == 255)
    if name in LOOKUP_FORMATS:  # NF4: a table of its float32 values' sign, significand and LSB
        negative, sigs, exps, _, _ = split(FP32, lookup_codes(name))
        smallest = element(name).lsb_exp
        offsets = np.where(sigs != 0, exps - smallest, 0)
        sig, offset = Signal(FP32.man_bits + 1, name=f"{label}_sig"), Signal(range(int(offsets.max()) + 1),
                                                                          name=f"{label}_off")
        lsb = Signal(signed(EXP_WIDTH), name=f"{label}_lsb")
        m.d.comb += [sig.eq(Array(Const(int(v), len(sig)) for v in sigs)[code]),
                     offset.eq(Array(Const(int(v), len(offset)) for v in offsets)[code]), lsb.eq(offset + smallest)]
        return Operand(Array(Const(int(v), 1) for v in negative)[code], sig, lsb, offset, sig == 0, Const(0, 1),
                       Const(0, 1))
    fmt = float_format(name)
    u = unpack(m, fmt, code, label)
    lsb, offset = Signal(signed(EXP_WIDTH), name=f"{label}_lsb"), Signal(range(fmt.exp_max_code + 1),
                                                                         name=f"{label}_off")
    m.d.comb += [lsb.eq(u.exp - fmt.man_bits), offset.eq(u.exp - fmt.emin)]
    return Operand(u.sign, u.sig, lsb, offset, u.is_zero, u.is_inf, u.is_nan)


def _max_tree(m: Module, keys: list[Value], name: str) -> Value:
    """The largest of ``keys`` (signed), by a balanced tree of comparators."""
    level = 0
    while len(keys) > 1:
        paired = []
        for i in range(0, len(keys) - 1, 2):
            wider = Signal(signed(EXP_WIDTH), name=f"{name}{level}_{i // 2}")
            m.d.comb += wider.eq(Mux(keys[i] >= keys[i + 1], keys[i], keys[i + 1]))
            paired.append(wider)
        keys = paired + keys[len(keys) - len(keys) % 2:]
        level += 1
    return keys[0]


class Dot(wiring.Component):
    """Ports: ``a``, ``b`` (``k`` elements packed, element ``j`` at bits ``[j*w, (j+1)*w)``),
    ``c`` and ``y`` (accumulator codes), ``sa`` and ``sb`` (8-bit scale codes, with scales), ``r``
    (random bits, stochastic rounding)."""

    def __init__(self, a: str, b: str, k: int, scale: str, acc: str, window: int | None, align: str,
                 rounding: Rounding, sat: bool):
        self.a_fmt, self.b_fmt, self.k, self.scale, self.acc = a, b, k, scale, acc
        self.window, self.align, self.rounding, self.sat = window, align, rounding, sat
        self.wa, self.wb = element(a, scale).bits, element(b, scale).bits
        width = 32 if acc == "int32" else float_format(acc).bits
        scales = {"sa": In(8), "sb": In(8)} if scale != "none" else {}
        super().__init__({"a": In(k * self.wa), "b": In(k * self.wb), "c": In(width), **scales, "y": Out(width),
                          **random_ports(rounding)})

    def elaborate(self, platform):
        m = Module()
        if self.acc == "int32":
            self._integer(m)
            return m
        ops = [(_operand(m, self.a_fmt, self.a[j * self.wa:(j + 1) * self.wa], self.scale, f"a{j}"),
                _operand(m, self.b_fmt, self.b[j * self.wb:(j + 1) * self.wb], self.scale, f"b{j}"))
               for j in range(self.k)]
        if self.scale != "none":
            fmt = SCALES[self.scale][0]
            scales = (_operand(m, fmt, self.sa, self.scale, "sa"), _operand(m, fmt, self.sb, self.scale, "sb"))
        else:
            scales = None

        # Special values and the signs of the terms.
        nan, pos_inf, neg_inf, signs, zeros = [], [], [], [], []
        for x, y in ops:
            sign = x.sign ^ y.sign
            if scales:
                sign = sign ^ scales[0].sign ^ scales[1].sign
            inf = x.is_inf | y.is_inf
            nan.append(x.is_nan | y.is_nan | (x.is_inf & y.is_zero) | (y.is_inf & x.is_zero))
            pos_inf.append(inf & ~sign)
            neg_inf.append(inf & sign)
            signs.append(sign)
            zeros.append(x.is_zero | y.is_zero)
        scale_zero = Const(0, 1)
        if scales:
            scale_zero = scales[0].is_zero | scales[1].is_zero
            nan += [scales[0].is_nan, scales[1].is_nan]
        any_pos_inf, any_neg_inf = Cat(*pos_inf).any(), Cat(*neg_inf).any()
        nan.append((any_pos_inf | any_neg_inf) & scale_zero)
        zeros = [z | scale_zero for z in zeros]

        if self.window is None:
            self._exact(m, ops, scales, signs, zeros, Cat(*nan).any(), any_pos_inf, any_neg_inf)
        else:
            self._windowed(m, ops, scales, signs, zeros, Cat(*nan).any(), any_pos_inf, any_neg_inf)
        return m

    def _zero_sign(self, signs: list[Value], zeros: list[Value]) -> Value:
        """The sign of an exact zero sum (IEEE 754 6.3): when every term is a zero, -0 if all
        are (rounding down: if any is); +0 otherwise (-0 rounding down)."""
        down = self.rounding.mode is Mode.RDN
        negative_zeros = Cat(*[z & s for z, s in zip(zeros, signs)])
        all_zero = Cat(*zeros).all()
        return Mux(all_zero, negative_zeros.any() if down else negative_zeros.all(), int(down))

    def _exact(self, m, ops, scales, signs, zeros, nan, pos_inf, neg_inf):
        a, b = element(self.a_fmt, self.scale), element(self.b_fmt, self.scale)
        width = exact_width(a, b, self.k) + 1
        terms = []
        for j, (x, y) in enumerate(ops):  # the terms' signs include the scales': they are common to all
            magnitude = Signal(width, name=f"p{j}")
            m.d.comb += magnitude.eq((x.sig * y.sig) << (x.offset + y.offset))
            terms.append(Mux(signs[j], -magnitude, magnitude))
        total = Signal(signed(width + 1), name="total")
        m.d.comb += total.eq(sum(terms[1:], terms[0]))
        magnitude = Signal(width, name="total_mag")
        m.d.comb += magnitude.eq(Mux(total < 0, -total, total))
        sig, exp = magnitude, a.lsb_exp + b.lsb_exp
        if scales:
            sig = Signal(width + len(scales[0].sig) + len(scales[1].sig), name="scaled")
            m.d.comb += sig.eq(magnitude * scales[0].sig * scales[1].sig)
            exp = exp + scales[0].lsb + scales[1].lsb
        lsb = Signal(signed(EXP_WIDTH), name="total_lsb")
        m.d.comb += lsb.eq(exp)
        zero = sig == 0
        sign = Mux(pos_inf | neg_inf, neg_inf, Mux(zero, self._zero_sign(signs, zeros), total < 0))
        product = Term(sign, sig, lsb, zero, pos_inf | neg_inf, nan | (pos_inf & neg_inf))
        m.d.comb += self.y.eq(accumulate(m, float_format(self.acc), self.c, product, rounding=self.rounding,
                                         sat=self.sat, random=random_bits(self, self.rounding)))

    def _windowed(self, m, ops, scales, signs, zeros, nan, pos_inf, neg_inf):
        acc = float_format(self.acc)
        c = unpack(m, acc, self.c, "c")
        c_lsb = Signal(signed(EXP_WIDTH), name="c_lsb")
        m.d.comb += c_lsb.eq(c.exp - acc.man_bits)
        terms = []  # (sign, sig, lsb, live)
        for j, (x, y) in enumerate(ops):
            factors = [x.sig, y.sig] + ([scales[0].sig, scales[1].sig] if scales else [])
            sig = Signal(sum(len(f) for f in factors), name=f"t{j}_sig")
            m.d.comb += sig.eq(factors[0] * factors[1] * (factors[2] * factors[3] if scales else 1))
            lsb = Signal(signed(EXP_WIDTH), name=f"t{j}_lsb")
            m.d.comb += lsb.eq(x.lsb + y.lsb + (scales[0].lsb + scales[1].lsb if scales else 0))
            live = ~zeros[j] & ~x.is_inf & ~y.is_inf & ~x.is_nan & ~y.is_nan
            terms.append((signs[j], sig, lsb, live))
        terms.append((c.sign, c.sig, c_lsb, ~c.is_zero & ~c.is_inf & ~c.is_nan))

        floor = -(1 << (EXP_WIDTH - 1))
        tops = []
        for j, (_, sig, lsb, live) in enumerate(terms):
            top = Signal(signed(EXP_WIDTH), name=f"t{j}_top")
            m.d.comb += top.eq(Mux(live, lsb + leading_one(m, sig, f"t{j}_lead"), floor))
            tops.append(top)
        e = _max_tree(m, tops, "emax")
        w = self.window
        cut = []
        for j, (sign, sig, lsb, live) in enumerate(terms):
            distance = Signal(signed(EXP_WIDTH + 1), name=f"t{j}_dist")  # E - lsb: one less than the shift
            m.d.comb += distance.eq(Mux(live, e - lsb, 0))
            shifted, sticky = shift_right_sticky(m, Cat(Const(0, w), sig), distance, f"t{j}")
            guard, kept = shifted[0], shifted[1:w + 1]
            if self.align == "rne":
                kept = kept + (guard & (sticky | kept[0]))
            value = Signal(w + 1, name=f"t{j}_cut")
            m.d.comb += value.eq(Mux(live, kept, 0))
            cut.append(Mux(sign, -value, value))
        width = w + 2 + (len(terms)).bit_length()
        total = Signal(signed(width), name="total")
        m.d.comb += total.eq(sum(cut[1:], cut[0]))
        magnitude = Signal(width, name="total_mag")
        m.d.comb += magnitude.eq(Mux(total < 0, -total, total))
        lsb = Signal(signed(EXP_WIDTH), name="total_lsb")
        m.d.comb += lsb.eq(e - (w - 1))
        signs = signs + [c.sign]
        zeros = zeros + [c.is_zero]
        pos = pos_inf | (c.is_inf & ~c.sign)
        neg = neg_inf | (c.is_inf & c.sign)
        sign = Mux(magnitude == 0, self._zero_sign(signs, zeros), total < 0)
        m.d.comb += self.y.eq(round_and_pack(m, acc, sign=sign, sig=magnitude, exp=lsb, rounding=self.rounding,
                                             sat=self.sat, name="dot", random=random_bits(self, self.rounding),
                                             nan=nan | c.is_nan | (pos & neg), inf=pos | neg, inf_sign=neg))

    def _integer(self, m):
        """``c + sum a_i*b_i`` on signed integers, wrapped or saturated to 32 bits."""
        products = [self.a[j * self.wa:(j + 1) * self.wa].as_signed() * self.b[j * self.wb:(j + 1) * self.wb].as_signed()
                    for j in range(self.k)]
        total = Signal(signed(34 + self.k.bit_length()), name="total")
        m.d.comb += total.eq(sum(products, self.c.as_signed()))
        if self.sat:
            low, high = -(1 << 31), (1 << 31) - 1
            m.d.comb += self.y.eq(Mux(total > high, high, Mux(total < low, low, total)))
        else:
            m.d.comb += self.y.eq(total)
