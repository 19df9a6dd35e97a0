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
>>> w = arithbench.quantize_scaled([[0.5, -3.0, 1.25, 12.0]], "e2m1", group=2, scale="e8m0")
>>> w.values.tolist(), w.scales.tolist(), w.bits_per_element
([[0.5, -3.0, 1.0, 12.0]], [[0.5, 2.0]], 8.0)

:func:`quantize_scaled` quantizes a tensor with scales (per tensor, per channel, per group; fp32,
fp16, E8M0 or NVFP4's e4m3 scales; the presets nvfp4, mxfp4, ...; LLM-FP4's search) and returns
its codes, scales, dequantized values and bits per element (:mod:`arithbench.models.scaled`).

Every command of the command line is a call here that takes its inputs as arguments and returns
a result; the command line parses, calls and prints. A :class:`Unit` (from :func:`configure`)
has ``model``, ``verilog``, ``generate``, ``verify``, ``prove``, ``vectors``, ``mutate``,
``bench``, ``error`` and ``cost``; :func:`error` (the error studies), :func:`report`,
:func:`sweep` and :func:`claims` are functions. The rules about which options go together and
the resource guards are here too, so a bad request raises :class:`arithbench.UsageError` with
the one line the command line prints (naming its options, ``--vectors``, ``--workers``, ...).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__, checking, checks
from .catalog import configure as _configure
from .errors import ToolError, UsageError
from .models.formats import LOOKUP_FORMATS, FloatFormat, LookupFormat, float_format
from .unit import UnitConfig

if TYPE_CHECKING:
    from .reports.studies import Study
    from .sim.mutation import MutationRecord

#: Bounds of the integer options (the command line's parser takes them from here): by option, or
#: by ``command option`` where one command bounds it otherwise.
LIMITS = {"--lanes": (1, 4096), "--workers": (1, 1024), "report --workers": (1, 256), "--shard-size": (1, 1 << 26),
          "--proof-seconds": (1, 7 * 86400), "--mutants": (1, 10_000), "bench --vectors": (1, 1 << 26),
          "--rounds": (1, 100), "--trials": (1, 10_000), "--samples": (1, 10_000_000),
          "--size": (128, 8192)}


def _bounded(key: str, value) -> int:
    """``value`` within :data:`LIMITS` ``[key]``."""
    return checks.integer(key.split()[-1], value, *LIMITS[key])


def _root(root) -> Path:
    """The build and cache folder, made if needed and writable."""
    from .files import writable_folder

    return writable_folder(checks.folder("root", root), "--build")


def _flow(flow) -> str:
    """The cost flow asked for (None: osu018 where its tools are installed, else yowasp)."""
    from .reports.area import resolve_flow

    if flow is not None and not isinstance(flow, str):
        raise UsageError(f"flow must be a flow's name (osu018, yowasp) or None, not {flow!r}")
    return resolve_flow(flow)


def _liberty(liberty) -> Path | None:
    """A Liberty file's path, read and checked (None: the default library's)."""
    from .reports.library import read

    if liberty is None:
        return None
    if not isinstance(liberty, (str, os.PathLike)) or not str(liberty):
        raise UsageError(f"liberty takes a Liberty file's path, not {liberty!r}")
    return read(liberty).path


def _libraries(flow, liberty) -> tuple[str, tuple[Path | None, ...]]:
    """The flow and the libraries for one Liberty file or a list of them, read and checked,
    each once, with a flow that maps onto cells; None: the default library alone."""
    paths = [None] if liberty is None else _items("--liberty", liberty, (str, os.PathLike), "a Liberty file's path")
    if not paths:
        raise UsageError("liberty takes a Liberty file's path or a list of them, not an empty list")
    flow = _liberty_flow(flow, paths[0])
    read = tuple(_liberty(p) for p in paths)
    if len(set(read)) < len(read):
        raise UsageError("--liberty names the same library twice: give each once")
    return flow, read


def _liberty_flow(flow, liberty) -> str:
    """The flow for ``liberty``: a library needs the osu018 flow (Yosys and OpenSTA)."""
    if liberty is not None and flow == "yowasp":
        raise UsageError("--liberty maps onto a cell library: it needs the osu018 flow (Yosys and OpenSTA), not yowasp")
    return _flow("osu018" if liberty is not None else flow)


def _quiet(line: str) -> None:
    """The default ``log``: progress lines go nowhere."""


def _called(name: str, *args, **kwargs) -> str:
    """A Python call as a report's provenance names it: ``arithbench.sweep('fp_mul', workers=2)``."""
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items() if v is not None]
    return f"arithbench.{name}({', '.join(shown)})"


def _format(fmt: str | FloatFormat | LookupFormat) -> FloatFormat | LookupFormat:
    """A float format or a lookup format (``nf4``); scaled formats and integers are pointed to
    :func:`quantize_scaled`."""
    from .models.scaled import LLM_FP4, PRESETS

    if isinstance(fmt, (FloatFormat, LookupFormat)):
        return fmt
    if not isinstance(fmt, str):
        raise UsageError(f"a format is a name such as 'e4m3' or a FloatFormat, not {type(fmt).__name__}")
    if fmt in LOOKUP_FORMATS:
        return LOOKUP_FORMATS[fmt]
    if fmt in PRESETS or fmt == LLM_FP4 or fmt.startswith("int") or fmt.startswith("uint"):
        what = "an integer format" if "int" in fmt[:4] else "a scaled format"
        raise UsageError(f"{fmt} is {what}: arithbench.quantize_scaled(values, {fmt!r}, ...) scales and rounds into "
                         "it (quantize and dequantize take float formats and nf4)")
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


def quantize(values, fmt: str | FloatFormat | LookupFormat, rounding: str = "rne", sat: bool | None = None,
             random=None, rbits: int = 16) -> np.ndarray:
    """Float values to ``fmt`` codes (uint64), rounded once (``rne``, ``rtz``, ``rna``, ``rup``,
    ``rdn``, or ``sr``: stochastic, with ``random``, one ``rbits``-bit integer per value, 2 to
    24 bits). Overflow saturates to +-max with ``sat``, else follows IEEE 754 (inf, or NaN
    where the format has no inf); ``sat=None`` takes the format's default, as units do (IEEE
    formats do not saturate, OCP and other formats do). ``nf4`` (a table of 16 values) rounds
    to the nearest value, a tie to the lower one (``rne``), or stochastically (``sr``), and
    always saturates at +-1. Scaled formats (int4, nvfp4, ...): :func:`quantize_scaled`."""
    from .models.codec import ROUNDINGS, encode

    if not isinstance(rounding, str) or rounding not in ROUNDINGS:
        raise UsageError(f"rounding must be one of {', '.join(ROUNDINGS)}, not {rounding!r}")
    if sat is not None and not isinstance(sat, (bool, np.bool_)):
        raise UsageError(f"sat must be True, False or None (the format's default), not {sat!r}")
    if (rounding == "sr") != (random is not None):
        raise UsageError("random bits go with rounding='sr', and rounding='sr' needs them (random=...)")
    target = _format(fmt)
    if isinstance(target, LookupFormat) and rounding not in ("rne", "sr"):
        raise UsageError(f"{target.name} rounds to the nearest of its values (rounding='rne', a tie to the "
                         f"{'lower value' if target.ties == 'down' else 'even code'}) or stochastically ('sr'), "
                         f"not {rounding!r}")
    array = _values(values)
    sat = True if isinstance(target, LookupFormat) else target.saturates_by_default if sat is None else bool(sat)
    rbits = checks.integer("rbits", rbits, 2, 24)
    bits = None if random is None else checks.codes("random", random, rbits)
    if bits is not None and bits.shape not in ((), array.shape):
        raise UsageError(f"random holds {bits.size} values for {array.size}: give one per value")
    return np.asarray(encode(target, array, rounding, sat, bits, rbits), np.uint64)


def dequantize(codes, fmt: str | FloatFormat | LookupFormat) -> np.ndarray:
    """``fmt`` codes to their values (float64, exact for every format up to fp32; nf4: its table)."""
    from .models.codec import decode

    target = _format(fmt)
    return np.asarray(decode(target, checks.codes("codes", codes, target.bits)), np.float64)


def quantize_scaled(values, fmt: str, *, group: str | int | None = None, scale: str | None = None,
                    rule: str | None = None, rounding: str = "rne", seed: int | None = None, rbits: int = 16,
                    int_range: str | None = None, pow2: bool = False, tensor_scale: str | float | None = None,
                    scale_rounding: str | None = None, clips=None):
    """``values`` (an array; its last axis is the reduction axis, along which scales run)
    quantized to ``fmt`` with scales: a :class:`~arithbench.models.scaled.Scaled` with
    ``codes``, ``scales``, ``scale_codes``, ``values`` (dequantized), ``bits_per_element``
    (scales counted) and the choices made. :mod:`arithbench.models.scaled` defines every rule.

    - ``fmt``: an element format (``e2m1``, ``e2m3``, ``e3m2``, ``e4m3``, ``e5m2``, ``int4``,
      ``int8``, ``nf4``), a preset (``nvfp4``; ``mxfp4``, ``mxfp6_e2m3``, ``mxfp6_e3m2``,
      ``mxfp8_e4m3``, ``mxfp8_e5m2``, ``mxint8``: group 32, E8M0 scales) or ``llm-fp4`` (LLM-FP4's
      search over the 4-bit split e2m1/e1m2/e3m0 and the clipping ratio ``clips``, least MSE).
    - ``group``: ``"tensor"`` (default), ``"channel"`` (per row) or a group size dividing the
      last axis (16, 32, 64, 128).
    - ``scale``: ``"fp32"`` (default), ``"fp16"``, ``"e8m0"`` (``rule``: ``floor``, OCP, the
      default; ``ceil``; ``even``; ``rceil``, cuBLAS) or ``"e4m3"`` (NVFP4, e2m1 elements:
      ``tensor_scale`` ``"amax/(448*6)"`` (default), ``"amax/448"`` or a number;
      ``scale_rounding`` ``"rne"`` (default) or ``"rup"``). ``pow2=True``: fp32/fp16 scales
      rounded up to powers of two (ZeroQuant-FP's constraint).
    - ``rounding``: ``"rne"`` or ``"sr"`` (with ``seed``; ``rbits`` random bits per element).
    - ``int_range``: ``"symmetric"`` (default: int4 -7..7) or ``"full"`` (-8..7).

    Options that do not apply (``rule`` without e8m0 scales, ``seed`` without ``sr``, ...), a
    group that does not divide the last axis, an unknown scale type, a scale type the elements
    cannot take (e4m3 scales with anything but e2m1) and NaN or inf data where the scale has
    no answer (anything but e8m0, whose group then gets OCP MX's NaN scale) are refused with
    one line."""
    from .models.scaled import quantize_scaled as run

    return run(_values(values), fmt, group=group, scale=scale, rule=rule, rounding=rounding, seed=seed, rbits=rbits,
               int_range=int_range, pow2=pow2, tensor_scale=tensor_scale, scale_rounding=scale_rounding, clips=clips)


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
class VectorFile:
    """A vector file written by :meth:`Unit.vectors`: its ``path``, the ``vectors`` it holds and
    the count ``asked`` for (None: exhaustive); more vectors than asked are every pair of corner
    patterns, which two-operand units' plans always include."""

    path: Path
    vectors: int
    asked: int | None


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

    def generate(self, folder: str | Path = "build/rtl") -> Path:
        """Write the unit's Verilog (``<module>.v``) and its description (``<module>.json``: unit,
        parameters, ports) into ``folder``, reusing them when current; the Verilog's path."""
        from .files import writable_folder
        from .rtl.emit import generate

        return generate(self.config, writable_folder(checks.folder("folder", folder), "-o"))[0]

    def vector_count(self, vectors: int | str | None = None) -> int | None:
        """The count of vectors a request of ``vectors`` asks for: the unit's default when None,
        None for ``"exhaustive"``. Two-operand units add every pair of corner patterns to a count
        (a result's ``vectors`` says how many there were)."""
        return self.config.default_count() if vectors is None else checks.vector_count(vectors)

    def verify(self, sim: str = "verilator", vectors: int | str | None = None, seed: int = 1,
               root: str | Path = "build", *, rtl: list[str | Path] | None = None, top: str | None = None,
               ports: dict[str, str] | None = None, clock: str | None = None, reset: str | None = None,
               latency: int | None = None, netlist: bool = False, lanes: int | None = None,
               only: int | None = None, waves: bool = False, progress=None, workers: int = 1,
               scheduler: str | None = None, shard_size: int | None = None):
        """Co-simulate against the golden model; the result has ``.passed``, ``.mismatches``,
        ``.vectors`` and ``.counterexamples``. ``vectors``: None for the unit's default plan,
        ``"exhaustive"``, or a count (one process checks at most 2**25). ``workers`` over 1 or a
        Dask ``scheduler`` (``tcp://HOST:PORT``) split the plan into shards of ``shard_size``
        vectors (default 2**25) checked side by side (:mod:`arithbench.sim.shards`); the result is
        then a sharded verdict (``.mismatches``, ``.complete``, ``.shards``, ``.failed``,
        ``.summary()``) whose record, JSON, is written to ``.record_path(root)``.
        By default the simulated design is arithbench's own Verilog;
        ``rtl`` (files) and ``top`` put yours in its place (``ports``: the unit's port name to
        yours, where they differ; ``clock``, ``reset`` (``NAME`` or ``NAME:low``) and
        ``latency`` for a pipelined design; a failing clocked design gets ``.hint``, the latency
        at which its outputs would match), ``netlist=True`` the cell-mapped netlist. ``only``
        checks one vector of the plan (the index a counterexample shows); ``waves`` writes a
        waveform (``.waves``) of the failing vectors, simulated again on one lane (of the whole
        run for an accumulating unit, whose vectors depend on the ones before); ``progress`` is
        called with (done, total, seconds) while the simulator runs; ``lanes`` unit copies per
        simulator step (default: what suits the unit's ports)."""
        from .sim.toolchain import prepare
        from .sim.verify import verify
        from .unit import VectorPlan

        config = self.config
        count = self.vector_count(vectors)
        seed = checks.seed(seed, "seed")
        lanes = None if lanes is None else _bounded("--lanes", lanes)
        workers = _bounded("--workers", workers)
        scheduler = None if scheduler is None else checking.scheduler_address(scheduler)
        shard_size = None if shard_size is None else _bounded("--shard-size", shard_size)
        checking.verify_options(workers=workers, scheduler=scheduler, shard_size=shard_size, only=only, waves=waves,
                                rtl=rtl, top=top, ports=ports, clock=clock, reset=reset, latency=latency,
                                netlist=netlist)
        if workers > 1 or scheduler:
            return self._verify_sharded(sim, count, seed, lanes, root, workers, scheduler, shard_size, progress)
        checks.one_process(count, "a random plan is made whole in one process: ask for fewer (an exhaustive plan "
                                  "splits into shards with --workers 2 or more)", config)
        inputs = config.vectors(VectorPlan(count, seed))  # an impossible plan fails before anything is written
        if only is not None:
            inputs = _one_vector(config, inputs, only)
        prepare(sim)
        root = _root(root)
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

    def _verify_sharded(self, sim, count, seed, lanes, root, workers, scheduler, shard_size, progress):
        """:meth:`verify` in shards, its record written under ``root``."""
        from .files import check_ours, write_owned
        from .sim.shards import ShardedVerdict, verify_sharded

        root = _root(root)
        # The record's place is known before the run: a file there that is not ours is refused now.
        check_ours(ShardedVerdict(self.module_name, sim, 0, 0, count is None, seed, "").record_path(root))
        verdict = verify_sharded(self.config, sim=sim, count=count, seed=seed, lanes=lanes, root=root, workers=workers,
                                 scheduler=scheduler, shard_size=shard_size, progress=progress)
        write_owned(verdict.record_path(root), verdict.record())
        return verdict

    def prove(self, rtl: list[str | Path], top: str, ports: dict[str, str] | None = None, root: str | Path = "build",
              seconds: int = 180):
        """A Yosys SAT proof that your combinational design equals arithbench's reference for
        every input, or the input that tells them apart (``.outcome``: equivalent, differs or
        undecided; ``.inputs``; ``.detail``)."""
        checking.design_options(rtl=rtl, top=top, ports=ports, prove=True)
        seconds = checks.integer("seconds", seconds, *LIMITS["--proof-seconds"])
        root = _root(root)
        return checking.prove(self.config, root, checking.own_design(self.config, root, rtl, top, ports), seconds)

    def vectors(self, path: str | Path, vectors: int | str | None = None, seed: int = 1) -> VectorFile:
        """Write the unit's input vectors and expected outputs to the file ``path`` (hex codes,
        one vector a line, under a header naming the unit and the plan), for any simulator or
        flow; ``vectors`` as in :meth:`verify`. Accumulating units are refused: their outputs
        depend on the lanes' schedule."""
        from .files import check_ours, writable_folder, write_owned
        from .unit import VectorPlan
        from .vectors import vector_file

        config = self.config
        count = self.vector_count(vectors)
        seed = checks.seed(seed, "seed")
        if config.clocked:
            raise UsageError(f"{config.module_name} accumulates a stream: its expected outputs depend on the lane "
                             "schedule, so vector files cover combinational (and pipelined) units")
        if not isinstance(path, (str, os.PathLike)) or not str(path) or "\x00" in str(path):
            raise UsageError(f"path takes a file's path, not {path!r}")
        out = Path(path)
        check_ours(out)
        checks.one_process(count, "ask for fewer", config)
        inputs = config.vectors(VectorPlan(count, seed))  # an impossible plan fails before anything is written
        expected = config.model(inputs)
        header = (f"arithbench {__version__} vectors: {config.describe()} (module {config.module_name}); "
                  + ("exhaustive" if count is None else f"seed {seed}")
                  + (f"; outputs appear {config.stages} cycles after their inputs" if config.stages else ""))
        writable_folder(out.parent, "-o")
        write_owned(out, vector_file(config.ports(), inputs, expected, header))
        return VectorFile(out, len(next(iter(inputs.values()))), count)

    def mutate(self, mutants: int = 24, seed: int = 1, sim: str = "verilator", root: str | Path = "build",
               proof_seconds: int = 180, log=None) -> MutationRecord:
        """Mutation testing (:mod:`arithbench.sim.mutation`): plant ``mutants`` faults in the
        unit's Verilog and run each through its default verification on ``sim``, survivors
        through a Yosys SAT proof of ``proof_seconds`` per pass. The record (``.results``,
        ``.caught``, ``.equivalent``, ``.score``, ``.summary()``) is written as JSON to
        :meth:`mutation_record`; ``log`` is called with a line per step."""
        from .files import check_ours, write_owned
        from .sim.mutation import mutate
        from .sim.toolchain import prepare

        mutants = _bounded("--mutants", mutants)
        seed = checks.seed(seed, "seed")
        proof_seconds = _bounded("--proof-seconds", proof_seconds)
        log = log or _quiet
        prepare(sim)
        root = _root(root)
        path = self.mutation_record(root)
        check_ours(path)
        log(f"{self.config.describe()}: {mutants} mutants (seed {seed}), each screened on Icarus, then the default "
            f"verification on {sim}, then Yosys SAT for survivors")
        record = mutate(self.config, count=mutants, seed=seed, sim=sim, root=root, proof_seconds=proof_seconds, log=log)
        write_owned(path, json.dumps(record.as_dict(), indent=2))
        return record

    def mutation_record(self, root: str | Path = "build") -> Path:
        """Where :meth:`mutate` writes its record under the build folder ``root``."""
        return Path(root) / "mutants" / self.module_name / "record.json"

    def bench(self, lanes: int | None = None, vectors: int = 1 << 22, rounds: int = 5, root: str | Path = "build",
              log=None) -> dict:
        """Co-simulation and golden-model throughput side by side (:mod:`arithbench.sim.benchmark`):
        for a two-operand 8-bit unit the four benches on ``vectors`` random vectors and ``lanes``
        lanes (default: what :meth:`verify` uses); for any other unit its golden model and its
        Verilator verification on ``vectors`` planned vectors. Medians over ``rounds`` rounds."""
        from .sim.benchmark import run, unit_rates
        from .sim.lanes import default_lanes

        config = self.config
        vectors, rounds = _bounded("bench --vectors", vectors), _bounded("--rounds", rounds)
        if sorted((config.grid() or {}).items()) != [("a", 8), ("b", 8)] or config.sequential:
            if lanes is not None:
                raise UsageError("--lanes sets the lanes of the two-operand 8-bit bench: leave it out for "
                                 f"{config.name}, whose verification picks its own")
            checks.one_process(vectors, "give --vectors fewer", config)
            return unit_rates(config, vectors=vectors, rounds=rounds, root=_root(root), log=log or _quiet)
        lanes = default_lanes(self.ports()) if lanes is None else _bounded("--lanes", lanes)
        return run(config, lanes=lanes, vectors=vectors, rounds=rounds, root=_root(root), log=log or _quiet)

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

    def cost(self, flow: str | None = None, root: str | Path = "build", liberty: str | Path | None = None,
             period: float | None = None, log=None, layout: bool = False) -> Cost:
        """Area (um^2), delay, fmax, leakage, energy per operation and transistors, on the cell
        library ``liberty`` (a Liberty file's path; None: OSU 0.18 um), which ``library``
        names with its checksum, corner and voltage. ``period`` (ns): the unit pipelined to that
        clock, with the fewest ``stages`` whose worst stage meets it (:mod:`arithbench.reports.
        pipelining`), verified on Verilator at that latency; the figures then add ``stages``,
        ``period_ns``, ``slack_ns``, ``stages_tried`` and ``verification``. ``layout``: the
        netlist placed and routed on OSU 0.18 um (:mod:`arithbench.reports.layout`; combinational
        units), its routed netlist verified on Verilator; the figures add ``layout`` (die area,
        utilisation, wire length, pre-layout and post-route worst paths, seconds per step) and
        ``layout_verification``."""
        from .reports.costs import unit_costs
        from .reports.pipelining import fewest_stages

        flow = _liberty_flow(flow, liberty)
        liberty, root = _liberty(liberty), _root(root)
        if layout:
            return self._laid_out(flow, liberty, period, root, log or _quiet)
        if period is None:
            return Cost(unit_costs(self.config, flow=flow, root=root, liberty=liberty))
        period = checks.number("period", period, 0.01, 1e6, "ns")
        if flow != "osu018":
            raise UsageError("a period needs timing: the osu018 flow (Yosys and OpenSTA), not the yowasp fallback")
        config, tried = fewest_stages(self.config, period, root=root, liberty=liberty, log=log or _quiet)
        verdict = Unit(config).verify(root=root)
        if not verdict.passed:
            raise ToolError(f"{config.module_name} failed verification at {config.stages} stages: "
                            f"run `arithbench verify {config.describe()}` for counterexamples")
        figures = unit_costs(config, flow=flow, root=root, liberty=liberty)
        return Cost({**figures, "stages": config.stages, "period_ns": period,
                     "slack_ns": round(period - figures["delay_ns"], 4), "stages_tried": tried,
                     "verification": verdict.summary()})


    def _laid_out(self, flow: str, liberty, period, root: Path, log) -> Cost:
        """:meth:`cost` with the layout's figures, the routed netlist verified."""
        from .reports.costs import unit_costs
        from .reports.layout import layout
        from .sim.verify import verify

        if flow != "osu018" or liberty is not None or period is not None:
            raise UsageError("--layout places and routes on OSU 0.18 um (the library whose LEF qflow ships) with the "
                             "osu018 flow: leave out --liberty, -p period= and --flow yowasp")
        if self.config.sequential:
            raise UsageError(f"--layout lays out combinational units; {self.module_name} has a clock (stages or "
                             "clocked): leave them out")
        figures = unit_costs(self.config, flow=flow, root=root)
        laid = layout(self.config, root=root, log=log)
        log(f"{self.module_name}: verifying the routed netlist")
        verdict = verify(self.config, root=root, design=checking.routed_netlist(self.config, root, laid["dir"]))
        if not verdict.passed:
            raise ToolError(f"{self.module_name}'s routed netlist differs from the golden model: "
                            f"{verdict.summary()}; the layout is in {laid['dir']}")
        return Cost({**figures, "layout": laid, "layout_verification": verdict.summary()})


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


@dataclass(frozen=True)
class StudyResult:
    """An error study's table (:func:`error`): its ``rows`` and, for the L-Mul and low-bit
    studies, the verdicts on the papers' ``claims``; ``size`` is the study's ``trials``,
    ``samples`` or ``size`` (None for a study of fixed size)."""

    name: str
    study: Study  # its title, columns, and the module that documents it
    rows: list[dict]
    claims: list[dict] | None
    size: int | None
    seed: int

    def as_dict(self) -> dict:
        """The rows, claims, size and seed, as ``arithbench error --json`` prints them."""
        option = self.study.option
        return {"rows": self.rows, **({"claims": self.claims} if self.claims is not None else {}),
                **({option: self.size} if option else {}), "seed": self.seed}


def error(study: str, trials: int | None = None, samples: int | None = None, seed: int = 1, *,
          size: int | None = None) -> StudyResult:
    """An error study against exact arithmetic (``arithbench error``): ``"lmul"`` (L-Mul against
    fp8 multiplication, ``samples`` pairs per distribution), ``"dot"`` (MAC dot products by
    length, ``trials`` vector pairs per row), ``"dfp"`` (DFP16 by length and partial-sum bound,
    ``trials``), ``"block"`` (BFP and MX with and without channel reordering) or ``"accumulate"``
    (long dot products on the ``dot`` unit by internal window and fp32 spill interval, ``trials``
    vector pairs per data set) or ``"lowbit"`` (4-, 6- and 8-bit scaled formats on LLM-like
    data, ``size`` x ``size`` weights, a multiple of 128, default 1024, with the FP4/FP6 papers'
    claims)."""
    from .reports.studies import STUDIES

    if not isinstance(study, str) or study not in STUDIES:
        raise UsageError(f"study must be one of {', '.join(STUDIES)}, not {study!r}")
    spec = STUDIES[study]
    sizes = {"trials": trials, "samples": samples, "size": size}
    for option, value in sizes.items():
        if value is not None and spec.option != option:
            takes = [n for n, s in STUDIES.items() if s.option == option]
            names = " and ".join(filter(None, (", ".join(takes[:-1]), takes[-1])))
            raise UsageError(f"--{option} applies to the {names} stud{'ies' if takes[1:] else 'y'}, not {study}")
    chosen = sizes[spec.option] if spec.option else None
    size = spec.default if chosen is None else _bounded(f"--{spec.option}", chosen)
    seed = checks.seed(seed, "seed")
    rows = spec.rows(size, seed)
    return StudyResult(study, spec, rows, spec.claims(rows) if spec.claims else None, size, seed)


def _items(option: str, value, kind, what: str) -> list | None:
    """A list of ``kind`` (one alone stands for a list of one), or None."""
    if value is None:
        return None
    items = [value] if isinstance(value, kind) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(v, kind) for v in items):
        raise UsageError(f"{option} takes {what} or a list of them, not {value!r}")
    return list(items)


def _apart(out: Path, build: Path) -> None:
    """The output folder holds the command's files only: the build folder cannot be in it."""
    if build.resolve() == out.resolve() or out.resolve() in build.resolve().parents:
        raise UsageError(f"--build {build} is inside the output folder {out}: give them folders of their own "
                         "(e.g. --build build)")


def report(output: str | Path = "build/report", *, units: list[str] | None = None, unit: list[str] | None = None,
           data: list[str | Path] | None = None, sim: str = "verilator", root: str | Path = "build",
           flow: str | None = None, workers: int | None = None, command: str | None = None,
           liberty: list[str | Path] | None = None) -> dict:
    """The comparison report (``arithbench report``) written to the folder ``output`` (new, empty
    or an earlier report); returns its results (as in ``results.json``). ``units`` narrows the
    default set to these unit names; ``unit`` reports configurations instead, each a unit name
    and its parameters (``"fp_mul fmt=bf16 round=rtz"``); ``data``: ``.npy`` files of your values
    for the end-to-end error; ``workers``: processes (default one per CPU); ``command``: how the
    provenance names the run; ``liberty``: the Liberty files the cost claims are checked on
    (default: the OSU 0.18, 0.35 and 0.5 um libraries that are installed; units are costed on
    OSU 0.18 um)."""
    from .files import check_output_dir
    from .reports.report import configurations, load_data, run, select_units
    from .sim.toolchain import prepare

    units = _items("--units", units, str, "a unit's name")
    unit = _items("--unit", unit, str, "a configuration ('UNIT KEY=VALUE ...')")
    data = _items("--data", data, (str, os.PathLike), "a .npy file's path")
    if unit and units:
        raise UsageError("give --units (names from the default set) or --unit (configurations), not both")
    configs = configurations(unit) if unit else select_units(units)
    loaded = tuple(load_data(p) for p in data or ())
    workers = None if workers is None else _bounded("report --workers", workers)
    out = check_output_dir(checks.folder("output", output), "report")
    _apart(out, checks.folder("root", root))
    resolved, libraries = _report_libraries(flow, liberty)
    prepare(sim)
    return run(out, configs, data=loaded, sim=sim, root=_root(root), flow=resolved, workers=workers,
               libraries=libraries,
               command=command or _called("report", output, units=units, unit=unit, data=data, sim=sim, root=root,
                                          flow=flow, workers=workers, liberty=liberty))


def _report_libraries(flow, liberty) -> tuple[str, tuple]:
    """The flow and the libraries a report checks its cost claims on: ``liberty`` (files), else
    the Debian OSU libraries installed where the flow is the real one, else the default alone."""
    from .reports.library import DEBIAN, DEFAULT

    if liberty is not None:
        return _libraries(flow, liberty)
    flow = _flow(flow)
    if flow != "osu018":
        return flow, (None,)
    return flow, (None, *(p for p in DEBIAN.values() if p != DEFAULT and p.exists()))


@dataclass(frozen=True)
class SweepResult:
    """A sweep (:func:`sweep`): a row per point measured (``fmt``, ``round``, error, area,
    energy, whether it is on each Pareto front), the ``output`` folder and the ``files`` in it."""

    unit: str
    rows: list[dict]
    output: Path
    files: list[str]

    @property
    def front(self) -> list[str]:
        """The points on the Pareto front of error against area, as ``fmt/round``."""
        return [f"{r['fmt']}/{r['round']}" for r in self.rows if r["pareto_area"]]


def _names(option: str, value) -> list[str]:
    """Names from a list, or from comma-separated text; none of them empty."""
    items = [t.strip() for t in value.split(",")] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(t, str) and t for t in items):
        raise UsageError(f"{option} takes a comma-separated list with no empty items, not {value!r}")
    return list(items)


def sweep(unit: str, formats: list[str] | str | None = None, rounding: list[str] | str = "rne", *,
          output: str | Path | None = None, root: str | Path = "build", flow: str | None = None, workers: int = 2,
          scheduler: str | None = None, log=None, command: str | None = None,
          liberty: str | Path | None = None) -> SweepResult:
    """Error, area and energy of ``unit`` over float ``formats`` (default: every eXmYfn with X + Y
    <= 7) and ``rounding`` modes (``arithbench sweep``), on ``workers`` local Dask processes or
    the cluster at ``scheduler``; areas on the cell library ``liberty`` (None: OSU 0.18 um);
    the table and plots go to ``output`` (default ``build/sweep/UNIT``: new, empty or an
    earlier sweep). Raises :class:`ToolError` when no point could be measured."""
    from .files import check_output_dir
    from .reports.sweep import DEFAULT_FORMATS, points, run

    formats = list(DEFAULT_FORMATS) if formats is None else _names("--formats", formats)
    roundings = _names("--rounding", rounding)
    workers = _bounded("--workers", workers)
    scheduler = None if scheduler is None else checking.scheduler_address(scheduler)
    points(unit, formats, roundings)  # every point is valid before anything is written
    flow, liberty_path = _liberty_flow(flow, liberty), _liberty(liberty)
    out = check_output_dir(checks.folder("output", output or f"build/sweep/{unit}"), "sweep")
    _apart(out, checks.folder("root", root))
    rows = run(unit, formats, roundings, out_dir=out, root=_root(root), flow=flow, workers=workers,
               scheduler=scheduler, log=log or _quiet, liberty=liberty_path,
               command=command or _called("sweep", unit, formats=formats, rounding=roundings, output=output,
                                          root=root, flow=flow, workers=workers, scheduler=scheduler,
                                          liberty=liberty))
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    if not rows:
        raise ToolError(f"no point of the sweep could be measured: {out}/SWEEP.md lists why")
    return SweepResult(unit, rows, out, written)


def claims(flow: str | None = None, root: str | Path = "build", liberty=None) -> list[dict]:
    """The papers' cost claims against our area and energy figures (``arithbench claims``): a
    row per claim with its ``verdict``, ``claimed`` and ``measured`` ratios and their basis, on
    the cell library ``liberty`` (a Liberty file's path; None: OSU 0.18 um). A list of several
    libraries gives the first one's rows, each that depends on the library with its ratio and
    verdict on every one (``by_library``) and whether they agree (``across``)."""
    from .reports.costs import claims_across, cost_claims

    flow, paths = _libraries(flow, liberty)
    if len(paths) == 1:
        return cost_claims(flow=flow, root=_root(root), liberty=paths[0])
    return claims_across(list(paths), root=_root(root))
