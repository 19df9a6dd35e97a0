"""OCP MX block dot product: ``X(A) X(B) sum_i P_i(A) P_i(B)``, exact sum, one fp32 rounding.

Every element product is exact and lands in a fixed-point accumulator whose LSB is the
smallest possible product LSB, so the sum of the ``k`` products is exact; both E8M0 scales
then shift the binary point and :func:`round_and_pack` rounds once to fp32. Infinite
elements, NaN and the sign of an exact zero follow IEEE 754 arithmetic on the element values
(see :func:`arithbench.models.block.mx_dot`, written apart from this).
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.block import MX_NAN_SCALE, mx_element
from ..models.formats import float_format
from ..models.rounding import Mode, Rounding
from .float_logic import EXP_WIDTH, random_bits, random_ports, round_and_pack, unpack

FP32 = float_format("fp32")


class MxDot(wiring.Component):
    """Ports: ``sa``, ``sb`` (E8M0 scales), ``a``, ``b`` (``k`` elements packed, element ``j`` at
    bits ``[j*w, (j+1)*w)``), ``y`` (fp32 code)."""

    def __init__(self, elem: str, k: int, rounding: Rounding = Rounding(Mode.RNE)):
        if k < 1:
            raise ValueError(f"k must be positive, not {k!r}")
        self.elem, self.k, self.w, self.rounding = elem, k, mx_element(elem).bits, rounding
        super().__init__({"sa": In(8), "sb": In(8), "a": In(k * self.w), "b": In(k * self.w), "y": Out(32),
                          **random_ports(rounding)})

    def _products(self, m: Module):
        """Signed exact products as integers at a common LSB, that LSB's exponent, and the
        special cases: a NaN product (NaN element, inf x 0), products of +inf and of -inf, and
        whether every product is -0, and whether every one is +0."""
        w, terms = self.w, []
        if self.elem == "int8":  # IEEE products of the values: 0 x negative is -0
            neg_zero, pos_zero = [], []
            for j in range(self.k):
                a, b = self.a[j * w:(j + 1) * w], self.b[j * w:(j + 1) * w]
                terms.append(a.as_signed() * b.as_signed())
                neg_zero.append(((a == 0) | (b == 0)) & (a[-1] ^ b[-1]))
                pos_zero.append(((a == 0) | (b == 0)) & ~(a[-1] ^ b[-1]))
            return (terms, -12, Const(0, 1), Const(0, 1), Const(0, 1), Cat(*neg_zero).all(),
                    Cat(*pos_zero).all())
        fmt = float_format(self.elem)
        nan, pos_inf, neg_inf, neg_zero, pos_zero = [], [], [], [], []
        for j in range(self.k):
            a = unpack(m, fmt, self.a[j * w:(j + 1) * w], f"a{j}")
            b = unpack(m, fmt, self.b[j * w:(j + 1) * w], f"b{j}")
            shift = Signal(range(2 * fmt.exp_max_code + 1), name=f"sh{j}")
            m.d.comb += shift.eq(a.exp + b.exp - 2 * fmt.emin)
            magnitude = (a.sig * b.sig) << shift
            negative = a.sign ^ b.sign
            terms.append(Mux(negative, -magnitude, magnitude))
            inf = (a.is_inf | b.is_inf) & ~(a.is_zero | b.is_zero)
            nan.append(a.is_nan | b.is_nan | ((a.is_inf | b.is_inf) & (a.is_zero | b.is_zero)))
            pos_inf.append(inf & ~negative)
            neg_inf.append(inf & negative)
            neg_zero.append((a.is_zero | b.is_zero) & negative)
            pos_zero.append((a.is_zero | b.is_zero) & ~negative)
        return (terms, 2 * (fmt.emin - fmt.man_bits), Cat(*nan).any(), Cat(*pos_inf).any(), Cat(*neg_inf).any(),
                Cat(*neg_zero).all(), Cat(*pos_zero).all())

    def elaborate(self, platform):
        m = Module()
        terms, lsb, nan_product, pos_inf, neg_inf, all_neg_zero, all_pos_zero = self._products(m)
        total = sum(terms[1:], terms[0])
        acc = Signal(signed(len(total) + 1), name="acc")
        m.d.comb += acc.eq(total)
        magnitude = Signal(len(acc), name="magnitude")
        m.d.comb += magnitude.eq(Mux(acc < 0, -acc, acc))
        exp = Signal(signed(EXP_WIDTH), name="lsb_exp")
        m.d.comb += exp.eq(lsb + self.sa + self.sb - 254)
        # An exact zero sum is -0 when every product is -0, under rdn unless every one is +0 (IEEE 754 6.3).
        zero_sign = ~all_pos_zero if self.rounding.mode is Mode.RDN else all_neg_zero
        sign = Mux(acc == 0, zero_sign, acc < 0)
        nan = (self.sa == MX_NAN_SCALE) | (self.sb == MX_NAN_SCALE) | nan_product | (pos_inf & neg_inf)
        m.d.comb += self.y.eq(round_and_pack(m, FP32, sign=sign, sig=magnitude, exp=exp, rounding=self.rounding,
                                             sat=False, name="dot", random=random_bits(self, self.rounding),
                                             nan=nan, inf=pos_inf | neg_inf, inf_sign=neg_inf))
        return m

