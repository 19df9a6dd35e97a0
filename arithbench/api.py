"""The public Python API: formats, units, their golden models, Verilog, verification and costs.

>>> import arithbench
>>> codes = arithbench.quantize([1.0, 0.3, -500.0], "e4m3", sat=True)
>>> [hex(c) for c in codes]
['0x38', '0x2a', '0xfe']
>>> arithbench.dequantize(codes, "e4m3").tolist()
[1.0, 0.3125, -448.0]
>>> mul = arithbench.configure("fp_mul", fmt="e4m3")
>>> hex(int(mul.model(a=codes[:1], b=codes[1:2])["y"][0]))
'0x2a'

Everything the command line does goes through here; errors are :class:`arithbench.UsageError`
with one line saying what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .catalog import UnitConfig
from .catalog import configure as _configure
from .errors import UsageError
from .models.formats import FloatFormat, float_format


def _format(fmt: str | FloatFormat) -> FloatFormat:
    if isinstance(fmt, FloatFormat):
        return fmt
    if not isinstance(fmt, str):
        raise UsageError(f"a format is a name such as 'e4m3' or a FloatFormat, not {type(fmt).__name__}")
    return float_format(fmt)


def _codes(name: str, codes) -> np.ndarray:
    array = np.asarray(codes)
    if array.dtype.kind not in "iub":
        raise UsageError(f"{name} must be integer codes, not {array.dtype} values: "
                         "turn values into codes with arithbench.quantize")
    if array.dtype.kind == "i" and (array < 0).any():
        raise UsageError(f"{name} holds negative numbers: codes are unsigned bit patterns")
    return array.astype(np.uint64)


def quantize(values, fmt: str | FloatFormat, rounding: str = "rne", sat: bool | None = None,
             random=None, rbits: int = 16) -> np.ndarray:
    """Float values to ``fmt`` codes (uint64), rounded once (``rne``, ``rtz``, ``rna``, ``rup``,
    ``rdn``, or ``sr``: stochastic, with ``random``, one ``rbits``-bit integer per value).
    Overflow saturates to +-max with ``sat``, else follows IEEE 754 (inf, or NaN where the
    format has no inf); ``sat=None`` takes the format's default, as units do (IEEE formats do
    not saturate, OCP and other formats do)."""
    from .models.codec import ROUNDINGS, encode

    if rounding not in ROUNDINGS:
        raise UsageError(f"rounding must be one of {', '.join(ROUNDINGS)}, not {rounding!r}")
    if (rounding == "sr") != (random is not None):
        raise UsageError("random bits go with rounding='sr', and rounding='sr' needs them (random=...)")
    target = _format(fmt)
    sat = target.saturates_by_default if sat is None else sat
    bits = None if random is None else _codes("random", random)
    if bits is not None and (bits >> np.uint64(rbits)).any():
        raise UsageError(f"random holds values of more than rbits={rbits} bits")
    return np.asarray(encode(target, np.asarray(values, np.float64), rounding, sat, bits, rbits), np.uint64)


def dequantize(codes, fmt: str | FloatFormat) -> np.ndarray:
    """``fmt`` codes to their values (float64, exact for every format up to fp32)."""
    from .models.codec import decode

    return np.asarray(decode(_format(fmt), _codes("codes", codes)), np.float64)


@dataclass(frozen=True)
class Cost:
    """Area, timing and energy of one unit (see ``arithbench cost``)."""

    figures: dict

    def as_dict(self) -> dict:
        return dict(self.figures)

    def __getitem__(self, key: str):
        return self.figures[key]


@dataclass(frozen=True)
class Unit:
    """One configured unit: its golden model, its Verilog, its verification and its costs."""

    config: UnitConfig

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def module_name(self) -> str:
        return self.config.module_name

    @property
    def params(self) -> dict:
        return self.config.values

    def model(self, **inputs) -> dict[str, np.ndarray]:
        """Golden outputs (uint64 code arrays) for input code arrays named by port."""
        ports = [p for p in self.ports() if p["dir"] == "in" and p["name"] not in ("clk", "rst")]
        expected = {p["name"] for p in ports}
        if set(inputs) != expected:
            raise UsageError(f"{self.module_name} takes inputs {', '.join(sorted(expected))}, "
                             f"not {', '.join(sorted(inputs)) or 'none'}")
        arrays = {k: _codes(k, v) for k, v in inputs.items()}
        return self.config.model(arrays)

    def ports(self) -> list[dict]:
        """``[{"name", "dir", "width"}]`` of the generated module."""
        return self.config.ports()

    def verilog(self) -> str:
        """The unit's Verilog (one module named :attr:`module_name`, and its submodules)."""
        from amaranth.back import verilog

        return verilog.convert(self.config.component(), name=self.module_name, emit_src=False)

    def verify(self, sim: str = "verilator", vectors: int | str | None = None, seed: int = 1,
               root: str | Path = "build", *, rtl: list[str | Path] | None = None, top: str | None = None,
               ports: dict[str, str] | None = None, clock: str | None = None, reset: str | None = None,
               latency: int = 0, netlist: bool = False):
        """Co-simulate against the golden model; the result has ``.passed``, ``.mismatches``,
        ``.vectors`` and ``.counterexamples``. ``vectors``: None for the unit's default plan,
        ``"exhaustive"``, or a count. By default the simulated design is arithbench's own Verilog;
        ``rtl`` (files) and ``top`` put yours in its place (``ports``: the unit's port name to
        yours, where they differ; ``clock``, ``reset`` (``NAME`` or ``NAME:low``) and
        ``latency`` for a pipelined design), ``netlist=True`` the cell-mapped netlist."""
        from . import checking
        from .sim.toolchain import prepare
        from .sim.verify import verify

        if rtl and netlist:
            raise UsageError("netlist verifies arithbench's own netlist, rtl yours: give one of them")
        count = "default" if vectors is None else (None if vectors == "exhaustive" else int(vectors))
        prepare(sim)
        root = Path(root)
        source = (checking.netlist(self.config, root) if netlist else
                  checking.own_design(self.config, root, [rtl] if isinstance(rtl, (str, Path)) else rtl, top, ports,
                                      clock, reset, latency) if rtl else None)
        return verify(self.config, sim=sim, count=count, seed=seed, root=root, source=source)

    def error(self, data="normal", seed: int = 1) -> dict:
        """End-to-end error: ``data`` (``"normal"``, ``"student_t3"`` or an array of your own
        values) quantized into the unit's inputs and put through its golden model, against exact
        arithmetic on the data (``arithbench.reports.end_to_end``): ``mean_err``, ``median_err``,
        ``p90_err``, ``max_err`` and what they measure (per product, or per dot product)."""
        from .reports.end_to_end import DISTRIBUTIONS, Data, row, user_data

        if self.config.role is None:
            raise UsageError(f"{self.name} has no end-to-end error: it is measured for multipliers, MACs and "
                             "block dot products")
        if isinstance(data, str):
            if data not in DISTRIBUTIONS:
                raise UsageError(f"data must be one of {', '.join(DISTRIBUTIONS)} or an array of values, not {data!r}")
            data = Data(data)
        else:
            data = user_data("data", data)
        return row(self.config, data, seed)[0]

    def cost(self, flow: str | None = None, root: str | Path = "build") -> Cost:
        """Area (um^2), delay, fmax, leakage, energy per operation and transistors."""
        from .reports.area import resolve_flow
        from .reports.costs import unit_costs

        return Cost(unit_costs(self.config, flow=resolve_flow(flow), root=Path(root)))


def configure(unit: str, **params) -> Unit:
    """A unit with its parameters (the same names and values as ``-p key=value``), e.g.
    ``configure("fp_mul", fmt="bf16", round="rtz")``; parameters left out take their defaults."""
    def text(v) -> str:
        return str(v).lower() if isinstance(v, bool) else str(v)
    return Unit(_configure(unit, {k: text(v) for k, v in params.items()}))
