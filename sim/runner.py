"""Build a unit's lane wrapper under cocotb's runner (cached) and play vectors through it.

Two drives: ``stream`` (the default; :mod:`arithbench.sim.stream`, the simulator walks through
memories of packed words) and ``step`` (:mod:`arithbench.sim.stepped_bench`, Python writes,
steps and reads every step: the one-vector-per-step baseline that ``arithbench bench`` measures).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import ToolError, UsageError
from ..files import locked, write_cache
from ..rtl.emit import Design, design as own_rtl
from .lanes import lane_dtype, stride, wrapper_verilog
from .stream import IO, chunk_steps, read_step_file, stream_cpp, stream_verilog, write_step_file
from .toolchain import prepare

TIMESCALE = ("1ns", "1ps")

#: Amaranth's Verilog trips Verilator's width lint; the lint is not ours to act on.
BUILD_ARGS = {"verilator": ["-Wno-fatal", "-Wno-lint", "-Wno-style", "--no-public-flat-rw", "-O3"], "icarus": ["-g2012"]}

DRIVES = ("stream", "step")
_BENCH = {"stream": "arithbench.sim.bench", "step": "arithbench.sim.stepped_bench"}

#: Progress callback: (vectors done, vectors in all, seconds so far).
Progress = Callable[[int, int, float], None]


@dataclass
class SimRun:
    """What one simulation produced."""

    outputs: dict[str, np.ndarray]
    vectors: int
    sim_seconds: float  # the bench's own loop: drive, step, read
    wall_seconds: float  # the whole simulator process
    build_seconds: float  # 0 when the build came from the cache
    waves: Path | None
    phases: dict[str, float] = field(default_factory=dict)  # streamed runs: seconds per phase


def build(config, *, sim: str, lanes: int, root: Path, waves: bool = False,
          design: Design | None = None, drive: str = "stream") -> tuple[Path, str, Design, float]:
    """Generate and build (or reuse) the ``lanes``-wide wrapper of ``config`` for ``drive``.

    Returns the build directory, the top module name, the design built and the build time (0
    when cached). A build is reused when its sources, simulator and options match. ``design``
    replaces arithbench's own RTL: a mutant, a netlist, a user's design behind an adapter of the
    unit's module name and ports.
    """
    prepare(sim)
    root = Path(root).resolve()
    foreign = design is not None
    design = design or own_rtl(config, root)
    ports = list(design.ports)
    top = f"{drive}{lanes}_{config.module_name}"
    cpp = ""
    if drive == "stream":
        io = IO[sim]
        wrapper = stream_verilog(config.module_name, ports, lanes, top, chunk_steps(ports, lanes, io), io)
        cpp = stream_cpp(ports, lanes) if io == "dpi" else ""
    else:
        wrapper = wrapper_verilog(config.module_name, ports, lanes, top)
    files = list(design.files)
    key = hashlib.sha256(
        "\0".join([*(f.read_text() for f in files), wrapper, cpp, sim, str(waves), *BUILD_ARGS[sim],
                   os.environ.get("MAKEFLAGS", "")]).encode()).hexdigest()
    # A design's folder is named by its whole content: a different design (an edited file, another
    # user's adapter) builds beside it rather than over the build another run may be simulating.
    tag = f"_{key[:12]}" if foreign else ""
    build_dir = root / "sim" / sim / (f"{config.module_name}{tag}_x{lanes}_{drive}" + ("_waves" if waves else ""))
    stamp = build_dir / "arithbench.stamp"
    if stamp.exists() and stamp.read_text() == key:
        return build_dir, top, design, 0.0
    build_dir.mkdir(parents=True, exist_ok=True)
    with locked(build_dir / "build.lock"):  # another process may be building the same thing
        if stamp.exists() and stamp.read_text() == key:
            return build_dir, top, design, 0.0
        return build_dir, top, design, _build(config, sim, top, build_dir, files, wrapper, cpp, waves, stamp, key)


@contextmanager
def ticking(what: str):
    """On a terminal, one line counting the seconds while ``what`` runs (a silent 30-second
    build looks like a hang), replaced by the total when it ends; silent otherwise."""
    if not sys.stderr.isatty():
        yield
        return
    stop, start = threading.Event(), time.perf_counter()

    def tick():
        while not stop.wait(1.0):
            print(f"\r{what}: {time.perf_counter() - start:.0f} s", end="", file=sys.stderr, flush=True)

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        print(f"\r{what}: done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


def _build(config, sim, top, build_dir, files, wrapper, cpp, waves, stamp, key) -> float:
    from cocotb_tools.runner import get_runner

    stamp.unlink(missing_ok=True)
    wrapper_path = build_dir / f"{top}.v"
    write_cache(wrapper_path, wrapper)
    extra = []
    if cpp:  # the stream wrapper's DPI functions, compiled into the simulator
        cpp_path = build_dir / f"{top}_dpi.cpp"
        write_cache(cpp_path, cpp)
        extra = [str(cpp_path)]
    log = build_dir / "build.log"
    start = time.perf_counter()
    try:
        with ticking(f"building {config.module_name} ({sim}, {top.split('_')[0]})"):
            get_runner(sim).build(
                sources=[*files, wrapper_path], hdl_toplevel=top, build_dir=build_dir,
                timescale=TIMESCALE, waves=waves, always=True, log_file=log,
                build_args=[*BUILD_ARGS[sim], *extra],
            )
    except (RuntimeError, SystemExit, OSError) as exc:
        raise ToolError(f"{sim} build of {config.module_name} failed ({exc}): see {log}") from None
    write_cache(stamp, key)
    return time.perf_counter() - start


def simulate(config, inputs: dict[str, np.ndarray], *, sim: str = "verilator", lanes: int = 64,
             root: Path = Path("build"), waves: bool = False,
             progress: Progress | None = None, design: Design | None = None,
             drive: str = "stream") -> SimRun:
    """Drive ``inputs`` (dict of equal-length uint64 code arrays) through the RTL of ``config``
    (or through ``design``, see :func:`build`)."""
    if lanes < 1:
        raise UsageError(f"--lanes must be at least 1, not {lanes}")
    if drive not in DRIVES:
        raise UsageError(f"unknown drive {drive!r}: use one of {', '.join(DRIVES)}")
    build_dir, top, design, build_seconds = build(config, sim=sim, lanes=lanes, root=root, waves=waves,
                                                  design=design, drive=drive)
    ports = list(design.ports)
    count = len(next(iter(inputs.values())))
    # A pipelined unit's outputs lag its inputs: the bench stores the outputs half a cycle after
    # each rising edge, so with ``latency`` register stages a vector's result is stored
    # ``latency - 1`` steps after it went in; flush steps follow the last vector.
    skip = max(design.latency - 1, 0) * lanes
    padded = -(-count // lanes) * lanes + skip
    io = IO[sim] if drive == "stream" else "python"
    run_dir = _new_run_dir(build_dir)
    in_path, out_path, prog_path = run_dir / "inputs.npz", run_dir / "outputs.npz", run_dir / "progress"
    job = {"inputs": str(in_path), "outputs": str(out_path), "progress": str(prog_path), "io": io,
           "lanes": lanes, "ports": ports, "clocked": design.clocked, "reset": design.reset,
           "flush": skip // lanes, "steps": padded // lanes,
           "depth": chunk_steps(ports, lanes, io) if drive == "stream" else 0,
           "parent": os.getpid()}  # the bench ends the simulator when this process is gone
    job_path = run_dir / "job.json"

    from cocotb_tools.runner import get_results, get_runner

    runner = get_runner(sim)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["xml"] = runner.test(
                test_module=_BENCH[drive], hdl_toplevel=top, hdl_toplevel_lang="verilog",
                build_dir=build_dir,
                test_dir=run_dir, extra_env={"ARITHBENCH_JOB": str(job_path)}, waves=waves,
                timescale=TIMESCALE, log_file=run_dir / "sim.log",
                results_xml=str(run_dir / "results.xml"),
            )
        except BaseException as exc:  # SystemExit from the runner included
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    try:
        _write_inputs(run_dir, in_path, ports, inputs, padded, io)
        job_path.write_text(json.dumps(job))
        start = time.perf_counter()
        thread.start()
        while thread.is_alive():
            thread.join(0.5)
            if progress is not None and prog_path.exists():
                try:
                    done, total, secs = prog_path.read_text().split()
                    progress(min(int(done), count), count, float(secs))
                except ValueError:
                    pass  # caught the file mid-write
        wall = time.perf_counter() - start
        failed = "error" in outcome or not out_path.exists()
        if not failed:
            _, n_failed = get_results(outcome["xml"])
            failed = n_failed > 0
        if failed:
            (run_dir / OWNER).unlink()  # kept for its log
            detail = f" ({outcome['error']!r})" if "error" in outcome else ""
            raise ToolError(f"{sim} simulation of {config.module_name} failed{detail}: see {run_dir / 'sim.log'}")
        data = np.load(out_path)
        outputs = {p["name"]: (read_step_file(run_dir / f"out_{p['name']}.bin", p["width"]) if io == "dpi"
                               else data[p["name"]])[skip:skip + count].astype(np.uint64, copy=False)
                   for p in ports if p["dir"] == "out"}
    except KeyboardInterrupt:
        _stop_children()
        if thread.is_alive():
            thread.join(10)
        shutil.rmtree(run_dir, ignore_errors=True)  # the build stays: it is complete and stamped
        raise
    wave_file = None
    if waves:
        found = sorted([*run_dir.glob("*.vcd"), *build_dir.glob("*.fst"), *run_dir.glob("*.fst")])
        wave_file = found[0] if found else None
        (run_dir / OWNER).unlink()  # kept for its waveform
    else:
        shutil.rmtree(run_dir, ignore_errors=True)
    phases = dict(zip(data["_phase_names"].tolist(), data["_phases"].tolist())) if "_phases" in data else {}
    return SimRun(outputs, count, float(data["_elapsed"]), wall, build_seconds, wave_file, phases)


def _write_inputs(run_dir: Path, in_path: Path, ports: list[dict], inputs: dict[str, np.ndarray], padded: int,
                  io: str) -> None:
    """The bench's input files, each port padded to ``padded`` vectors (and, with DPI, the
    output files at their full size: the simulator maps them)."""
    widths = {p["name"]: p["width"] for p in ports}
    padded_inputs = {k: v if len(v) == padded else np.pad(np.asarray(v, np.uint64),
                                                          [(0, padded - len(v))] + [(0, 0)] * (np.ndim(v) - 1))
                     for k, v in inputs.items()}
    if io == "dpi":
        for k, v in padded_inputs.items():
            write_step_file(run_dir / f"in_{k}.bin", v, widths[k])
        for p in ports:
            if p["dir"] == "out":
                with (run_dir / f"out_{p['name']}.bin").open("wb") as f:
                    f.truncate(padded * stride(p["width"]) // 8)
    else:  # each port in the narrowest type holding it: a quarter of the bytes for 16-bit ports
        np.savez(in_path, **{k: v.astype(lane_dtype(widths[k]) if widths.get(k, 65) <= 64 else np.uint64)
                             for k, v in padded_inputs.items()})


#: The file in a run folder naming the process that runs it; a run folder kept on purpose (a
#: failed run's log, a waveform) has none, so that no later run takes it for abandoned.
OWNER = "owner.json"


def _new_run_dir(build_dir: Path) -> Path:
    """A run folder of its own in ``build_dir`` (runs of one build can go on side by side), made
    after removing the folders of runs whose process is gone."""
    _remove_abandoned_runs(build_dir)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=build_dir))
    (run_dir / OWNER).write_text(json.dumps({"machine": _machine(), "pid": os.getpid()}))
    return run_dir


def _remove_abandoned_runs(build_dir: Path) -> None:
    """Remove the run folders of ``build_dir`` whose process no longer exists (it was killed
    before it could clean up). Only this machine's folders are judged; a folder without a
    readable owner (being made, or kept) stays, and so does one whose process id a new process
    has taken since (it goes after that process ends)."""
    here = _machine()
    for run_dir in build_dir.glob("run-*"):
        try:
            owner = json.loads((run_dir / OWNER).read_text())
            machine, pid = owner["machine"], int(owner["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if machine == here and not _alive(pid):
            shutil.rmtree(run_dir, ignore_errors=True)


def _machine() -> str:
    """Where a process id names one process: the host name and the pid namespace (containers
    may share a host name and a build folder, but not their process ids)."""
    try:
        space = os.readlink("/proc/self/ns/pid")
    except OSError:  # no /proc: not Linux
        space = ""
    return f"{socket.gethostname()} {space}"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed but not yet reaped, does not; one we may
    not look at does)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def _stop_children() -> None:
    """Stop the simulator (Icarus answers Ctrl-C with its interactive prompt, not an exit)."""
    import psutil

    stop(psutil.Process().children(recursive=True))


def stop(processes: list) -> None:
    """Terminate ``processes`` (psutil's), killing those left after five seconds; a process
    gone meanwhile is skipped."""
    import psutil

    for proc in processes:
        with suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs(processes, timeout=5)
    for proc in alive:
        with suppress(psutil.NoSuchProcess):
            proc.kill()


def print_progress(label: str) -> Progress:
    """A Progress callback printing ``label: done/total vectors, rate, time left`` to stderr."""
    tty = sys.stderr.isatty()
    state = {"last": 0.0}

    def report(done: int, total: int, secs: float) -> None:
        if secs < 2.0 or (not tty and secs - state["last"] < 5.0):
            return
        state["last"] = secs
        rate = done / secs if secs else 0.0
        left = (total - done) / rate if rate else float("inf")
        line = f"{label}: {done:,}/{total:,} vectors, {rate:,.0f}/s, {left:.0f} s left"
        print(f"\r{line}" if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)

    return report
