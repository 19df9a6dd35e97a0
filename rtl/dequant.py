"""Block dequantizer: ``k`` element codes times one scale code, each exact product rounded
once into fp16, bf16 or fp32: the path W4A16 and W6A16 kernels run before their fp16 or bf16
arithmetic. The model is the ``dequant`` unit's, from
:func:`arithbench.models.block.mx_elements` and the codec, written apart from this.

Each element is taken apart into sign, significand and the exponent of its LSB (MXINT8: its
magnitude, LSB 2**-6; NF4: the fp32 value its code selects from a table of the 16 published
values), the scale likewise (E8M0: significand 1, exponent ``code - 127``, NaN at 255); the
significands multiply, the exponents add, and :func:`round_and_pack` rounds
the product into the output format with IEEE specials: a NaN element or scale, and inf x 0,
give NaN; an infinite element or scale times a non-zero gives +-inf (+-max when saturating).
"""

from __future__ import annotations

from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal, Value, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.block import MX_NAN_SCALE
from ..models.codec import encode
from ..models.formats import LOOKUP_FORMATS, FloatFormat, float_format
from ..models.rounding import Rounding
from .float_logic import EXP_WIDTH, Unpacked, round_and_pack, unpack

#: MXINT8's LSB: its codes are multiples of 2**-6.
INT8_LSB = -6
FP32 = float_format("fp32")


def element_bits(name: str) -> int:
    """Bits of an element code: MXINT8's 8, a lookup format's, or a float format's."""
    if name == "int8":
        return 8
    return LOOKUP_FORMATS[name].bits if name in LOOKUP_FORMATS else float_format(name).bits


def _operand(m: Module, name: str, code: Value, label: str) -> tuple[Unpacked, Value]:
    """An element or scale code taken apart (its ``exp`` unused), and the exponent of its
    significand's LSB."""
    lsb = Signal(signed(EXP_WIDTH), name=f"{label}_lsb")
    zero = Const(0, 1)
    if name == "int8":  # two's complement: the magnitude (128 for -128) in steps of 2**-6
        magnitude = Signal(8, name=f"{label}_mag")
        m.d.comb += [magnitude.eq(Mux(code[-1], -code.as_signed(), code)), lsb.eq(INT8_LSB)]
        return Unpacked(code[-1], lsb, magnitude, code == 0, zero, zero), lsb
    if name == "e8m0":  # no zero, no subnormals: 2**(code - 127), NaN at 255
        m.d.comb += lsb.eq(code - 127)
        return Unpacked(zero, lsb, Const(1, 1), zero, zero, code == MX_NAN_SCALE), lsb
    if name in LOOKUP_FORMATS:  # NF4: a table of fp32 values, read and taken apart
        table = [int(c) for c in encode(FP32, LOOKUP_FORMATS[name].values)]
        value = Signal(32, name=f"{label}_value")
        m.d.comb += value.eq(Array(Const(c, 32) for c in table)[code])
        code, name = value, "fp32"
    fmt = float_format(name)
    u = unpack(m, fmt, code, label)
    m.d.comb += lsb.eq(u.exp - fmt.man_bits)
    return u, lsb


class Dequant(wiring.Component):
    """Ports: ``q`` (``k`` element codes packed, element ``j`` at bits ``[j*w, (j+1)*w)``), ``s``
    (the scale code), ``r`` (stochastic rounding: ``rbits`` random bits per element, packed the
    same way), ``y`` (``k`` codes of ``out`` packed)."""

    def __init__(self, elem: str, scale: str, out: FloatFormat, k: int, rounding: Rounding, sat: bool):
        self.elem, self.scale, self.out, self.k, self.rounding, self.sat = elem, scale, out, k, rounding, sat
        self.ew, self.sw = element_bits(elem), float_format(scale).bits
        ports = {"q": In(k * self.ew), "s": In(self.sw)}
        if rounding.stochastic:
            ports["r"] = In(k * rounding.rbits)
        super().__init__({**ports, "y": Out(k * out.bits)})

    def elaborate(self, platform):
        m = Module()
        s, s_lsb = _operand(m, self.scale, self.s, "s")
        outs, rbits = [], self.rounding.rbits
        for j in range(self.k):
            e, e_lsb = _operand(m, self.elem, self.q[j * self.ew:(j + 1) * self.ew], f"q{j}")
            exp = Signal(signed(EXP_WIDTH), name=f"y{j}_lsb")
            m.d.comb += exp.eq(e_lsb + s_lsb)
            nan = e.is_nan | s.is_nan | (e.is_inf & s.is_zero) | (e.is_zero & s.is_inf)
            random = self.r[j * rbits:(j + 1) * rbits] if self.rounding.stochastic else None
            outs.append(round_and_pack(m, self.out, sign=e.sign ^ s.sign, sig=e.sig * s.sig, exp=exp,
                                       rounding=self.rounding, sat=self.sat, name=f"y{j}", random=random, nan=nan,
                                       inf=e.is_inf | s.is_inf))
        m.d.comb += self.y.eq(Cat(*outs))
        return m
