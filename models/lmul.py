"""L-Mul (Luo & Sun 2024): a float multiplication approximated by one integer addition.

Three models:

:func:`lmul`
    The bit-exact hardware approximation the RTL must match. The exponent+mantissa fields of
    the two operands are added as integers, the bias (``bias << m``) subtracted and the offset
    ``2**(m - l(m))`` added in mantissa LSBs; the sign is the XOR of the signs. A mantissa carry
    spills into the exponent, so when ``xm + ym + 2**-l >= 1`` the result is
    ``2**(xe+ye+1) * (xm + ym + 2**-l)`` (Mitchell style), as the paper's own fp32 code does.
:func:`lmul_literal`
    The paper's formula read literally, ``(1 + xm + ym + 2**-l) * 2**(xe+ye)``, rounded once.
:func:`lmul_values`
    L-Mul with an m-bit mantissa applied to wide values (fp32/bf16 inputs rounded or truncated
    to ``e8m{m}``), as the paper evaluates it.

The paper leaves the special cases open. arithbench's choices, all in :func:`lmul`:

* a zero operand gives a signed zero (sign XOR; +0 in fnuz formats);
* subnormal operands: ``sub="flush"`` (default) treats them as zero; ``sub="raw"`` feeds their
  bit fields to the adder unchanged, as the paper's fp32 PTX does;
* exponent underflow (the sum's exponent field at or below 0) flushes to a signed zero;
* exponent overflow gives +-max with ``sat=True`` (default), else +-inf (ieee) or NaN (fn,
  fnuz);
* NaN in, or inf times zero, gives the canonical NaN; inf times a non-zero gives +-inf
  (+-max when ``sat``, NaN where the format has no inf), as :func:`~.mul.fp_mul` does.
"""

from __future__ import annotations

import functools

import numpy as np

from .codec import decode, encode, split
from .formats import FloatFormat, float_format
from .rounding import Mode
from .table import TABLE_BITS, lookup

SUBNORMAL_POLICIES = ("flush", "raw")


def paper_l(m: int) -> int:
    """The paper's l(m): m for m <= 3, 3 for m = 4, 4 for m > 4."""
    return m if m <= 3 else (3 if m == 4 else 4)


def offset_lsbs(fmt: FloatFormat, offset: str | int = "paper") -> int:
    """The constant added, in mantissa LSBs: ``2**(m - l(m))`` for ``"paper"``, else ``offset``."""
    if offset == "paper":
        return 1 << (fmt.man_bits - paper_l(fmt.man_bits))
    return int(offset)


def _fields(fmt: FloatFormat, code: np.ndarray):
    code = np.asarray(code).astype(np.int64)
    mag = code & ((1 << (fmt.bits - 1)) - 1)
    sign = (code >> (fmt.bits - 1)) & 1
    exp = mag >> fmt.man_bits
    return code, mag, sign, exp


def lmul(fmt: FloatFormat, a: np.ndarray, b: np.ndarray, *, offset: str | int = "paper",
         sub: str = "flush", sat: bool = True) -> np.ndarray:
    """Bit-exact L-Mul codes; see the module docstring for every special case."""
    if sub not in SUBNORMAL_POLICIES:
        raise ValueError(f"sub must be one of {', '.join(SUBNORMAL_POLICIES)}, not {sub!r}")
    compute = functools.partial(_lmul, fmt, offset=offset, sub=sub, sat=sat)
    if fmt.bits <= TABLE_BITS:
        return lookup(compute, fmt.bits, ("lmul", fmt, offset, sub, sat), a, b)
    return compute(a, b)


def _lmul(fmt: FloatFormat, a: np.ndarray, b: np.ndarray, *, offset, sub: str, sat: bool) -> np.ndarray:
    a, mag_a, sign_a, exp_a = _fields(fmt, a)
    b, mag_b, sign_b, exp_b = _fields(fmt, b)
    sign = sign_a ^ sign_b
    total = mag_a + mag_b - (fmt.bias << fmt.man_bits) + offset_lsbs(fmt, offset)

    zero_a, nan_a, inf_a = _classes(fmt, a)
    zero_b, nan_b, inf_b = _classes(fmt, b)
    zero = zero_a | zero_b
    if sub == "flush":
        zero |= (exp_a == 0) | (exp_b == 0)
    nan_in, inf_in = nan_a | nan_b, inf_a | inf_b
    infinite = inf_in & ~zero & ~nan_in
    specials, overs, zeros = _sign_codes(fmt, sat)
    special, over_code, zero_code = specials[sign, infinite.astype(np.int64)], overs[sign], zeros[sign]
    result = (sign << (fmt.bits - 1)) | total
    result = np.where(total > fmt.max_code, over_code, result)
    result = np.where(total < (1 << fmt.man_bits), zero_code, result)
    result = np.where(zero, zero_code, result)
    result = np.where(nan_in | inf_in, special, result)
    return result.astype(np.int64)


@functools.lru_cache(maxsize=32)
def _sign_codes(fmt: FloatFormat, sat: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Results that depend only on the sign (index 0: positive): NaN or surviving infinity
    (second index 1), overflow, zero."""
    with np.errstate(invalid="ignore"):
        specials = encode(fmt, np.array([[np.nan, np.inf], [-np.nan, -np.inf]]), sat=sat)
    tables = specials, encode(fmt, np.array([np.inf, -np.inf]), sat=sat), encode(fmt, np.array([0.0, -0.0]))
    for table in tables:
        table.flags.writeable = False
    return tables


def _classes(fmt: FloatFormat, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(zero, NaN, inf) of each code, through :func:`arithbench.models.codec.split`."""
    _, sig, _, nan, inf = split(fmt, codes)
    return (sig == 0) & ~(nan | inf), nan, inf


def lmul_literal(fmt: FloatFormat, a: np.ndarray, b: np.ndarray, *, offset: str | int = "paper",
                 rounding: str = Mode.RNE, sat: bool = True) -> np.ndarray:
    """``(1 + xm + ym + off) * 2**(xe + ye)`` with signs, rounded once into ``fmt``.

    Zero and subnormal operands give zero, as :func:`lmul` does with ``sub="flush"``.
    """
    off = offset_lsbs(fmt, offset) / 2**fmt.man_bits
    va, vb = decode(fmt, a), decode(fmt, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ea, eb = np.floor(np.log2(np.abs(va))), np.floor(np.log2(np.abs(vb)))
        xm, ym = np.abs(va) / 2**ea - 1, np.abs(vb) / 2**eb - 1
        value = np.sign(va) * np.sign(vb) * (1 + xm + ym + off) * 2.0 ** (ea + eb)
        tiny = (np.abs(va) < fmt.min_normal) | (np.abs(vb) < fmt.min_normal)
        value = np.where(tiny & np.isfinite(va) & np.isfinite(vb), np.sign(va) * np.sign(vb) * 0.0, value)
        value = np.where(np.isfinite(va) & np.isfinite(vb), value, va * vb)
    return encode(fmt, value, rounding, sat)


def lmul_values(x: np.ndarray, y: np.ndarray, m: int, *, inputs: str = Mode.RNE) -> np.ndarray:
    """L-Mul with an m-bit mantissa on wide values: ``x`` and ``y`` are rounded (``rne``) or
    truncated (``rtz``) to ``e8m{m}`` (fp32's exponent range), multiplied bit-exactly with
    :func:`lmul`, and returned as float64."""
    fmt = float_format(f"e8m{m}ieee")
    a, b = encode(fmt, x, inputs, sat=True), encode(fmt, y, inputs, sat=True)
    return decode(fmt, lmul(fmt, a, b))
