"""BFP quantizer: ``k`` float codes to one shared exponent and ``k`` signed mantissas, as
:func:`arithbench.models.block.bfp_quantize` does it.

Each element's ``floor(log2|x|)`` comes from its exponent field and leading one; the block's
exponent ``E`` is their maximum, clipped to the shared exponent's range. Each significand is
then shifted right by ``E - exp + man_bits`` with ``p - 2 + F`` bits appended, so the shifted
value holds the mantissa's integer part and ``F`` fraction bits: for stochastic rounding
``F = rbits``, exactly the fraction its random bits are added to (the bits shifted out are
dropped); otherwise ``F = 16``, the round-to-nearest guard bit and, with every bit shifted out,
the sticky bit.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.block import BFPFormat
from ..models.formats import FloatFormat
from ..models.rounding import Mode, Rounding
from .float_logic import EXP_WIDTH, leading_one, round_increment, shift_right_sticky, unpack

#: The roundings a BFP quantizer takes (the model's :func:`arithbench.models.block.bfp_quantize`).
BFP_ROUNDINGS = (Mode.RNE, Mode.RTZ, Mode.SR)
#: Fraction bits kept below each mantissa for the deterministic modes: the guard bit, then bits
#: of the sticky.
GUARD_FRACTION = 16


class BfpQuant(wiring.Component):
    """Ports: ``x`` (``k`` codes of ``fmt`` packed, element ``j`` at bits ``[j*w, (j+1)*w)``),
    ``r`` (stochastic rounding only: ``rbits`` random bits per element, packed the same way), ``e``
    (signed shared exponent), ``m`` (``k`` signed ``p``-bit mantissas packed)."""

    def __init__(self, fmt: FloatFormat, block: BFPFormat, rounding: Rounding):
        if rounding.mode not in BFP_ROUNDINGS:
            raise ValueError(f"a BFP quantizer rounds {', '.join(BFP_ROUNDINGS)}, not {rounding}")
        top = (1 << (block.exp_bits - 1)) - 1
        if fmt.emax > top:
            raise ValueError(f"{fmt.name} exponents reach {fmt.emax}, beyond the shared exponent's {top}")
        self.fmt, self.block, self.rounding, self.top = fmt, block, rounding, top
        ports = {"x": In(block.k * fmt.bits), "e": Out(block.exp_bits), "m": Out(block.k * block.p)}
        if rounding.stochastic:
            ports["r"] = In(block.k * rounding.rbits)
        super().__init__(ports)

    def elaborate(self, platform):
        m = Module()
        fmt, k, p, top, w = self.fmt, self.block.k, self.block.p, self.top, self.fmt.bits
        elements = [unpack(m, fmt, self.x[j * w:(j + 1) * w], f"x{j}") for j in range(k)]

        # floor(log2|x_j|), with zero at the bottom and NaN/inf at the top of the range.
        logs = []
        for j, x in enumerate(elements):
            log = Signal(signed(EXP_WIDTH), name=f"log{j}")
            lead = leading_one(m, x.sig, f"lead{j}")
            raw = x.exp - fmt.man_bits + lead
            m.d.comb += log.eq(Mux(x.is_nan | x.is_inf, top, Mux(x.is_zero | (raw < -top), -top, raw)))
            logs.append(log)
        shared = logs[0]
        for j, log in enumerate(logs[1:], 1):
            step = Signal(signed(EXP_WIDTH), name=f"max{j}")
            m.d.comb += step.eq(Mux(log > shared, log, shared))
            shared = step
        m.d.comb += self.e.eq(shared)

        limit = (1 << (p - 1)) - 1
        # Fraction bits kept below each mantissa: the random bits' width, or guard and sticky.
        f = self.rounding.rbits if self.rounding.stochastic else GUARD_FRACTION
        mantissas = []
        for j, x in enumerate(elements):
            # Right shift: E - exp + man_bits >= 0, as the block's E is at least this element's log.
            distance = Signal(signed(EXP_WIDTH), name=f"dist{j}")
            m.d.comb += distance.eq(shared - x.exp + fmt.man_bits)
            # fixed: |x| / 2**(E - (p-2)) with f fraction bits
            fixed, lost = shift_right_sticky(m, Cat(Const(0, p - 2 + f), x.sig), distance, f"fixed{j}")
            whole = fixed[f:]
            if self.rounding.stochastic:
                up = round_increment(self.rounding.mode, x.sign, carry=(fixed[:f] + self.r[j * f:(j + 1) * f])[f])
            else:
                up = round_increment(self.rounding.mode, x.sign, whole[0], guard=fixed[f - 1],
                                     sticky=(fixed[:f - 1] != 0) | lost)
            rounded = Signal(len(whole) + 1, name=f"rounded{j}")
            m.d.comb += rounded.eq(whole + up)
            magnitude = Signal(p - 1, name=f"mag{j}")
            m.d.comb += magnitude.eq(Mux(x.is_nan, 0, Mux(x.is_inf | (rounded > limit), limit, rounded)))
            mantissa = Signal(signed(p), name=f"m{j}")
            m.d.comb += mantissa.eq(Mux(x.sign, -magnitude, magnitude))
            mantissas.append(mantissa)
        m.d.comb += self.m.eq(Cat(*mantissas))
        return m
