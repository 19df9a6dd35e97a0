"""What ``verify`` can run besides arithbench's own Verilog, and what it does around a run: the
user's RTL behind the unit's ports, the cell-mapped netlist, a proof of equivalence, a waveform
of the failing vectors, and the latency at which a clocked design's outputs would match.
The command line and the Python API both call these."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import checks
from .unit import UnitConfig
from .errors import UsageError
from .rtl.emit import Design
from .tools import yosys_command


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
