"""Number formats as data: float ExMy descriptors, integer descriptors, named instances.

A float format is ``sign? | exponent (x bits) | mantissa (y bits)``. Its special-value
policy says what the top exponent codes mean:

``ieee``
    IEEE 754 style: all-ones exponent with zero mantissa is +-inf, with any other
    mantissa a NaN (e5m2, fp16, bf16, fp32).
``fn``
    OCP "finite + NaN": no inf; only the all-ones exponent *and* all-ones mantissa is NaN
    (one NaN pattern per sign), every other code is finite (e4m3, e8m0).
``fnuz``
    No inf, no negative zero: code ``1000...0`` is the one NaN, every other code is
    finite; the bias is one higher than the IEEE-style bias (e4m3fnuz, e5m2fnuz).
``finite``
    Every code is a finite number: no inf, no NaN (OCP FP6 and FP4 elements).
``p3109``
    IEEE P3109 extended domain (interim report, signed): ``1000...0`` is the one NaN, the
    all-ones magnitude is +-inf (0x7F, 0xFF), there is no negative zero, subnormals are
    there; ``binary8pP`` has precision P = 1..7 (P - 1 mantissa bits, 8 - P exponent bits) and
    bias ``2**(7 - P)``.

Integer formats (:class:`IntFormat`) are two's complement or unsigned; their scaled quantizer
range is symmetric (-7..7 for int4) or full (-8..7), see :meth:`IntFormat.quantizer_range`.
Lookup formats (:class:`LookupFormat`, NF4) decode a code through a table of values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..errors import UsageError

Policy = Literal["ieee", "fn", "fnuz", "finite", "p3109"]
POLICIES: tuple[str, ...] = ("ieee", "fn", "fnuz", "finite", "p3109")

#: Widest float format the models and components accept (exponent, mantissa).
MAX_EXP_BITS = 8
MAX_MAN_BITS = 23


@dataclass(frozen=True)
class FloatFormat:
    """A binary floating-point format.

    Parameters
    ----------
    name:
        Short name used on the command line and in module names.
    exp_bits, man_bits:
        Field widths. ``exp_bits`` is 1..8, ``man_bits`` is 0..23.
    bias:
        Exponent bias: a normal code's value is ``2**(E - bias) * (1 + M / 2**man_bits)``.
    policy:
        Special-value policy, see the module docstring.
    signed:
        False only for E8M0, which has no sign bit.
    subnormals:
        False only for E8M0, whose ``E = 0`` code is the normal value ``2**-bias``.
    """

    name: str
    exp_bits: int
    man_bits: int
    bias: int
    policy: Policy
    signed: bool = True
    subnormals: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.exp_bits <= MAX_EXP_BITS:
            raise UsageError(
                f"format {self.name!r}: exponent bits must be 1..{MAX_EXP_BITS}, not {self.exp_bits!r}"
            )
        if not 0 <= self.man_bits <= MAX_MAN_BITS:
            raise UsageError(
                f"format {self.name!r}: mantissa bits must be 0..{MAX_MAN_BITS}, not {self.man_bits!r}"
            )
        if self.policy not in POLICIES:
            raise UsageError(
                f"format {self.name!r}: policy must be one of {', '.join(POLICIES)}, not {self.policy!r}"
            )
        if self.policy == "ieee" and self.exp_bits < 2:
            raise UsageError(f"format {self.name!r}: an ieee policy needs at least 2 exponent bits")
        if self.policy == "ieee" and self.man_bits < 1:
            raise UsageError(f"format {self.name!r}: an ieee policy needs at least 1 mantissa bit "
                             "(NaN is a non-zero mantissa under the top exponent); use fn or finite")
        if self.policy in ("fnuz", "p3109") and not self.signed:
            raise UsageError(f"format {self.name!r}: {self.policy} needs a sign bit")

    kind = "float"

    @property
    def ieee_standard(self) -> bool:
        """An IEEE 754 interchange format (fp16, bf16, fp32) or an ``eXmYieee``: IEEE overflow
        (inf) is its default. OCP E5M2 shares the encoding but not the default (it saturates)."""
        return self.policy == "ieee" and self.name != "e5m2"

    @property
    def saturates_by_default(self) -> bool:
        """The ``sat`` default everywhere: overflow to inf for IEEE and P3109 formats (gfloat's
        default for P3109 too), saturation (OCP's saturating mode) for the others."""
        return not (self.ieee_standard or self.policy == "p3109")

    # -- layout -----------------------------------------------------------------
    @property
    def bits(self) -> int:
        return int(self.signed) + self.exp_bits + self.man_bits

    @property
    def sign_mask(self) -> int:
        return (1 << (self.bits - 1)) if self.signed else 0

    @property
    def exp_max_code(self) -> int:
        """The all-ones exponent field."""
        return (1 << self.exp_bits) - 1

    @property
    def man_max_code(self) -> int:
        return (1 << self.man_bits) - 1

    # -- range ------------------------------------------------------------------
    @property
    def emin(self) -> int:
        """Unbiased exponent of the smallest normal binade (and of the subnormal quantum's binade)."""
        return (1 if self.subnormals else 0) - self.bias

    @property
    def max_biased_exp(self) -> int:
        """Largest biased exponent that holds finite values."""
        if self.policy == "ieee" or (self.policy in ("fn", "p3109") and self.man_bits == 0):
            return self.exp_max_code - 1
        return self.exp_max_code

    @property
    def max_mantissa_at_top(self) -> int:
        """Largest mantissa code allowed with ``max_biased_exp``."""
        if self.policy in ("fn", "p3109") and self.man_bits > 0:
            return self.man_max_code - 1
        return self.man_max_code

    @property
    def emax(self) -> int:
        return self.max_biased_exp - self.bias

    @property
    def max_normal(self) -> float:
        return 2.0**self.emax * (1 + self.max_mantissa_at_top / 2**self.man_bits)

    @property
    def min_normal(self) -> float:
        return 2.0**self.emin

    @property
    def min_subnormal(self) -> float:
        return 2.0 ** (self.emin - self.man_bits) if self.subnormals else self.min_normal

    # -- special codes ----------------------------------------------------------
    @property
    def has_inf(self) -> bool:
        return self.policy in ("ieee", "p3109")

    @property
    def has_nan(self) -> bool:
        return self.policy != "finite"

    @property
    def has_negative_zero(self) -> bool:
        return self.signed and self.policy not in ("fnuz", "p3109")

    @property
    def inf_code(self) -> int | None:
        """Code of +inf (or None): all-ones exponent (ieee) or all-ones magnitude (p3109)."""
        if self.policy == "p3109":
            return (self.exp_max_code << self.man_bits) | self.man_max_code
        return self.exp_max_code << self.man_bits if self.has_inf else None

    @property
    def nan_code(self) -> int | None:
        """The canonical NaN every arithbench model and component produces (or None).

        ieee: positive quiet NaN (mantissa MSB set); fn: positive all-ones; fnuz, p3109: ``100..0``.
        """
        if self.policy == "ieee":
            return (self.exp_max_code << self.man_bits) | (1 << max(self.man_bits - 1, 0))
        if self.policy == "fn":
            return (self.exp_max_code << self.man_bits) | self.man_max_code
        if self.policy in ("fnuz", "p3109"):
            return 1 << (self.bits - 1)
        return None

    @property
    def max_code(self) -> int:
        """Code of the largest finite positive value."""
        return (self.max_biased_exp << self.man_bits) | self.max_mantissa_at_top

    def facts(self) -> dict[str, object]:
        """Everything ``arithbench formats`` prints about the format."""
        return {
            "name": self.name,
            "bits": self.bits,
            "exp_bits": self.exp_bits,
            "man_bits": self.man_bits,
            "bias": self.bias,
            "policy": self.policy,
            "max_normal": self.max_normal,
            "min_normal": self.min_normal,
            "min_subnormal": self.min_subnormal,
            "inf": None if self.inf_code is None else hex(self.inf_code),
            "nan": None if self.nan_code is None else hex(self.nan_code),
        }


@dataclass(frozen=True)
class IntFormat:
    """A two's complement (signed) or unsigned binary integer, 2 to 32 bits."""

    bits: int
    signed: bool = True

    kind = "int"

    def __post_init__(self) -> None:
        if not isinstance(self.bits, int) or not 2 <= self.bits <= 32:
            raise UsageError(f"integer width must be 2..32 bits, not {self.bits!r}")

    @property
    def name(self) -> str:
        return f"{'int' if self.signed else 'uint'}{self.bits}"

    @property
    def min_value(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max_value(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def quantizer_range(self, int_range: str = "symmetric") -> tuple[int, int]:
        """The codes a scaled quantizer uses (:mod:`arithbench.models.scaled`): ``symmetric``
        (the default) leaves out the most negative code, so int4 is -7..7 and int8 -127..127 and
        the scale maps +-amax to +-max alike (the usual weight format: GPTQ, AWQ); ``full`` is
        the whole two's complement range, -8..7 for int4. Unsigned formats have one range."""
        if int_range not in INT_RANGES:
            raise UsageError(f"int_range must be one of {', '.join(INT_RANGES)}, not {int_range!r}")
        if not self.signed:
            return 0, self.max_value
        return (-self.max_value if int_range == "symmetric" else self.min_value), self.max_value

    def facts(self) -> dict[str, object]:
        return {"name": self.name, "bits": self.bits, "signed": self.signed,
                "min": self.min_value, "max": self.max_value}


#: The ranges :meth:`IntFormat.quantizer_range` takes: symmetric (-7..7 for int4) or full (-8..7).
INT_RANGES = ("symmetric", "full")


@dataclass(frozen=True)
class LookupFormat:
    """A format whose codes index a table of values (NF4): code ``i`` is ``values[i]``.

    ``values`` are sorted ascending, so quantizing to the nearest value is a search among the
    midpoints of neighbours. ``ties`` says where a value exactly on a midpoint goes: ``down``
    (to the lower value, the smaller code) or ``even`` (to the even code). A lookup format has
    no inf and no NaN: beyond its ends values saturate to the end values, and NaN encodes as the
    code of 0.0 (as formats without NaN encode it as +0, see :mod:`.codec`).
    """

    name: str
    bits: int
    values: tuple[float, ...]
    ties: Literal["down", "even"]
    source: str

    kind = "lookup"
    signed = True

    def __post_init__(self) -> None:
        if len(self.values) != 1 << self.bits or list(self.values) != sorted(set(self.values)):
            raise UsageError(f"lookup format {self.name!r}: needs 2**{self.bits} distinct ascending values")
        if self.ties not in ("down", "even"):
            raise UsageError(f"lookup format {self.name!r}: ties must be down or even, not {self.ties!r}")

    @property
    def max_normal(self) -> float:
        """The largest magnitude (the scale rules' ``max_elem``)."""
        return max(abs(self.values[0]), abs(self.values[-1]))

    @property
    def zero_code(self) -> int:
        return self.values.index(0.0)

    def facts(self) -> dict[str, object]:
        return {"name": self.name, "bits": self.bits, "values": list(self.values), "ties": self.ties,
                "source": self.source}


#: NF4, QLoRA's 4-bit NormalFloat (Dettmers et al. 2023, arXiv 2305.14314): the 16 values exactly as
#: bitsandbytes publishes them (bitsandbytes/functional.py, ``get_4bit_type("nf4")``, "Generated by:
#: create_normal_map(offset=0.9677083, use_extra_value=True)"; github.com/bitsandbytes-foundation/
#: bitsandbytes, checked at commit 95f9af3, 2026-08-19), not re-derived. Each is a float32 value.
#: Ties go down: bitsandbytes' CUDA quantizer ``dQuantizeNF4`` (csrc/kernels.cu) takes the upper code
#: only when ``x > midpoint`` (its midpoints are these values' midpoints rounded to float32).
NF4 = LookupFormat(
    "nf4", 4,
    (-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
     -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
     0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
     0.7229568362236023, 1.0),
    "down",
    "QLoRA NF4 (Dettmers et al. 2023), the table of bitsandbytes' get_4bit_type('nf4')",
)

LOOKUP_FORMATS: dict[str, LookupFormat] = {NF4.name: NF4}


FLOAT_FORMATS: dict[str, FloatFormat] = {
    f.name: f
    for f in [
        FloatFormat("e4m3", 4, 3, 7, "fn"),
        FloatFormat("e5m2", 5, 2, 15, "ieee"),
        FloatFormat("e4m3fnuz", 4, 3, 8, "fnuz"),
        FloatFormat("e5m2fnuz", 5, 2, 16, "fnuz"),
        FloatFormat("e2m3", 2, 3, 1, "finite"),
        FloatFormat("e3m2", 3, 2, 3, "finite"),
        FloatFormat("e2m1", 2, 1, 1, "finite"),
        FloatFormat("e8m0", 8, 0, 127, "fn", signed=False, subnormals=False),
        FloatFormat("bf16", 8, 7, 127, "ieee"),
        FloatFormat("fp16", 5, 10, 15, "ieee"),
        FloatFormat("fp32", 8, 23, 127, "ieee"),
    ]
}

_EXMY = re.compile(r"^e(\d+)m(\d+)(?:(ieee|fnuz|fn|finite))?$")
_P3109 = re.compile(r"^binary8p(\d+)$")


def p3109_format(precision: int) -> FloatFormat:
    """The P3109 signed extended-domain 8-bit format of precision ``precision`` (1..7)."""
    if not 1 <= precision <= 7:
        raise UsageError(f"P3109 binary8 precision must be 1 to 7 (binary8p1 .. binary8p7), not {precision}")
    return FloatFormat(f"binary8p{precision}", 8 - precision, precision - 1, 1 << (7 - precision), "p3109")


def float_format(name: str) -> FloatFormat:
    """Look up a named float format, build ``eXmY<policy>`` (e.g. ``e3m4ieee``, ``e4m2fn``) or a
    P3109 ``binary8pP`` (P = 1..7).

    A spelled-out ``eXmY`` needs its policy (``ieee``, ``fn``, ``fnuz`` or ``finite``) unless it
    is one of the named formats. The bias is ``2**(x-1) - 1`` (one more for ``fnuz``).
    """
    if name in FLOAT_FORMATS:
        return FLOAT_FORMATS[name]
    p3109 = _P3109.match(name)
    if p3109:
        return p3109_format(int(p3109[1]))
    match = _EXMY.match(name)
    if not match:
        raise UsageError(
            f"unknown format {name!r}: use one of {', '.join(FLOAT_FORMATS)}, "
            "eXmY with a policy, e.g. e3m4ieee, e4m2fn, e2m2finite, or P3109 binary8p1 .. binary8p7"
        )
    x, y, policy = int(match[1]), int(match[2]), match[3]
    if policy is None:
        raise UsageError(
            f"format {name!r} needs a special-value policy: write {name}ieee, {name}fn, "
            f"{name}fnuz or {name}finite"
        )
    if x < 1:
        raise UsageError(f"impossible format {name!r}: a float needs at least 1 exponent bit")
    bias = (1 << (x - 1)) - 1 + (1 if policy == "fnuz" else 0)
    return FloatFormat(name, x, y, bias, policy)


_INT = re.compile(r"^(u?)int(\d+)$")


def int_format(name: str) -> IntFormat:
    """``int8``, ``uint16``, ... (2 to 32 bits)."""
    match = _INT.match(name)
    if not match:
        raise UsageError(f"unknown integer format {name!r}: use intN or uintN with N in 2..32")
    return IntFormat(int(match[2]), signed=not match[1])


def lookup_format(name: str) -> LookupFormat:
    """A lookup format by name (``nf4``)."""
    if name not in LOOKUP_FORMATS:
        raise UsageError(f"unknown lookup format {name!r}: use one of {', '.join(LOOKUP_FORMATS)}")
    return LOOKUP_FORMATS[name]


def any_format(name: str) -> FloatFormat | IntFormat | LookupFormat:
    """A float, integer or lookup format by name."""
    if _INT.match(name):
        return int_format(name)
    if name in LOOKUP_FORMATS:
        return LOOKUP_FORMATS[name]
    return float_format(name)
