"""The user's own RTL behind the unit's ports: checked against the same golden model and benches.

A unit configuration fixes the golden model, the vectors and the ports (names, widths). The
user's design (Verilog or SystemVerilog files and a top module) is read by Yosys for its ports
only; an adapter module with the unit's module name and ports instantiates it, renaming ports
(``--map``), driving its clock and reset, so the lane wrapper and the streamed bench run it
exactly as they run arithbench's own Verilog. Every mismatch between the two port lists is
found here, before any simulator build.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..checks import verilog_name
from ..errors import UsageError
from ..files import write_cache
from ..rtl.emit import Design


@dataclass(frozen=True)
class OwnDesign:
    """What the user says about their design."""

    files: tuple[Path, ...]
    top: str
    mapping: dict[str, str] = field(default_factory=dict)  # the unit's port name -> the user's
    latency: int = 0
    clock: str | None = None
    reset: str | None = None
    reset_active_low: bool = False


def parse_map(ports: str | dict | None) -> dict[str, str]:
    """``a=x,b=y`` (the unit's name = the user's name), or a dict of the same, to a dict of
    checked names."""
    if isinstance(ports, dict):
        pairs = [(ref, "=", user) for ref, user in ports.items()]
    elif ports is None or isinstance(ports, str):
        pairs = [tuple(t.strip() for t in item.partition("=")) for item in (ports or "").split(",") if item.strip()]
    else:
        raise UsageError(f"--map (ports=) takes unit=yours pairs, 'a=x,b=y' or {{'a': 'x', 'b': 'y'}}, not {ports!r}")
    mapping: dict[str, str] = {}
    for ref, sep, user in pairs:
        if not sep or not ref or not user:
            raise UsageError(f"--map takes unit=yours pairs separated by commas (e.g. a=x,b=y,y=p), not {ref + sep + user!r}")
        if ref in mapping:
            raise UsageError(f"--map names port {ref!r} twice")
        mapping[verilog_name("--map", ref)] = verilog_name("--map", user)
    return mapping


def parse_reset(text: str | None) -> tuple[str | None, bool]:
    """``rst`` (active high) or ``rst_n:low`` (active low)."""
    if text is None:
        return None, False
    if not isinstance(text, str):
        raise UsageError(f"--reset takes NAME or NAME:low (active low), not {text!r}")
    name, _, level = text.partition(":")
    if level not in ("", "high", "low") or not name:
        raise UsageError(f"--reset takes NAME or NAME:low (active low), not {text!r}")
    return verilog_name("--reset", name), level == "low"


def user_ports(files: tuple[Path, ...], top: str, yosys: list[str]) -> dict[str, tuple[str, int]]:
    """The top module's ports, ``{name: (direction, width)}``, as Yosys reads the files.
    ``files`` and ``top`` come checked (:func:`arithbench.checks.source_file`,
    :func:`arithbench.checks.verilog_name`), so the script they go into runs nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ports.json"
        reads = "; ".join(f"read_verilog -sv -defer {json.dumps(str(f.resolve()))}" for f in files)
        done = subprocess.run([*yosys, "-q", "-l", str(Path(tmp) / "yosys.log"), "-p",
                               f"{reads}; hierarchy -top {top}; proc; write_json {out}"],
                              capture_output=True, text=True)
        log = (Path(tmp) / "yosys.log").read_text() if (Path(tmp) / "yosys.log").exists() else ""
        if done.returncode != 0 or not out.exists():
            errors = [line.strip() for line in (log + done.stderr).splitlines() if "ERROR" in line]
            first = errors[0] if errors else "Yosys could not read the design"
            if "not found" in first.lower() or "does not exist" in first.lower():
                raise UsageError(f"--top {top}: no such module in {', '.join(map(str, files))} ({first})")
            raise UsageError(f"cannot read the design: {first}")
        module = json.loads(out.read_text())["modules"].get(top)
    if module is None:
        raise UsageError(f"--top {top}: no such module in {', '.join(map(str, files))}")
    return {name: ("in" if p["direction"] == "input" else "out", len(p["bits"])) for name, p in module["ports"].items()}


def adapter(module: str, ports: list[dict], design: OwnDesign, theirs: dict[str, tuple[str, int]]) -> str:
    """A Verilog module named ``module`` with the unit's ``ports`` around the user's top."""
    unknown = sorted(set(design.mapping) - {p["name"] for p in ports})
    if unknown:
        raise UsageError(f"--map names {', '.join(unknown)}, which {module} does not have: its ports are "
                         f"{', '.join(p['name'] for p in ports if p['name'] not in ('clk', 'rst'))}")
    conns, used = [], set()
    for p in ports:
        if p["name"] in ("clk", "rst") and p["name"] not in design.mapping:
            continue  # the adapter drives the user's clock and reset below
        name = design.mapping.get(p["name"], p["name"])
        if name not in theirs:
            raise UsageError(f"{design.top} has no port {name!r} for the unit's {p['dir']}put {p['name']} "
                             f"({p['width']} bits): add --map {p['name']}=YOURS")
        direction, width = theirs[name]
        if direction != p["dir"]:
            raise UsageError(f"{design.top}.{name} is an {direction}put, the unit's {p['name']} an {p['dir']}put")
        if width != p["width"]:
            raise UsageError(f"{design.top}.{name} is {width} bits wide, the unit's {p['name']} {p['width']}")
        conns.append(f".{name}({p['name']})")
        used.add(name)
    for role, port in (("--clock", design.clock), ("--reset", design.reset)):
        if port is None:
            continue
        if port not in theirs or theirs[port] != ("in", 1):
            raise UsageError(f"{role} {port}: {design.top} has no 1-bit input of that name")
        used.add(port)
    if design.clock:
        conns.append(f".{design.clock}(clk)")
    if design.reset:
        conns.append(f".{design.reset}({'~rst' if design.reset_active_low else 'rst'})")
    left = sorted(set(theirs) - used)
    if left:
        raise UsageError(f"{design.top} has ports the unit does not: {', '.join(left)}; map them with --map "
                         "(unit=yours), or give --clock/--reset")
    decls = (["  input wire clk,", "  input wire rst,"] if design.clock else []) + [
        f"  {'input' if p['dir'] == 'in' else 'output'} wire [{p['width'] - 1}:0] {p['name']},"
        for p in ports if p["name"] not in ("clk", "rst")]
    decls[-1] = decls[-1].rstrip(",")
    return "\n".join([f"module {module} (", *decls, ");", f"  {design.top} dut ({', '.join(conns)});",
                      "endmodule", ""])


def own_source(config, ours: Design, design: OwnDesign, work: Path, yosys: list[str]) -> Design:
    """The user's files and an adapter of the unit's module name and ports (those of ``ours``,
    arithbench's own design of the unit), as a design the benches run."""
    if design.latency and not design.clock:
        raise UsageError("--latency needs --clock: a pipelined design's outputs follow its clock")
    if design.latency < 0:
        raise UsageError(f"--latency must be 0 or more, not {design.latency}")
    if config.sequential and not design.clock:
        raise UsageError(f"{config.module_name} has a clock: give --clock (and --reset) for your design")
    theirs = user_ports(design.files, design.top, yosys)
    clock_ports = [{"name": "clk", "dir": "in", "width": 1}, {"name": "rst", "dir": "in", "width": 1}]
    ports = [p for p in ours.ports if p["name"] not in ("clk", "rst")]
    text = adapter(config.module_name, [*clock_ports, *ports], design, theirs)
    # One folder per design (files' contents and everything the user said about them), so that
    # runs of different designs side by side never overwrite each other's adapter.
    contents = [hashlib.sha256(f.read_bytes()).hexdigest() for f in design.files]
    digest = hashlib.sha256(json.dumps([repr(design), contents]).encode()).hexdigest()[:16]
    path = work / digest / f"{config.module_name}_adapter.v"
    write_cache(path, text)
    clocked = bool(design.clock)
    return Design((*(f.resolve() for f in design.files), path), tuple((clock_ports if clocked else []) + ports),
                  clocked=clocked, latency=design.latency if not config.clocked else 0, reset=bool(design.reset),
                  label=f"{design.top} from {', '.join(map(str, design.files))}")
