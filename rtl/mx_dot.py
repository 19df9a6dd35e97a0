"""OCP MX block dot product: ``X(A) X(B) sum_i P_i(A) P_i(B)``, exact sum, one fp32 rounding.

Every element product is exact and lands in a fixed-point accumulator whose LSB is the
smallest possible product LSB, so the sum of the ``k`` products is exact; both E8M0 scales
then shift the binary point and :func:`round_and_pack` rounds once to fp32 (RNE), matching
:func:`arithbench.models.block.mx_dot`.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.block import MX_ELEMENT_BITS, MX_NAN_SCALE
from ..models.formats import float_format
from .float_logic import EXP_WIDTH, round_and_pack, special_code, unpack

FP32 = float_format("fp32")


class MxDot(wiring.Component):
    """Ports: ``sa``, ``sb`` (E8M0 scales), ``a``, ``b`` (``k`` elements packed, element ``j`` at
    bits ``[j*w, (j+1)*w)``), ``y`` (fp32 code)."""

    def __init__(self, elem: str, k: int):
        if elem not in MX_ELEMENT_BITS:
            raise ValueError(f"elem must be one of {', '.join(MX_ELEMENT_BITS)}, not {elem!r}")
        if k < 1:
            raise ValueError(f"k must be positive, not {k!r}")
        self.elem, self.k, self.w = elem, k, MX_ELEMENT_BITS[elem]
        super().__init__({"sa": In(8), "sb": In(8), "a": In(k * self.w), "b": In(k * self.w), "y": Out(32)})

    def _products(self, m: Module):
        """Signed exact products as integers at a common LSB, that LSB's exponent, and a flag
        for NaN or infinite elements."""
        w, terms, bad = self.w, [], []
        if self.elem == "int8":
            for j in range(self.k):
                terms.append(self.a[j * w:(j + 1) * w].as_signed() * self.b[j * w:(j + 1) * w].as_signed())
            return terms, -12, 0
        fmt = float_format(self.elem)
        for j in range(self.k):
            a = unpack(m, fmt, self.a[j * w:(j + 1) * w], f"a{j}")
            b = unpack(m, fmt, self.b[j * w:(j + 1) * w], f"b{j}")
            shift = Signal(range(2 * fmt.exp_max_code + 1), name=f"sh{j}")
            m.d.comb += shift.eq(a.exp + b.exp - 2 * fmt.emin)
            magnitude = (a.sig * b.sig) << shift
            terms.append(Mux(a.sign ^ b.sign, -magnitude, magnitude))
            bad += [a.is_nan, a.is_inf, b.is_nan, b.is_inf]
        flag = bad[0]
        for x in bad[1:]:
            flag = flag | x
        return terms, 2 * (fmt.emin - fmt.man_bits), flag

    def elaborate(self, platform):
        m = Module()
        terms, lsb, bad = self._products(m)
        total = sum(terms[1:], terms[0])
        acc = Signal(signed(len(total) + 1), name="acc")
        m.d.comb += acc.eq(total)
        magnitude = Signal(len(acc), name="magnitude")
        m.d.comb += magnitude.eq(Mux(acc < 0, -acc, acc))
        exp = Signal(signed(EXP_WIDTH), name="lsb_exp")
        m.d.comb += exp.eq(lsb + self.sa + self.sb - 254)
        rounded = round_and_pack(m, FP32, sign=acc < 0, sig=magnitude, exp=exp, rounding="rne", sat=False,
                                 name="dot")
        nan = (self.sa == MX_NAN_SCALE) | (self.sb == MX_NAN_SCALE) | bad
        m.d.comb += self.y.eq(Mux(nan, special_code(FP32, False, 0, nan=True), rounded))
        return m
