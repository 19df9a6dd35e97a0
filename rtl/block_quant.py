"""Block quantizer: ``k`` float codes to one scale code and ``k`` element codes, written from
the definitions of OCP MX v1.0 (E8M0 scale, by one of four rules) and NVFP4 (e4m3 scale, e2m1
elements, an fp32 tensor scale); the models are :func:`arithbench.models.block.mx_quantize`
and :func:`arithbench.models.block.nvfp4_quantize_scaled`, written apart from this.

MX. The block's largest magnitude ``amax`` comes from a tree of comparators on the codes with
their sign bits dropped (for one float format, the magnitude order is the order of those
integers). Its exponent ``E = floor(log2 amax)`` and its significand ``a``, normalized to
``[1, 2)``, give the scale exponent ``X = E - emax_elem + up``: ``up`` is 0 for ``floor``;
``a > l`` for ``ceil`` and ``rceil`` (``l`` the significand of the element's largest value,
``L = l * 2**emax_elem``: ``amax / L`` is then above a power of two exactly when ``a > l``);
``a >= 2 - 2**-(m + 1)`` for ``even`` (``a`` rounded half up to the element's ``m`` mantissa
bits carries into the next binade). ``X`` is clipped to ``[-127, 127]``; an all-zero block
gets -127. Each element ``x / 2**X`` is ``x``'s significand with its exponent lowered by
``X``, rounded once by :func:`round_and_pack` into the element format with saturation
(MXINT8: shifted to an integer with guard and sticky bits, or ``rbits`` fraction bits for
stochastic rounding, rounded and clamped to -128 .. 127). A NaN or infinite element gives
the NaN scale 0xFF and zero elements.

NVFP4. With ``tensor`` (the default) each element is first multiplied by the fp32 input ``t``
(the reciprocal tensor scale) and the exact product rounded once to fp32 (``y``, RNE, IEEE
specials); without it ``y`` is the input itself (the tensor scale applied outside the unit).
The block scale is ``amax_y / 6`` rounded to e4m3 (to nearest even, or up with ``rup``): the
top 8 bits of ``amax_y``'s significand (all of bf16's) are divided by 3 (restoring division),
and the quotient, at least 42 for a normal ``amax_y``, goes to :func:`round_and_pack` with one
more bit below it that is set when the division left a remainder or the significand's lower
bits are not all zero: that bit lies below the guard bit, so the rounding sees the exact
quotient's last kept bit, guard and sticky. Each element ``y / S`` is made the same way and
rounded by ``round``: ``S``'s significand, normalized to 8 .. 15, divides the top 8 bits of
``y``'s (a quotient of at least 8, three bits above e2m1's guard); stochastic rounding divides
``rbits`` more bits, so that the ``rbits`` bits below e2m1's last bit, which its random bits are
added to, are exact. A subnormal ``amax_y`` or ``y`` puts fewer significant bits into the
division, but no fewer absolute ones: the quotient's last bit still lies seven or more binades
below the rounding's guard bit or last random bit (fp16's subnormals: 2**-22 against the
scale's guard at 2**-10; 2**-(9 + rbits) against an element's at 2**-(2 + rbits) under the
smallest scale). A scale of zero or NaN gives +0
elements; NaN anywhere in ``y`` gives the scale NaN (0x7F), infinity the scale 448
(saturated) and +-6 for the infinite elements.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, Value, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..models.block import MX_NAN_SCALE, NVFP4_ELEMENT, NVFP4_SCALE, mx_element
from ..models.formats import FloatFormat, float_format
from ..models.rounding import Mode, Rounding
from .float_logic import (EXP_WIDTH, Unpacked, leading_one, round_and_pack, round_increment, shift_right_sticky,
                          unpack)

#: The scale rules the MX datapath takes (``rceil`` is ``ceil``).
MX_RULES = ("floor", "ceil", "even", "rceil")
#: How NVFP4's scale ``amax / 6`` is rounded to e4m3: to nearest even (torchao) or up (cuDNN).
NVFP4_RULES = (Mode.RNE.value, Mode.RUP.value)
FP32 = float_format("fp32")
#: Bits of a significand's top that go into the NVFP4 divisions (see the module docstring).
TOP_BITS = 8
#: E8M0's exponent range.
E8M0_TOP = 127
#: MXINT8: largest magnitudes of positive and negative codes, and the value of its LSB.
INT8_MAX, INT8_MIN_MAG, INT8_LSB = 127, 128, -6


def _largest(m: Module, keys: list[Value], name: str) -> Value:
    """The largest of the unsigned ``keys``, by a balanced tree of comparators."""
    if len(keys) == 1:
        return keys[0]
    half = len(keys) // 2
    low, high = _largest(m, keys[:half], f"{name}l"), _largest(m, keys[half:], f"{name}h")
    out = Signal(len(low), name=name)
    m.d.comb += out.eq(Mux(low >= high, low, high))
    return out


def _less(m: Module, top: int, lead: Value, name: str) -> Signal:
    """``top - lead`` (``lead <= top``) as an unsigned shift amount."""
    amount = Signal(range(top + 1), name=name)
    m.d.comb += amount.eq(top - lead)
    return amount


def _top(sig: Value, width: int) -> tuple[Value, Value, int]:
    """A significand's top ``width`` bits (zeros appended below a shorter one), whether any bit
    below them is set, and how many bits were dropped (``sig`` is about ``top * 2**dropped``)."""
    dropped = len(sig) - width
    if dropped <= 0:
        return Cat(Const(0, -dropped), sig), Const(0, 1), dropped
    return sig[dropped:], sig[:dropped] != 0, dropped


def divide(m: Module, dividend: Value, divisor: Value, name: str) -> tuple[Value, Value]:
    """``floor(dividend / divisor)`` and the remainder, by restoring division: one compare and
    subtract per dividend bit, most significant first (``divisor`` must not be zero)."""
    width = len(divisor)
    remainder: Value = Const(0, width)
    bits = []
    for i in reversed(range(len(dividend))):
        trial = Cat(dividend[i], remainder)  # remainder * 2 + the next bit
        fits = trial >= divisor
        step = Signal(width, name=f"{name}_r{i}")
        m.d.comb += step.eq(Mux(fits, trial - divisor, trial))
        bits.append(fits)
        remainder = step
    return Cat(*reversed(bits)), remainder


class BlockQuant(wiring.Component):
    """Ports: ``x`` (``k`` codes of ``fmt`` packed, element ``j`` at bits ``[j*w, (j+1)*w)``),
    ``t`` (NVFP4 only: the fp32 reciprocal tensor scale), ``r`` (stochastic rounding only:
    ``rbits`` random bits per element, packed the same way), ``s`` (the scale code: E8M0 or
    e4m3), ``q`` (``k`` element codes packed)."""

    def __init__(self, fmt: FloatFormat, k: int, scale: str, elem: str, rule: str, rounding: Rounding,
                 tensor: bool = True):
        if fmt.policy != "ieee" or fmt.man_bits < 7:
            raise ValueError(f"block_quant takes IEEE inputs with 7 or more mantissa bits, not {fmt.name}")
        if scale == "nvfp4" and elem != NVFP4_ELEMENT:
            raise ValueError("NVFP4 elements are e2m1")
        rules = NVFP4_RULES if scale == "nvfp4" else MX_RULES
        if rule not in rules:
            raise ValueError(f"{scale} scale rules are {', '.join(rules)}, not {rule!r}")
        self.fmt, self.k, self.scale, self.elem, self.rule, self.rounding = fmt, k, scale, elem, rule, rounding
        self.tensor = scale == "nvfp4" and tensor
        self.ew = mx_element(elem).bits
        ports = {"x": In(k * fmt.bits)}
        if self.tensor:
            ports["t"] = In(32)
        if rounding.stochastic:
            ports["r"] = In(k * rounding.rbits)
        super().__init__({**ports, "s": Out(8), "q": Out(k * self.ew)})

    def elaborate(self, platform):
        m = Module()
        w = self.fmt.bits
        codes = [self.x[j * w:(j + 1) * w] for j in range(self.k)]
        if self.scale == "mx":
            self._mx(m, codes)
        else:
            self._nvfp4(m, codes)
        return m

    # -- MX ---------------------------------------------------------------------------

    def _mx(self, m: Module, codes: list[Value]):
        fmt, rounding = self.fmt, self.rounding
        elements = [unpack(m, fmt, c, f"x{j}") for j, c in enumerate(codes)]
        bad = Cat(*(x.is_nan | x.is_inf for x in elements)).any()
        amax = unpack(m, fmt, Cat(_largest(m, [c[:fmt.bits - 1] for c in codes], "amax"), 0), "amax")
        shared = self._mx_exponent(m, amax)
        m.d.comb += self.s.eq(Mux(bad, MX_NAN_SCALE, shared + E8M0_TOP))
        out = []
        for j, x in enumerate(elements):
            random = self.r[j * rounding.rbits:(j + 1) * rounding.rbits] if rounding.stochastic else None
            code = self._int8(m, x, shared, random, j) if self.elem == "int8" else self._float_element(
                m, x, shared, random, j)
            out.append(Mux(bad, 0, code))
        m.d.comb += self.q.eq(Cat(*out))

    def _mx_exponent(self, m: Module, amax: Unpacked) -> Signal:
        """The unbiased E8M0 exponent ``X`` of the block whose largest magnitude is ``amax``."""
        fmt, element = self.fmt, mx_element(self.elem)
        mb = fmt.man_bits
        lead = leading_one(m, amax.sig, "amax_lead")
        norm = Signal(mb + 1, name="amax_norm")  # amax's significand, its leading one at bit mb
        m.d.comb += norm.eq(amax.sig << _less(m, mb, lead, "amax_up"))
        if self.rule == "floor":
            up = Const(0, 1)
        elif self.rule in ("ceil", "rceil"):
            top = element.largest / 2.0**element.emax * 2**mb  # l, scaled to an integer like norm
            assert top == int(top), (self.elem, fmt.name)
            up = norm > int(top)
        else:  # even: half up at the element's mantissa bits carries into the next binade
            carry = (2 - 2.0 ** -(element.man_bits + 1)) * 2**mb
            assert carry == int(carry), (self.elem, fmt.name)
            up = norm >= int(carry)
        exponent = Signal(signed(EXP_WIDTH), name="scale_exp")
        m.d.comb += exponent.eq(amax.exp - mb + lead + up - element.emax)
        shared = Signal(signed(EXP_WIDTH), name="shared")
        m.d.comb += shared.eq(Mux(amax.is_zero | (exponent < -E8M0_TOP), -E8M0_TOP,
                                  Mux(exponent > E8M0_TOP, E8M0_TOP, exponent)))
        return shared

    def _float_element(self, m: Module, x: Unpacked, shared: Value, random, j: int) -> Value:
        """``x / 2**shared`` rounded once into the element format, saturating."""
        exp = Signal(signed(EXP_WIDTH), name=f"e{j}_lsb")
        m.d.comb += exp.eq(x.exp - self.fmt.man_bits - shared)
        return round_and_pack(m, float_format(self.elem), sign=x.sign, sig=x.sig, exp=exp, rounding=self.rounding,
                              sat=True, name=f"e{j}", random=random)

    def _int8(self, m: Module, x: Unpacked, shared: Value, random, j: int) -> Value:
        """``x / 2**shared`` in steps of 2**-6, rounded and clamped to -128 .. 127, as a code."""
        rounding, mb = self.rounding, self.fmt.man_bits
        # Fraction bits kept below the integer: the random bits' width, or guard and sticky.
        f = rounding.rbits if rounding.stochastic else 2
        # |x| / 2**X < 2, so the code's magnitude sig * 2**(exp - mb - X + 6) is sig shifted left
        # by at most 6: pad by 6 and shift right by the rest, which is then >= 0 (a zero
        # significand shifts to zero however far).
        pad = -INT8_LSB
        distance = Signal(signed(EXP_WIDTH), name=f"i{j}_dist")
        m.d.comb += distance.eq(shared + INT8_LSB - x.exp + mb + pad)
        fixed, lost = shift_right_sticky(m, Cat(Const(0, f + pad), x.sig), distance, f"i{j}")
        whole = fixed[f:]
        if rounding.stochastic:
            up = round_increment(rounding.mode, x.sign, carry=(fixed[:f] + random)[f])
        else:
            up = round_increment(rounding.mode, x.sign, whole[0], guard=fixed[f - 1], sticky=fixed[0] | lost)
        rounded = Signal(len(whole) + 1, name=f"i{j}_rounded")
        m.d.comb += rounded.eq(whole + up)
        limit = Mux(x.sign, INT8_MIN_MAG, INT8_MAX)
        magnitude = Signal(8, name=f"i{j}_mag")
        m.d.comb += magnitude.eq(Mux(rounded > limit, limit, rounded))
        return Mux(x.sign, -magnitude, magnitude)[:8]

    # -- NVFP4 ------------------------------------------------------------------------

    def _nvfp4(self, m: Module, codes: list[Value]):
        scale_fmt, elem_fmt = float_format(NVFP4_SCALE), float_format(NVFP4_ELEMENT)
        yfmt, scaled = (FP32, self._tensor_scaled(m, codes)) if self.tensor else (self.fmt, codes)
        ys = [unpack(m, yfmt, y, f"u{j}") for j, y in enumerate(scaled)]
        nan = Cat(*(y.is_nan for y in ys)).any()
        amax = unpack(m, yfmt, Cat(_largest(m, [y[:yfmt.bits - 1] for y in scaled], "amax"), 0), "amax")

        # amax / 6: the top bits of the significand over 3, a sticky bit below, and the halving.
        top, low, dropped = _top(amax.sig, TOP_BITS)
        quotient, remainder = divide(m, top, Const(3, 2), "third")
        scale_lsb = Signal(signed(EXP_WIDTH), name="s_lsb")
        m.d.comb += scale_lsb.eq(amax.exp - yfmt.man_bits + dropped - 1 - 1)
        scale = Signal(8, name="scale")
        m.d.comb += scale.eq(round_and_pack(m, scale_fmt, sign=Const(0, 1), sig=Cat((remainder != 0) | low, quotient),
                                            exp=scale_lsb, rounding=Rounding(Mode(self.rule)), sat=True, name="s",
                                            nan=nan, inf=amax.is_inf))
        m.d.comb += self.s.eq(scale)

        # The scale's significand normalized to 8 .. 15 and the exponent of its LSB.
        s = unpack(m, scale_fmt, scale, "sc")
        s_lead = leading_one(m, s.sig, "sc_lead")
        divisor = Signal(scale_fmt.man_bits + 1, name="divisor")
        divisor_lsb = Signal(signed(EXP_WIDTH), name="divisor_lsb")
        m.d.comb += [divisor.eq(s.sig << _less(m, scale_fmt.man_bits, s_lead, "sc_up")),
                     divisor_lsb.eq(s.exp - 2 * scale_fmt.man_bits + s_lead)]
        unusable = s.is_zero | s.is_nan
        rounding, rbits = self.rounding, self.rounding.rbits
        # Stochastic rounding adds its random bits to the rbits quotient bits below e2m1's last
        # bit: the division runs over rbits more dividend bits, so that they are all exact.
        width = TOP_BITS + rbits
        out = []
        for j, y in enumerate(ys):
            top, low, dropped = _top(y.sig, width)
            quotient, remainder = divide(m, top, divisor, f"q{j}")
            lsb = Signal(signed(EXP_WIDTH), name=f"q{j}_lsb")
            m.d.comb += lsb.eq(y.exp - yfmt.man_bits + dropped - 1 - divisor_lsb)
            random = self.r[j * rbits:(j + 1) * rbits] if rounding.stochastic else None
            code = round_and_pack(m, elem_fmt, sign=y.sign, sig=Cat((remainder != 0) | low, quotient), exp=lsb,
                                  rounding=rounding, sat=True, name=f"q{j}", random=random, inf=y.is_inf)
            out.append(Mux(unusable, 0, code))
        m.d.comb += self.q.eq(Cat(*out))

    def _tensor_scaled(self, m: Module, codes: list[Value]) -> list[Value]:
        """The fp32 codes of ``x_j * t``, each exact product rounded once (RNE, IEEE specials)."""
        fmt = self.fmt
        t = unpack(m, FP32, self.t, "t")
        scaled = []
        for j, c in enumerate(codes):
            x = unpack(m, fmt, c, f"x{j}")
            exp = Signal(signed(EXP_WIDTH), name=f"y{j}_lsb")
            m.d.comb += exp.eq(x.exp - fmt.man_bits + t.exp - FP32.man_bits)
            nan = x.is_nan | t.is_nan | (x.is_inf & t.is_zero) | (x.is_zero & t.is_inf)
            y = Signal(32, name=f"y{j}")
            m.d.comb += y.eq(round_and_pack(m, FP32, sign=x.sign ^ t.sign, sig=x.sig * t.sig, exp=exp,
                                            rounding=Rounding(Mode.RNE), sat=False, name=f"y{j}", nan=nan,
                                            inf=x.is_inf | t.is_inf))
            scaled.append(y)
        return scaled
