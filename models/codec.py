"""Vectorised decode (codes to float64) and encode (float64 to codes) for any FloatFormat.

Encoding rounds exactly once: every format here has at most 24 significant bits and a
float64 holds any such value, and any product of two of them, exactly.

Policies the spec leaves open, chosen here and used by every model:

* NaN out is always the format's canonical NaN (``FloatFormat.nan_code``); a format with no
  NaN (``finite``) encodes NaN as +0.
* Overflow (after rounding) gives +-max when ``sat`` is true or the format has neither inf nor
  NaN; otherwise it gives inf/NaN when the rounding would round up a magnitude past max (rne,
  rna, sr, rup for positives, rdn for negatives: :func:`rounds_away`) and +-max when it would
  not (IEEE 754 7.4).
* +-inf in gives +-max when saturating or when the format has no inf and no NaN, else +-inf
  (ieee) or NaN (fn, fnuz), as the OCP OFP8 conversion rules say.
* fnuz and P3109 formats have no -0: a zero result is ``0x00``.
* E8M0 (unsigned, no zero): zero, negatives and NaN give NaN; values below 2**-127 give
  2**-127 (as ml_dtypes does).
* Lookup formats (NF4): :func:`decode` reads the table, :func:`encode` rounds to the nearest
  table value (ties as the format says: NF4's go down, as bitsandbytes') or stochastically
  (``sr``); values beyond the table's ends saturate, NaN gives the code of 0.0
  (:func:`lookup_encode`).
"""

from __future__ import annotations

import functools

import numpy as np

from .formats import FloatFormat, IntFormat, LookupFormat
from .rounding import DETERMINISTIC, MODES as ROUNDINGS, SR_BITS, Mode  # noqa: F401  (the modes, for callers)


def decode(fmt: FloatFormat | LookupFormat, codes: np.ndarray) -> np.ndarray:
    """Codes (any integer array) to float64 values; NaN codes give NaN."""
    if isinstance(fmt, LookupFormat):
        return np.asarray(fmt.values, np.float64)[np.asarray(codes).astype(np.intp)]
    codes = np.asarray(codes).astype(np.int64)
    m = fmt.man_bits
    exp = (codes >> m) & fmt.exp_max_code
    man = codes & fmt.man_max_code
    if fmt.subnormals:
        sig = np.where(exp == 0, man, man | (1 << m))
        qexp = np.maximum(exp, 1) - fmt.bias - m
    else:
        sig = man | (1 << m)
        qexp = exp - fmt.bias - m
    value = np.ldexp(sig.astype(np.float64), qexp.astype(np.int32))
    if fmt.policy == "ieee":
        top = exp == fmt.exp_max_code
        value = np.where(top & (man == 0), np.inf, value)
        value = np.where(top & (man != 0), np.nan, value)
    elif fmt.policy == "fn":
        value = np.where((exp == fmt.exp_max_code) & (man == fmt.man_max_code), np.nan, value)
    elif fmt.policy == "p3109":
        value = np.where((exp == fmt.exp_max_code) & (man == fmt.man_max_code), np.inf, value)
    if fmt.signed:
        negative = (codes >> (fmt.bits - 1)) & 1 == 1
        value = np.where(negative, -value, value)
        if fmt.policy in ("fnuz", "p3109"):
            value = np.where(codes == fmt.sign_mask, np.nan, value)
    return value


def rounds_up(rounding: str, negative: np.ndarray, lsb, guard, sticky, carry=None) -> np.ndarray:
    """Whether a truncated magnitude is rounded up: the one rounding decision of the models.

    ``lsb`` is the truncated magnitude's last bit (for ties to even), ``guard`` the first dropped
    bit and ``sticky`` whether any bit below it was set; ``negative`` the value's sign, which
    the directed modes see. Stochastic rounding (``sr``) rounds up on ``carry``, the carry out of
    its random bits added to the dropped fraction.
    """
    negative = np.asarray(negative, bool)
    if rounding == Mode.SR:
        if carry is None:
            raise ValueError("stochastic rounding needs random bits")
        return np.asarray(carry, bool)
    if rounding == Mode.RNE:
        return np.asarray(guard & (sticky | lsb), bool)
    if rounding == Mode.RTZ:
        return np.zeros(np.shape(guard), bool)
    if rounding == Mode.RNA:
        return np.asarray(guard, bool)
    if rounding == Mode.RUP:
        return (guard | sticky) & ~negative
    if rounding == Mode.RDN:
        return (guard | sticky) & negative
    raise ValueError(f"rounding must be one of {', '.join(ROUNDINGS)}, not {rounding!r}")


def round_shift(sig: np.ndarray, shift: np.ndarray, negative: np.ndarray, rounding: str,
                random: np.ndarray | None = None, rbits: int = SR_BITS, odd=None) -> np.ndarray:
    """``sig * 2**-shift`` rounded to an integer by ``rounding``: the one definition of rounding
    every model uses (it mirrors :func:`arithbench.rtl.float_logic.round_and_pack`), deciding
    by :func:`rounds_up`.

    ``sig`` are non-negative integers below 2**62, ``shift`` non-negative integers of any size.
    Ties to even look at the truncated result's last bit, or at ``odd(truncated)`` when given.
    ``sr`` (stochastic): the first ``rbits`` dropped bits plus the ``rbits``-bit integer
    ``random``; round up on a carry, i.e. with probability equal to the fraction to within
    ``2**-rbits`` (an adder and a carry in hardware; gfloat's ``StochasticFastest`` mode).
    """
    sig = np.asarray(sig, np.int64)
    shift = np.asarray(shift, np.int64)
    far = shift > 62  # every bit of sig is dropped, and below half
    s = np.where(far, 0, shift)
    n = np.where(far, 0, sig >> s)
    rem = sig - (n << s)  # the dropped bits, in units of 2**-shift
    half = np.where(far, -1, np.left_shift(1, np.maximum(s - 1, 0)) * (s > 0))
    guard = (half > 0) & (rem >= half)
    sticky = np.where(guard, rem - half, rem) != 0
    carry = None
    if rounding == Mode.SR and random is not None:
        d = shift - rbits
        fraction = np.where(d >= 0, rem >> np.clip(d, 0, 63), rem << np.clip(-d, 0, 63))
        carry = fraction + np.asarray(random, np.int64) >= (1 << rbits)
    lsb = (n & 1 == 1) if odd is None else odd(n)
    return n + rounds_up(rounding, negative, lsb, guard, sticky, carry)


def split_float64(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """float64 values to (negative, sig, exp, nan, inf) with ``|x| = sig * 2**exp`` exactly
    (``sig`` below 2**53; 0 for NaN and inf)."""
    bits = np.ascontiguousarray(x, np.float64).view(np.int64)
    biased = (bits >> 52) & 0x7FF
    fraction = bits & ((1 << 52) - 1)
    nan, inf = (biased == 0x7FF) & (fraction != 0), (biased == 0x7FF) & (fraction == 0)
    sig = np.where(biased == 0, fraction, fraction | (1 << 52))
    return bits < 0, np.where(nan | inf, 0, sig), np.maximum(biased, 1) - 1075, nan, inf


def _split(fmt: FloatFormat, codes: np.ndarray) -> tuple[np.ndarray, ...]:
    negative, sig, exp, nan, inf = split_float64(decode(fmt, codes))
    drop = 52 - fmt.man_bits  # float64 holds a format's significand with this many trailing zeros
    return negative, sig >> drop, exp + drop, nan, inf


@functools.lru_cache(maxsize=16)
def _field_table(fmt: FloatFormat) -> tuple[np.ndarray, ...]:
    fields = _split(fmt, np.arange(1 << fmt.bits))
    for f in fields:
        f.flags.writeable = False
    return fields


def split(fmt: FloatFormat, codes: np.ndarray) -> tuple[np.ndarray, ...]:
    """Codes to (negative, sig, exp, nan, inf) with ``|value| = sig * 2**exp`` and ``sig`` below
    ``2**(man_bits + 1)`` (0 for NaN and inf): through a table of every code for formats up to
    16 bits."""
    if fmt.bits <= 16:
        index = np.asarray(codes, np.intp)
        return tuple(f[index] for f in _field_table(fmt))
    return _split(fmt, codes)


def round_integer(scaled: np.ndarray, negative: np.ndarray, rounding: str,
                  random: np.ndarray | None = None, rbits: int = SR_BITS) -> np.ndarray:
    """Non-negative float64 magnitudes rounded to integers (float64) by :func:`round_shift`;
    inf stays inf."""
    scaled = np.asarray(scaled, np.float64)
    _, sig, exp, _, inf = split_float64(scaled)
    rounded = round_shift(sig, np.maximum(-exp, 0), negative, rounding, random, rbits).astype(np.float64)
    return np.where(inf, np.inf, np.where(exp >= 0, scaled, rounded))


def round_signed(x: np.ndarray, rounding: str = Mode.RNE, random: np.ndarray | None = None,
                 rbits: int = SR_BITS) -> np.ndarray:
    """Signed float64 values rounded to integers (float64): the magnitude by
    :func:`round_integer`, the sign kept (directed modes see it)."""
    x = np.asarray(x, np.float64)
    negative = x < 0
    return np.where(negative, -1.0, 1.0) * round_integer(np.abs(x), negative, rounding, random, rbits)


def rounds_away(rounding: str, negative: np.ndarray) -> np.ndarray:
    """Whether a value of this sign beyond the largest finite one rounds to infinity (True) or to
    max (False): exactly when the rounding rounds up a magnitude with its guard and sticky bits
    set (HardFloat's ``overflow_roundMagUp``). A stochastically rounded value overflows only
    when it was rounded up (its carry set), so to infinity."""
    return rounds_up(rounding, negative, lsb=False, guard=True, sticky=True, carry=True)


def encode(fmt: FloatFormat | LookupFormat, values: np.ndarray, rounding: str = Mode.RNE, sat: bool = False,
           random: np.ndarray | None = None, rbits: int = SR_BITS) -> np.ndarray:
    """float64 values to codes (int64), rounded once with ``rounding``; see the module docstring.
    ``random`` (``rbits``-bit integers, broadcast against ``values``) drives ``sr``. A lookup
    format always saturates (``sat`` is not asked) and takes ``rne`` or ``sr``."""
    if isinstance(fmt, LookupFormat):
        return lookup_encode(fmt, values, rounding, random, rbits)
    negative, sig, exp, nan, inf = split_float64(np.asarray(values, np.float64))
    return pack(fmt, negative, sig, exp, rounding, sat, random, rbits, nan=nan, inf=inf)


def pack(fmt: FloatFormat, negative: np.ndarray, sig: np.ndarray, exp: np.ndarray, rounding: str = Mode.RNE,
         sat: bool = False, random: np.ndarray | None = None, rbits: int = SR_BITS, *,
         nan: np.ndarray | bool = False, inf: np.ndarray | bool = False) -> np.ndarray:
    """Codes (int64) of the exact values ``(-1)**negative * sig * 2**exp`` (``sig`` a
    non-negative integer below 2**53) rounded once into ``fmt``, or NaN / +-inf where ``nan`` /
    ``inf`` say so; see the module docstring for the policies."""
    sig = np.asarray(sig, np.int64)
    negative = np.asarray(negative, bool)
    nan, inf = np.asarray(nan, bool), np.asarray(inf, bool)
    finite = ~(nan | inf)
    m = fmt.man_bits
    _, length = np.frexp(sig.astype(np.float64))  # exact bit length: sig < 2**53
    qexp = np.maximum(np.asarray(exp, np.int64) + length.astype(np.int64) - 1, fmt.emin) - m  # the result's LSB
    shift = qexp - exp
    odd = None
    if m == 0 and fmt.policy == "p3109":
        # No mantissa bits: a tie goes to the even code, whose last bit is the exponent's
        # (P3109, gfloat). E8M0 keeps ml_dtypes' rule: ties round up.
        odd = lambda n: (n == 1) & ((qexp + fmt.bias) % 2 == 1)  # noqa: E731
    n = round_shift(sig, np.maximum(shift, 0), negative, rounding, random, rbits, odd)
    n = np.where(shift < 0, sig << np.clip(-shift, 0, 62), n)
    carry = n >> (m + 1) == 1
    n = np.where(carry, n >> 1, n)
    qexp = qexp + carry
    normal = n >= (1 << m)
    biased = np.where(normal, qexp + m + fmt.bias, 0)
    man = np.where(normal, n - (1 << m), n)
    if not fmt.subnormals:
        # No zero and no subnormals: anything that rounded to 0 clamps to the smallest code.
        biased = np.where(n == 0, 0, biased)
        man = np.where(n == 0, 0, man)
    code = (biased << m) | man
    over = (biased > fmt.max_biased_exp) | (
        (biased == fmt.max_biased_exp) & (man > fmt.max_mantissa_at_top)
    )

    big = fmt.inf_code if fmt.has_inf else fmt.nan_code
    if sat or big is None:
        overflow_code = np.full_like(code, fmt.max_code)
        inf_code = overflow_code
    else:
        overflow_code = np.where(rounds_away(rounding, negative), big, fmt.max_code)
        inf_code = np.full_like(code, big)
    code = np.where(over & finite, overflow_code, code)
    code = np.where(inf, inf_code, code)

    code = np.where(nan, fmt.nan_code if fmt.nan_code is not None else 0, code)
    is_nan_result = code == fmt.nan_code if fmt.nan_code is not None else np.zeros_like(nan)
    if fmt.signed:
        signed = negative & ~is_nan_result & ~nan  # NaN into a format without NaN is +0, whatever its sign
        if not fmt.has_negative_zero:
            signed &= code != 0
        code = np.where(signed, code | fmt.sign_mask, code)
    else:
        code = np.where(negative | (finite & (sig == 0)), fmt.nan_code, code)
    return code.astype(np.int64)


def int_value(fmt: IntFormat, codes: np.ndarray) -> np.ndarray:
    """Integer codes (unsigned bit patterns) to their values, two's complement when signed."""
    codes = np.asarray(codes).astype(np.int64)
    if fmt.signed:
        return codes - ((codes >> (fmt.bits - 1)) & 1) * (1 << fmt.bits)
    return codes


def value(fmt: FloatFormat | IntFormat | LookupFormat, codes: np.ndarray) -> np.ndarray:
    """Codes of any kind of format to their values (float64, or int64 for integers)."""
    return int_value(fmt, codes) if isinstance(fmt, IntFormat) else decode(fmt, codes)


def lookup_encode(fmt: LookupFormat, values: np.ndarray, rounding: str = Mode.RNE, random: np.ndarray | None = None,
                  rbits: int = SR_BITS) -> np.ndarray:
    """float64 values to the codes (int64) of a lookup format's table.

    ``rne``: the nearest table value; a value exactly on the midpoint of two neighbours goes as
    ``fmt.ties`` says (``down``: to the lower one; ``even``: to the even code). The midpoints are
    exact in float64 (the table's values are float32). ``sr``: between its neighbours ``lo <= v <
    hi`` a value rounds up when ``floor((v - lo) / (hi - lo) * 2**rbits) + random >= 2**rbits``,
    so with probability its fraction of the gap to within ``2**-rbits`` (the fraction is computed
    in float64). Beyond the table's ends values saturate; NaN gives the code of 0.0.
    """
    v = np.asarray(values, np.float64)
    table = np.asarray(fmt.values, np.float64)
    nan = np.isnan(v)
    v = np.clip(np.where(nan, 0.0, v), table[0], table[-1])
    if rounding == Mode.RNE:
        mids = (table[1:] + table[:-1]) / 2
        code = np.searchsorted(mids, v, side="left")  # midpoints strictly below v: ties stay down
        if fmt.ties == "even":
            tie = (code < len(mids)) & (v == mids[np.minimum(code, len(mids) - 1)])
            code = np.where(tie & (code % 2 == 1), code + 1, code)
    elif rounding == Mode.SR:
        if random is None:
            raise ValueError("stochastic rounding needs random bits")
        low = np.clip(np.searchsorted(table, v, side="right") - 1, 0, len(table) - 2)
        fraction = (v - table[low]) / (table[low + 1] - table[low])
        scaled = np.floor(fraction * (1 << rbits)).astype(np.int64)
        code = low + (scaled + np.asarray(random, np.int64) >= (1 << rbits))
    else:
        raise ValueError(f"a lookup format rounds to nearest (rne) or stochastically (sr), not {rounding!r}")
    return np.where(nan, fmt.zero_code, code).astype(np.int64)
