"""Vectorised decode (codes to float64) and encode (float64 to codes) for any FloatFormat.

Encoding rounds exactly once: every format here has at most 24 significant bits and a
float64 holds any such value, and any product of two of them, exactly.

Policies the spec leaves open, chosen here and used by every model:

* NaN out is always the format's canonical NaN (``FloatFormat.nan_code``); a format with no
  NaN (``finite``) encodes NaN as +0.
* Overflow (after rounding) gives +-max when ``sat`` is true or the format has neither inf nor
  NaN; otherwise it gives inf/NaN when the rounding direction points away from zero (rne, rna,
  rup for positives, rdn for negatives) and +-max when it points towards zero (IEEE 754 7.4).
* +-inf in gives +-max when saturating or when the format has no inf and no NaN, else +-inf
  (ieee) or NaN (fn, fnuz), as the OCP OFP8 conversion rules say.
* fnuz and P3109 formats have no -0: a zero result is ``0x00``.
* E8M0 (unsigned, no zero): zero, negatives and NaN give NaN; values below 2**-127 give
  2**-127 (as ml_dtypes does).
"""

from __future__ import annotations

import numpy as np

from .formats import FloatFormat, IntFormat

#: The deterministic rounding modes: to nearest (ties to even, ties away), towards zero, up, down.
DETERMINISTIC: tuple[str, ...] = ("rne", "rtz", "rna", "rup", "rdn")
#: Every rounding mode; ``sr`` is stochastic rounding with explicit random bits.
ROUNDINGS: tuple[str, ...] = (*DETERMINISTIC, "sr")
#: Random bits per stochastic rounding, unless a unit's ``rbits`` says otherwise.
SR_BITS = 16


def decode(fmt: FloatFormat, codes: np.ndarray) -> np.ndarray:
    """Codes (any integer array) to float64 values; NaN codes give NaN."""
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


def round_integer(scaled: np.ndarray, negative: np.ndarray, rounding: str,
                  random: np.ndarray | None = None, rbits: int = SR_BITS) -> np.ndarray:
    """Round non-negative float64 magnitudes to integers, exactly, by mode and sign.

    ``sr`` (stochastic): the fraction truncated to ``rbits`` bits plus the ``rbits``-bit
    integer ``random``, truncated again: round up when ``floor(frac * 2**rbits) + random >=
    2**rbits``, i.e. with probability ``frac`` to within ``2**-rbits`` (an adder and a carry in
    hardware; gfloat's ``StochasticFastest`` mode).
    """
    floor = np.floor(scaled)
    with np.errstate(invalid="ignore"):  # inf magnitudes stay inf: the caller clamps or maps them
        frac = scaled - floor  # exact
        return floor + _rounds_up(floor, frac, negative, rounding, random, rbits)


def _rounds_up(floor, frac, negative, rounding, random, rbits):
    if rounding == "sr":
        if random is None:
            raise ValueError("stochastic rounding needs random bits")
        up = np.floor(np.ldexp(frac, rbits)) + np.asarray(random, np.float64) >= 2.0**rbits
    elif rounding == "rne":
        up = (frac > 0.5) | ((frac == 0.5) & (np.fmod(floor, 2) == 1))
    elif rounding == "rtz":
        up = np.zeros_like(negative)
    elif rounding == "rna":
        up = frac >= 0.5
    elif rounding == "rup":
        up = (frac > 0) & ~negative
    elif rounding == "rdn":
        up = (frac > 0) & negative
    else:
        raise ValueError(f"rounding must be one of {', '.join(ROUNDINGS)}, not {rounding!r}")
    return up


def rounds_away(rounding: str, negative: np.ndarray) -> np.ndarray:
    """Whether an overflowing value of this sign rounds to infinity (True) or to max (False).

    A stochastically rounded value overflows only when it was rounded up past max: infinity.
    """
    if rounding in ("rne", "rna", "sr"):
        return np.ones_like(negative)
    if rounding == "rtz":
        return np.zeros_like(negative)
    return ~negative if rounding == "rup" else negative


def encode(fmt: FloatFormat, values: np.ndarray, rounding: str = "rne", sat: bool = False,
           random: np.ndarray | None = None, rbits: int = SR_BITS) -> np.ndarray:
    """float64 values to codes (int64), rounded once with ``rounding``; see the module docstring.
    ``random`` (``rbits``-bit integers, broadcast against ``values``) drives ``sr``."""
    x = np.asarray(values, dtype=np.float64)
    negative = np.signbit(x)
    mag = np.abs(x)
    nan = np.isnan(x)
    inf = np.isinf(x)
    finite = ~(nan | inf)
    safe = np.where(finite, mag, 1.0)
    m = fmt.man_bits

    _, k = np.frexp(safe)
    qexp = np.maximum(k.astype(np.int64) - 1, fmt.emin) - m
    with np.errstate(over="ignore", under="ignore"):
        scaled = np.ldexp(safe, (-qexp).astype(np.int32))
    n = round_integer(scaled, negative, rounding, random, rbits).astype(np.int64)
    if m == 0 and rounding == "rne" and fmt.policy == "p3109":
        # No mantissa bits: ties go to the even code, whose last bit is the exponent's (P3109,
        # gfloat). E8M0 keeps ml_dtypes' rule: ties round up.
        n = np.where(scaled == 1.5, np.where((qexp + fmt.bias) % 2 == 1, 2, 1), n)
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
        signed = negative & ~is_nan_result
        if not fmt.has_negative_zero:
            signed &= code != 0
        code = np.where(signed, code | fmt.sign_mask, code)
    else:
        code = np.where(negative | (finite & (mag == 0)), fmt.nan_code, code)
    return code.astype(np.int64)


def int_value(fmt: IntFormat, codes: np.ndarray) -> np.ndarray:
    """Integer codes (unsigned bit patterns) to their values, two's complement when signed."""
    codes = np.asarray(codes).astype(np.int64)
    if fmt.signed:
        return codes - ((codes >> (fmt.bits - 1)) & 1) * (1 << fmt.bits)
    return codes


def value(fmt: FloatFormat | IntFormat, codes: np.ndarray) -> np.ndarray:
    """Codes of either kind of format to their values (float64 or int64)."""
    return decode(fmt, codes) if isinstance(fmt, FloatFormat) else int_value(fmt, codes)
