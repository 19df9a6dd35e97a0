"""Unit parameters: their declaration, parsing of ``-p key=value`` and validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .errors import UsageError
from .models.rounding import RBITS_RANGE, SR_BITS
from .models.formats import float_format

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class Param:
    """One parameter of a unit.

    ``kind`` is ``format`` (a float format name), ``choice`` (one of ``choices``), ``int``
    (one of ``choices`` when given), ``bool`` or ``text`` (checked by ``check``). A ``default`` of None means "same as the
    parameter named in ``default_from``".
    """

    name: str
    kind: str
    default: object
    doc: str
    choices: tuple = ()
    default_from: str | None = None
    check: Callable[[object], None] | None = None
    hint: str = ""
    quiet_default: bool = False  # leave the default out of module names
    #: The default as a function of the parameters before this one (``default`` then only describes it).
    default_rule: Callable[[dict], object] | None = None
    #: Checks this parameter against the others once all are resolved.
    check_values: Callable[[dict], None] | None = None
    #: ``(name, value)``: the parameter means something only when parameter ``name`` has ``value``.
    only_with: tuple[str, object] | None = None

    def allowed(self) -> str:
        if self.kind == "format":
            return ", ".join(self.choices) if self.choices else "any float format (see `arithbench formats`)"
        if self.kind == "bool":
            return "true, false"
        if self.kind == "text" or (self.kind == "int" and not self.choices):
            return self.hint
        return ", ".join(str(c) for c in self.choices)

    def parse(self, unit: str, text: str) -> object:
        """The typed value of ``text``, or a UsageError naming the allowed values."""
        if self.kind == "bool":
            low = text.lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise UsageError(f"{unit}: parameter {self.name} must be true or false, not {text!r}")
        if self.kind == "int":
            try:
                value = int(text)
            except ValueError:
                raise UsageError(f"{unit}: parameter {self.name} must be an integer, not {text!r}") from None
        else:
            value = text
        if self.choices and value not in self.choices:
            raise UsageError(f"{unit}: parameter {self.name} must be one of {self.allowed()}, not {text!r}")
        if self.kind == "format":
            value = float_format(text).name
        if self.check is not None:
            self.check(value)
        return value


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["fmt=e4m3", "sat=true"]`` to a dict; malformed items raise a UsageError."""
    result: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise UsageError(f"malformed parameter {item!r}: write -p key=value, e.g. -p fmt=e4m3")
        if key in result:
            raise UsageError(f"parameter {key!r} given twice")
        result[key] = value
    return result


def saturation(doc: str) -> Param:
    """The ``sat`` parameter of a unit whose result is a float format (``out``, else ``fmt``):
    IEEE and P3109 formats default to overflow to inf, OCP and other formats to saturation (OCP's
    saturating mode). A format with neither inf nor NaN can only saturate."""
    def check_format(values: dict) -> None:
        result = float_format(values.get("out") or values["fmt"])
        if not values["sat"] and not result.has_inf and result.nan_code is None:
            raise UsageError(f"sat=false asks overflow to give inf or NaN, but {result.name} has neither: "
                             "it always saturates; leave sat out or set sat=true")

    return Param("sat", "bool", "false for IEEE (fp16, bf16, fp32, eXmYieee) and P3109 (binary8pP) formats, true for "
                 "OCP and the others", doc,
                 choices=("nosat", "sat"),
                 default_rule=lambda values: float_format(values.get("out") or values["fmt"]).saturates_by_default,
                 check_values=check_format)


#: The ``clocked`` parameter every accumulate unit shares (see arithbench.rtl.clocked).
CLOCKED = Param("clocked", "bool", False, "accumulate a stream in a register (clk, rst, valid) instead of taking c",
                choices=("comb", "clk"), quiet_default=True)


def _check_stages(value: int) -> None:
    if not 0 <= value <= 8:
        raise UsageError(f"parameter stages must be 0 (combinational) to 8, not {value}")


#: The ``stages`` parameter every unit takes (see arithbench.rtl.pipelined).
STAGES = Param("stages", "int", 0, "pipeline register stages on a clock clk (retimed in synthesis); the outputs "
               "appear that many cycles after the inputs", check=_check_stages, hint="0 (combinational) to 8",
               quiet_default=True)


def _check_rbits(value: int) -> None:
    if not RBITS_RANGE[0] <= value <= RBITS_RANGE[1]:
        raise UsageError(f"parameter rbits must be {RBITS_RANGE[0]} to {RBITS_RANGE[1]} random bits, not {value}")


#: Random bits per stochastic rounding, on an input port ``r`` (units whose ``round`` takes ``sr``).
RBITS = Param("rbits", "int", SR_BITS, "random bits per stochastic rounding (round=sr), on input port r",
              check=_check_rbits, hint=f"{RBITS_RANGE[0]} to {RBITS_RANGE[1]}", quiet_default=True,
              only_with=("round", "sr"))
