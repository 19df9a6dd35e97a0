"""What ``verify`` can run besides arithbench's own Verilog, and what it does around a run: which
of its options go together, the user's RTL behind the unit's ports, the cell-mapped netlist, a
proof of equivalence, a waveform of the failing vectors, and the latency at which a clocked
design's outputs would match. The command line and the Python API both call these."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import checks
from .errors import UsageError
from .rtl.emit import Design
from .tools import yosys_command
from .unit import UnitConfig


def verify_options(*, workers: int = 1, scheduler: str | None = None, shard_size: int | None = None,
                   only: int | None = None, waves: bool = False, prove: bool = False, **design) -> None:
    """Which of verify's options go together: a sharded run (``workers`` over 1, or a
    ``scheduler``) simulates arithbench's own RTL over the whole plan, so it takes no other
    design, single vector or waveform, and only it takes a ``shard_size``; then
    :func:`design_options` on ``design`` (``rtl``, ``top``, ``ports``, ...) and ``prove``."""
    sharded = workers > 1 or bool(scheduler)
    if sharded and (design.get("netlist") or design.get("rtl")):
        raise UsageError("--netlist and --rtl run in one process: leave out --workers/--scheduler")
    if sharded and only is not None:
        raise UsageError("--only re-runs one vector in one process: leave out --workers/--scheduler")
    if shard_size is not None and not sharded:
        raise UsageError("--shard-size splits a sharded run: add --workers N (or --scheduler ADDRESS), or leave it out")
    design_options(prove=prove, **design)
    if sharded and waves:
        raise UsageError("--waves writes one waveform of one simulation: run without --workers/--scheduler "
                         "(and with fewer --vectors)")


def scheduler_address(text, option: str = "--scheduler") -> str:
    """A Dask scheduler's address: ``tcp://HOST:PORT`` (or tls, inproc, ws, wss)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        good = parts.scheme in ("tcp", "tls", "inproc", "ws", "wss") and bool(parts.hostname) and parts.port is not None
    except (TypeError, ValueError, AttributeError):  # not text, or a malformed host or port
        good = False
    if not isinstance(text, str) or not good:
        raise UsageError(f"{option} must be an address like tcp://HOST:PORT, not {text!r}")
    return text


def design_options(*, rtl=None, top=None, ports=None, clock=None, reset=None, latency=None, netlist=False,
                   prove=False) -> None:
    """Which design options go together: the user's RTL (``rtl`` with ``top`` and, as needed,
    ``ports``, ``clock``, ``reset``, ``latency``), arithbench's netlist, or neither."""
    if rtl and netlist:
        raise UsageError("--netlist verifies arithbench's own netlist, --rtl yours: give one of them")
    own = [o for o, v in (("--top", top), ("--map", ports), ("--clock", clock), ("--reset", reset),
                          ("--latency", latency)) if v is not None]
    if own and not rtl:
        raise UsageError(f"{', '.join(own)} describe your design: give it with --rtl FILE --top MODULE")
    if prove and (not rtl or clock):
        raise UsageError("--prove checks your combinational design: give --rtl and --top, without --clock")
    if rtl and not top:
        raise UsageError("--rtl needs --top MODULE: the name of your design's top module")


def own_design(config: UnitConfig, root: Path, files: list[str | Path], top: str, ports: str | dict | None = None,
               clock: str | None = None, reset: str | None = None, latency: int = 0) -> Design:
    """The user's design behind the unit's ports (see :mod:`arithbench.sim.own_rtl`):
    ``ports`` maps the unit's port names to the user's (``"a=x,b=y"`` or a dict; unmapped
    ports match by name), ``reset`` is ``NAME`` or ``NAME:low``."""
    from .rtl.emit import design
    from .sim.own_rtl import OwnDesign, own_source, parse_map, parse_reset

    files = [files] if isinstance(files, (str, Path)) else files
    if not isinstance(files, (list, tuple)) or not files:
        raise UsageError(f"--rtl takes your design's files (a path or a list of them), not {files!r}")
    files = [checks.source_file("--rtl", f) for f in files]
    top = checks.verilog_name("--top", top)
    mapping = parse_map(ports)
    name, low = parse_reset(reset)
    clock = None if clock is None else checks.verilog_name("--clock", clock)
    latency = checks.integer("--latency", latency, 0, 64)
    theirs = OwnDesign(tuple(Path(f) for f in files), top, mapping, latency, clock, name, low)
    return own_source(config, design(config, root), theirs, root / "own" / config.module_name, yosys_command())


def netlist(config: UnitConfig, root: Path) -> Design:
    """arithbench's cell-mapped netlist of ``config`` (osu018 flow)."""
    from .reports.area import resolve_flow, synthesize
    from .rtl.emit import design

    resolve_flow("osu018")
    area = synthesize(config, flow="osu018", root=root)
    return design(config, root).with_files(Path(area["dir"]) / "mapped_sim.v", label="cell-mapped netlist, osu018")


def routed_netlist(config: UnitConfig, root: Path, layout_dir: str | Path) -> Design:
    """The netlist of ``config``'s layout (:mod:`arithbench.reports.layout`), its cells given by
    their Liberty functions."""
    from .rtl.emit import design

    return design(config, root).with_files(Path(layout_dir) / "routed_sim.v", label="routed netlist, osu018 (qflow)")


def failing_waves(config: UnitConfig, sim: str, root: Path, design: Design | None, inputs: dict[str, np.ndarray],
                  failing: list[int]) -> str | None:
    """A waveform of the failing vectors only (of the first vector when ``failing`` is empty)."""
    from .sim.runner import simulate

    subset = {k: v[failing or [0]] for k, v in inputs.items()}
    run = simulate(config, subset, sim=sim, lanes=1, root=root, waves=True, design=design)
    return str(run.waves) if run.waves else None


def other_latency(config: UnitConfig, sim: str, root: Path, design: Design, inputs: dict[str, np.ndarray],
                  latency: int) -> int | None:
    """The latency (0 to 8) at which the first vectors all match, when it is not ``latency``."""
    from .sim.runner import simulate
    from .sim.verify import mismatches

    sample = {k: v[:4096] for k, v in inputs.items()}
    expected = config.model(sample)
    for candidate in range(9):
        if candidate == latency:
            continue
        run = simulate(config, sample, sim=sim, lanes=8, root=root, design=design.with_latency(candidate))
        if len(mismatches(expected, run.outputs)) == 0:
            return candidate
    return None


def prove(config: UnitConfig, root: Path, theirs: Design, seconds: int):
    """A Yosys SAT proof that the user's combinational design equals the generated reference,
    or the input that tells them apart (``.outcome``: equivalent, differs or undecided)."""
    from .rtl.emit import design
    from .sim.equivalence import check

    ours = design(config, root)
    return check(config.module_name, ours.files[0], list(theirs.files), outputs=theirs.outputs, seconds=seconds,
                 work=theirs.files[-1].parent / "prove")  # the adapter's folder: one per design
