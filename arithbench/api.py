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

from . import checks
from .unit import UnitConfig
from .catalog import configure as _configure
from .errors import UsageError
from .models.formats import FloatFormat, float_format


def _format(fmt: str | FloatFormat) -> FloatFormat:
    if isinstance(fmt, FloatFormat):
        return fmt
    if not isinstance(fmt, str):
        raise UsageError(f"a format is a name such as 'e4m3' or a FloatFormat, not {type(fmt).__name__}")
    return float_format(fmt)


def _values(values) -> np.ndarray:
    if values is None or isinstance(values, (str, bytes)):
        raise UsageError(f"values must be numbers (a number, a list or an array), not {values!r}")
    try:
        array = np.asarray(values)
        if array.dtype.kind not in "iufb":
            raise TypeError(f"the array holds {array.dtype}")
        return array.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"values must be numbers (a number, a list or an array): {exc}") from None


def quantize(values, fmt: str | FloatFormat, rounding: str = "rne", sat: bool | None = None,
             random=None, rbits: int = 16) -> np.ndarray:
    """Float values to ``fmt`` codes (uint64), rounded once (``rne``, ``rtz``, ``rna``, ``rup``,
    ``rdn``, or ``sr``: stochastic, with ``random``, one ``rbits``-bit integer per value, 2 to
    24 bits). Overflow saturates to +-max with ``sat``, else follows IEEE 754 (inf, or NaN
    where the format has no inf); ``sat=None`` takes the format's default, as units do (IEEE
    formats do not saturate, OCP and other formats do)."""
    from .models.codec import ROUNDINGS, encode

    if not isinstance(rounding, str) or rounding not in ROUNDINGS:
        raise UsageError(f"rounding must be one of {', '.join(ROUNDINGS)}, not {rounding!r}")
    if sat is not None and not isinstance(sat, (bool, np.bool_)):
        raise UsageError(f"sat must be True, False or None (the format's default), not {sat!r}")
    if (rounding == "sr") != (random is not None):
        raise UsageError("random bits go with rounding='sr', and rounding='sr' needs them (random=...)")
    target = _format(fmt)
    array = _values(values)
    sat = target.saturates_by_default if sat is None else bool(sat)
    rbits = checks.integer("rbits", rbits, 2, 24)
    bits = None if random is None else checks.codes("random", random, rbits)
    if bits is not None and bits.shape not in ((), array.shape):
        raise UsageError(f"random holds {bits.size} values for {array.size}: give one per value")
    return np.asarray(encode(target, array, rounding, sat, bits, rbits), np.uint64)


def dequantize(codes, fmt: str | FloatFormat) -> np.ndarray:
    """``fmt`` codes to their values (float64, exact for every format up to fp32)."""
    from .models.codec import decode

    target = _format(fmt)
    return np.asarray(decode(target, checks.codes("codes", codes, target.bits)), np.float64)


def _port_codes(name: str, values, width: int) -> np.ndarray:
    """A port's codes: one per vector, or for ports over 64 bits a row of little-endian 64-bit
    words per vector."""
    if width <= 64:
        array = checks.codes(name, values, width)
        if array.ndim != 1:
            raise UsageError(f"{name} must be a one-dimensional array of codes, not of shape {array.shape}")
        return array
    words, top = -(-width // 64), width % 64
    array = checks.codes(name, values)
    if array.ndim != 2 or array.shape[1] != words:
        raise UsageError(f"{name} is a {width}-bit port: give a row of {words} little-endian 64-bit words per "
                         f"vector, shape (n, {words}), not {array.shape}")
    if top and (array[:, -1] >> np.uint64(top)).any():
        raise UsageError(f"{name} holds codes wider than its {width} bits")
    return array


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
        widths = {p["name"]: p["width"] for p in ports}
        arrays = {k: _port_codes(k, v, widths[k]) for k, v in inputs.items()}
        lengths = {len(a) for a in arrays.values()}
        if len(lengths) > 1 or 0 in lengths:
            raise UsageError("inputs must hold one or more vectors, as many for every port, not "
                             + ", ".join(f"{k}: {len(a)}" for k, a in arrays.items()))
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
               latency: int | None = None, netlist: bool = False, lanes: int | None = None,
               only: int | None = None, waves: bool = False, progress=None):
        """Co-simulate against the golden model; the result has ``.passed``, ``.mismatches``,
        ``.vectors`` and ``.counterexamples``. ``vectors``: None for the unit's default plan,
        ``"exhaustive"``, or a count. By default the simulated design is arithbench's own Verilog;
        ``rtl`` (files) and ``top`` put yours in its place (``ports``: the unit's port name to
        yours, where they differ; ``clock``, ``reset`` (``NAME`` or ``NAME:low``) and
        ``latency`` for a pipelined design; a failing clocked design gets ``.hint``, the latency
        at which its outputs would match), ``netlist=True`` the cell-mapped netlist. ``only``
        checks one vector of the plan (the index a counterexample shows); ``waves`` writes a
        waveform (``.waves``) of the failing vectors, simulated again on one lane (of the whole
        run for an accumulating unit, whose vectors depend on the ones before); ``progress`` is
        called with (done, total, seconds) while the simulator runs; ``lanes`` unit copies per
        simulator step (default: what suits the unit's ports)."""
        from . import checking
        from .unit import VectorPlan
        from .files import writable_folder
        from .sim.toolchain import prepare
        from .sim.verify import verify

        config = self.config
        count = config.default_count() if vectors is None else checks.vector_count(vectors, "vectors")
        seed = checks.seed(seed, "seed")
        lanes = None if lanes is None else checks.integer("lanes", lanes, 1, 4096)
        checking.design_options(rtl=rtl, top=top, ports=ports, clock=clock, reset=reset, latency=latency,
                                netlist=netlist)
        checks.one_process(count, "add --workers 2 (or more) to `arithbench verify` to split them into shards")
        inputs = config.vectors(VectorPlan(count, seed))  # an impossible plan fails before anything is written
        if only is not None:
            inputs = _one_vector(config, inputs, only)
        prepare(sim)
        root = writable_folder(checks.folder("root", root))
        design = (checking.netlist(config, root) if netlist else
                  checking.own_design(config, root, rtl, top, ports, clock, reset, latency or 0) if rtl else None)
        whole = waves and config.clocked
        verdict = verify(config, sim=sim, count=count, seed=seed, lanes=lanes, inputs=inputs, design=design, root=root,
                         waves=whole, progress=progress)
        failing = [row["index"] for row in verdict.counterexamples]
        if only is not None:
            verdict.only = only
            verdict.counterexamples = [{**row, "index": only} for row in verdict.counterexamples]
        if waves and not whole and (failing or only is not None):
            verdict.waves = checking.failing_waves(config, sim, root, design, inputs, failing)
        if rtl and not verdict.passed and clock and not config.clocked:
            verdict.hint = checking.other_latency(config, sim, root, design, inputs, latency or 0)
        return verdict

    def prove(self, rtl: list[str | Path], top: str, ports: dict[str, str] | None = None, root: str | Path = "build",
              seconds: int = 180):
        """A Yosys SAT proof that your combinational design equals arithbench's reference for
        every input, or the input that tells them apart (``.outcome``: equivalent, differs or
        undecided; ``.inputs``; ``.detail``)."""
        from . import checking
        from .files import writable_folder

        checking.design_options(rtl=rtl, top=top, ports=ports, prove=True)
        seconds = checks.integer("seconds", seconds, 1, 7 * 86400)
        root = writable_folder(checks.folder("root", root))
        return checking.prove(self.config, root, checking.own_design(self.config, root, rtl, top, ports), seconds)

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
        return row(self.config, data, checks.seed(seed, "seed"))[0]

    def cost(self, flow: str | None = None, root: str | Path = "build") -> Cost:
        """Area (um^2), delay, fmax, leakage, energy per operation and transistors."""
        from .files import writable_folder
        from .reports.area import resolve_flow
        from .reports.costs import unit_costs

        if flow is not None and not isinstance(flow, str):
            raise UsageError(f"flow must be a flow's name (osu018, yowasp) or None, not {flow!r}")
        flow = resolve_flow(flow)
        return Cost(unit_costs(self.config, flow=flow, root=writable_folder(checks.folder("root", root))))


def _one_vector(config: UnitConfig, inputs: dict, index: int) -> dict:
    """Vector ``index`` of a plan, alone."""
    planned = len(next(iter(inputs.values())))
    if config.clocked:
        raise UsageError(f"{config.module_name} accumulates a stream: a vector's result depends on the ones "
                         "before it, so --only cannot take one out")
    index = checks.integer("--only", index, 0, checks.MAX_VECTORS)
    if index >= planned:
        raise UsageError(f"--only {index}: the plan has vectors 0 to {planned - 1:,}")
    return {k: v[index:index + 1] for k, v in inputs.items()}


def configure(unit: str, **params) -> Unit:
    """A unit with its parameters (the same names and values as ``-p key=value``), e.g.
    ``configure("fp_mul", fmt="bf16", round="rtz")``; parameters left out take their defaults."""
    def text(v) -> str:
        return str(v).lower() if isinstance(v, bool) else str(v)
    return Unit(_configure(unit, {k: text(v) for k, v in params.items()}))
