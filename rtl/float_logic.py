"""Building blocks shared by float components: field unpacking, leading-one detection,
rounding increments and the final pack with overflow and special values.

They mirror ``arithbench.models.codec`` step for step, so a component that computes an exact
significand and exponent and hands them to :func:`round_and_pack` rounds exactly as
``encode`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Cat, Const, Module, Mux, Signal, Value, signed

from ..models.formats import FloatFormat
from ..models.rounding import Mode, Rounding

#: Width of every signed exponent signal: enough for products and sums of fp32 exponents.
EXP_WIDTH = 12


@dataclass
class Unpacked:
    """One float operand taken apart: ``value = sig * 2**(exp - man_bits)`` when finite."""

    sign: Value
    exp: Value  # unbiased, subnormals already at emin
    sig: Value  # man_bits + 1 bits, hidden bit included
    is_zero: Value
    is_inf: Value
    is_nan: Value


def unpack(m: Module, fmt: FloatFormat, code: Value, name: str) -> Unpacked:
    """Split ``code`` into sign, unbiased exponent, significand and special-value flags."""
    man_bits = fmt.man_bits
    field_e = code[man_bits:man_bits + fmt.exp_bits]
    field_m = code[:man_bits] if man_bits else Const(0, 1)
    sign = code[-1] if fmt.signed else Const(0, 1)
    exp = Signal(signed(EXP_WIDTH), name=f"{name}_exp")
    sig = Signal(man_bits + 1, name=f"{name}_sig")
    m.d.comb += [
        exp.eq(Mux(field_e == 0, 1, field_e) - fmt.bias),
        sig.eq(Cat(field_m[:man_bits] if man_bits else Cat(), field_e != 0)),
    ]
    top = field_e == fmt.exp_max_code
    if fmt.policy == "ieee":
        is_inf, is_nan = top & (field_m == 0), top & (field_m != 0)
    elif fmt.policy == "fn":
        is_inf, is_nan = Const(0, 1), top & (field_m == fmt.man_max_code)
    elif fmt.policy == "fnuz":
        is_inf, is_nan = Const(0, 1), code == fmt.sign_mask
    elif fmt.policy == "p3109":
        is_inf, is_nan = top & (field_m == fmt.man_max_code), code == fmt.sign_mask
    else:
        is_inf, is_nan = Const(0, 1), Const(0, 1)
    is_zero = (field_e == 0) & (field_m == 0) & ~is_nan
    return Unpacked(sign, exp, sig, is_zero, is_inf, is_nan)


def leading_one(m: Module, value: Value, name: str) -> Signal:
    """Index of the most significant set bit of ``value`` (0 when ``value`` is 0)."""
    index = Signal(range(max(len(value), 2)), name=name)
    for i in range(len(value)):
        with m.If(value[i]):
            m.d.comb += index.eq(i)  # the last (highest) assignment wins
    return index


def shift_right_sticky(m: Module, value: Value, distance: Value, name: str) -> tuple[Signal, Value]:
    """``value >> distance`` (a distance past the width shifts everything out; it must not be
    negative) and 1 when any set bit was shifted out: the sticky bit of every alignment."""
    span = len(value)
    shift = Signal(range(span + 1), name=f"{name}_sh")
    kept = Signal(span, name=f"{name}_kept")
    back = Signal(range(span + 1), name=f"{name}_back")
    lost = Signal(span, name=f"{name}_lost")
    m.d.comb += [shift.eq(Mux(distance > span, span, distance)), kept.eq(value >> shift), back.eq(span - shift),
                 lost.eq((value << back)[:span])]
    return kept, lost != 0


def round_increment(rounding: Mode, sign, lsb=None, guard=None, sticky=None, carry=None):
    """1 when the truncated magnitude is rounded up (HardFloat's ``roundIncr``), per mode and sign:
    from its last kept bit ``lsb``, the first dropped bit ``guard`` and the OR of the bits below
    it ``sticky``. Stochastic rounding rounds up on ``carry``, the carry out of its random bits
    added to the dropped fraction. Constants in give a constant out (an int or a ``Const``)."""
    if rounding == Mode.SR:
        if carry is None:
            raise ValueError("stochastic rounding rounds up on the carry of its random bits")
        return carry
    if rounding == Mode.RNE:
        return guard & (sticky | lsb)
    if rounding == Mode.RTZ:
        return Const(0, 1)
    if rounding == Mode.RNA:
        return guard
    if rounding == Mode.RUP:
        return ~sign & (guard | sticky)
    if rounding == Mode.RDN:
        return sign & (guard | sticky)
    raise ValueError(f"rounding must be one of {', '.join(Mode)}, not {rounding!r}")


def overflow_goes_to_max(rounding: Mode, sign: Value) -> Value:
    """1 when an overflowing value rounds to +-max rather than inf/NaN: when the rounding does not
    round up a magnitude with its guard and sticky bits set (HardFloat's ``overflow_roundMagUp``,
    negated). A stochastically rounded value overflows only when it was rounded up (its carry
    set). The decision is taken for either sign as constants, so that the result is a constant
    or the sign itself."""
    up = [_constant(round_increment(rounding, s, lsb=0, guard=1, sticky=1, carry=1)) for s in (0, 1)]
    if up[0] == up[1]:
        return Const(1 - up[0], 1)
    return sign if up[1] == 0 else ~sign


def _constant(bit: int | Const) -> int:
    return (bit.value if isinstance(bit, Const) else bit) & 1


def random_bits(component, rounding: Rounding) -> Value | None:
    """The component's random-bit input ``r`` for a stochastic rounding, else None."""
    return component.r if rounding.stochastic else None


def random_ports(rounding: Rounding) -> dict:
    """The signature members a rounding adds: ``r`` for a stochastic one."""
    from amaranth.lib.wiring import In

    return {name: In(width) for name, width in rounding.ports().items()}


def round_and_pack(m: Module, out: FloatFormat, *, sign: Value, sig: Value, exp: Value,
                   rounding: Rounding, sat: bool, name: str, random: Value | None = None,
                   nan: Value | None = None, inf: Value | None = None, inf_sign: Value | None = None) -> Value:
    """Round the exact value ``(-1)**sign * sig * 2**exp`` once into ``out``'s code.

    ``sig`` is an unsigned integer of any width, ``exp`` a signed exponent of its LSB. Zero,
    subnormal results, the carry into the next binade and overflow follow
    :func:`arithbench.models.codec.encode`. The value may be special (HardFloat's raw float):
    the flag ``nan`` makes the result the format's NaN, ``inf`` an infinity of sign
    ``inf_sign`` (default ``sign``) as :func:`special_code` maps it; ``sig`` and ``exp`` are then
    ignored. Stochastic rounding adds ``random`` (:func:`random_bits`) to the ``rounding.rbits``
    bits below the result's LSB (the bits below those are dropped) and keeps the carry, as
    ``round_integer`` defines it.
    """
    if rounding.stochastic != (random is not None) or (random is not None and len(random) != rounding.rbits):
        raise ValueError(f"{rounding} rounding takes {rounding.rbits} random bits")
    mo = out.man_bits
    lead = leading_one(m, sig, f"{name}_lead")
    # Unbiased exponent of the value, and of the quantum the result is rounded to.
    value_exp = Signal(signed(EXP_WIDTH), name=f"{name}_vexp")
    res_exp = Signal(signed(EXP_WIDTH), name=f"{name}_rexp")
    m.d.comb += [
        value_exp.eq(exp + lead),
        res_exp.eq(Mux(value_exp < out.emin, out.emin, value_exp)),
    ]
    # Right shift of sig, with `extra` low bits below the result's mantissa: guard and sticky,
    # or the fraction stochastic rounding adds its random bits to.
    extra = rounding.rbits if rounding.stochastic else 2
    shift_full = Signal(signed(EXP_WIDTH), name=f"{name}_shift")
    m.d.comb += shift_full.eq(res_exp - exp)  # >= 0: lands the leading one at bit mo + extra or lower
    kept, lost = shift_right_sticky(m, Cat(Const(0, mo + extra), sig), shift_full, name)
    n = kept[extra:extra + mo + 1]
    if rounding.stochastic:
        # The random bits' carry decides alone.
        up = round_increment(rounding.mode, sign, carry=(kept[:extra] + random)[extra])
    else:
        # With no mantissa bits a P3109 code's last bit is its exponent's (ties to the even code).
        lsb = n[0] & (res_exp[0] ^ (out.bias & 1)) if mo == 0 and out.policy == "p3109" else n[0]
        up = round_increment(rounding.mode, sign, lsb, guard=kept[1], sticky=kept[0] | lost)
    rounded = Signal(mo + 2, name=f"{name}_rounded")
    m.d.comb += rounded.eq(n + up)

    carry = rounded[mo + 1]
    final_exp = Signal(signed(EXP_WIDTH), name=f"{name}_fexp")
    mant = Signal(mo + 1, name=f"{name}_mant")
    m.d.comb += [
        final_exp.eq(res_exp + carry),
        mant.eq(Mux(carry, rounded[1:], rounded[:mo + 1])),
    ]
    biased = Signal(signed(EXP_WIDTH), name=f"{name}_biased")
    m.d.comb += biased.eq(Mux(mant[mo], final_exp + out.bias, 0))
    field_m = mant[:mo] if mo else Const(0, 0)
    overflow = (biased > out.max_biased_exp) | (
        (biased == out.max_biased_exp) & (field_m > out.max_mantissa_at_top))

    code = Signal(out.bits, name=f"{name}_code")
    big = out.inf_code if out.has_inf else out.nan_code
    with m.If(overflow):
        if sat or big is None:
            m.d.comb += code.eq(with_sign(out, sign, out.max_code))
        else:
            towards_zero = overflow_goes_to_max(rounding.mode, sign)
            m.d.comb += code.eq(Mux(towards_zero, with_sign(out, sign, out.max_code),
                                    special_code(out, sat, sign, nan=False)))
    with m.Else():
        m.d.comb += code.eq(with_sign(out, sign, Cat(field_m, biased[:out.exp_bits])))
    if nan is None and inf is None:
        return code
    nan = Const(0) if nan is None else nan
    inf = Const(0) if inf is None else inf
    infinite = special_code(out, sat, sign if inf_sign is None else inf_sign, nan=False)
    return Mux(nan, special_code(out, sat, 0, nan=True), Mux(inf, infinite, code))


def with_sign(out: FloatFormat, sign: Value, magnitude: Value | int) -> Value:
    """A finite or infinite magnitude with its sign attached (zero stays +0 in formats without -0)."""
    width = out.bits - int(out.signed)
    magnitude = Const(magnitude, width) if isinstance(magnitude, int) else magnitude
    if not out.signed:
        return magnitude[:width]
    negative = sign & (magnitude != 0) if not out.has_negative_zero else sign
    return Cat(magnitude[:out.bits - 1], negative)


def special_code(out: FloatFormat, sat: bool, sign: Value, *, nan: bool) -> Value:
    """The code of a NaN result (``nan``) or of an infinite one of sign ``sign``.

    NaN is the canonical NaN (+0 for a format without NaN). Infinity is +-inf where the format
    has it, +-max when saturating or when it has neither inf nor NaN, and NaN otherwise.
    """
    if nan:
        return Const(out.nan_code if out.nan_code is not None else 0, out.bits)
    if sat or (not out.has_inf and out.nan_code is None):
        return with_sign(out, sign, out.max_code)
    if out.has_inf:
        return with_sign(out, sign, out.inf_code)
    return Const(out.nan_code, out.bits)
