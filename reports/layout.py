"""Placed and routed: the cell-mapped netlist laid out with Debian's qflow tools, and timed on
its wires.

The flow (qflow 1.3's own steps, run one by one on arithbench's netlist so that the layout holds
exactly its cells; OSU 0.18 um, whose LEF ships with the Liberty file):

1. the mapped netlist (:func:`arithbench.reports.area.synthesize`) to BLIF (``write_blif -gates
   -impltf``; an output that is a constant or another net's copy becomes a ``BUFX2``: the
   library has no tie cells);
2. placement input (qflow's ``blif2cel.tcl``) and placement by graywolf (TimberWolfSC,
   deterministic: the ``.par`` file's seed), at the core utilisation graywolf packs to (about
   97%); DEF by ``place2def.tcl``, ``addspacers.tcl`` (row-end fill, vdd/gnd stripes on metal6
   every 50 um) and ``arrangepins.tcl``;
3. routing by qrouter on the library's six metals (``qrouter::standard_route``), which must end
   with no failed route; it writes each net's wires as a resistance-capacitance tree (``.rc``:
   resistance from the LEF's sheet resistance, capacitance from its area and edge values, no
   coupling);
4. those trees as SPEF (:func:`rc_to_spef`: each wire segment a resistor with half its
   capacitance at either end; written here because no tool of the flow writes SPEF), and the
   layout's netlist as Verilog (qflow's ``blif2Verilog``, whose instance names are the layout's);
5. OpenSTA on that netlist as :mod:`.area` times it, without and with ``read_spef``: the
   pre-layout and post-route worst paths of the same cells.

Die area is the placed rows' bounding box (the DEF's DIEAREA); wire length sums the routed
segments of the signal nets. The routed netlist, its cells given by their Liberty functions,
is what ``cost --layout`` verifies against the golden model. Capacitance is the router's
estimate (area and edge, no coupling): magic's extraction of the same wires gives more, so the
post-route delay is a lower bound of what sign-off extraction would give.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ..errors import ToolError, UsageError
from ..files import write_cache
from ..unit import UnitConfig
from . import library as cell_library

TECH = Path("/usr/share/qflow/tech/osu018")
SCRIPTS = Path("/usr/lib/qflow/scripts")
BLIF2VERILOG = Path("/usr/lib/qflow/bin/blif2Verilog")
#: What the layout flow needs beyond the cost flow's, and the Debian package that ships it.
NEEDS = {"graywolf": "graywolf", "qrouter": "qrouter", "tclsh": "tcl", str(BLIF2VERILOG): "qflow",
         str(TECH / "osu018_stdcells.lef"): "qflow-tech-osu018"}


def missing() -> list[str]:
    """The Debian packages the layout flow lacks here."""
    return sorted({pkg for tool, pkg in NEEDS.items() if not (Path(tool).exists() if "/" in tool else shutil.which(tool))})


def _run(cmd: list[str], work: Path, log: str, step: str, timeout: int = 3600) -> str:
    try:
        done = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as late:
        (work / log).write_text(f"{late.stdout or ''}{late.stderr or ''}")
        raise ToolError(f"layout: {step} took over {timeout} s: see {work / log}") from None
    text = done.stdout + done.stderr
    (work / log).write_text(text)
    if done.returncode != 0:
        raise ToolError(f"layout: {step} failed: see {work / log}")
    return text


def rc_to_spef(rc: str, design: str) -> str:
    """qrouter's ``.rc`` trees as SPEF: each line ``net 1 driver sinks ( R C [pin] [, subtree]
    ... )`` (ohm, pF) gives a resistor per segment and half its capacitance at each end."""
    out = [f'*SPEF "IEEE 1481-1998"\n*DESIGN "{design}"\n*DATE "-"\n*VENDOR "arithbench"\n*PROGRAM "rc_to_spef"\n'
           '*VERSION "1"\n*DESIGN_FLOW "PIN_CAP NONE"\n*DIVIDER /\n*DELIMITER :\n*BUS_DELIMITER [ ]\n'
           '*T_UNIT 1 NS\n*C_UNIT 1 PF\n*R_UNIT 1 OHM\n*L_UNIT 1 HENRY\n']
    for line in rc.splitlines():
        t = re.findall(r"\(|\)|,|[^\s(),]+", line)
        if len(t) < 4:
            continue
        net, driver, t = t[0], t[2], t[4:]
        caps: dict[str, float] = {}
        resistors: list[tuple[str, str, float]] = []
        pins: dict[str, str] = {}
        inner = [0]
        i = [0]

        def node(name: str) -> str:
            if name.startswith("PIN/"):
                pins[name[4:]] = "port"
                return name[4:]
            inst, pin = name.rsplit("/", 1)
            pins[f"{inst}:{pin}"] = "inst"
            return f"{inst}:{pin}"

        root = node(driver)

        def tree(parent: str) -> None:
            i[0] += 1  # past "("
            r, c = float(t[i[0]]), float(t[i[0] + 1])
            i[0] += 2
            if t[i[0]] not in ("(", ")", ",", "ERROR"):
                child = node(t[i[0]])
                i[0] += 1
            else:
                if t[i[0]] == "ERROR":
                    i[0] += 1
                inner[0] += 1
                child = f"{net}:{inner[0]}"
            resistors.append((parent, child, r))
            for n in (parent, child):
                caps[n] = caps.get(n, 0.0) + c / 2
            while t[i[0]] != ")":
                if t[i[0]] == ",":
                    i[0] += 1
                else:
                    tree(child)
            i[0] += 1

        while i[0] < len(t):
            if t[i[0]] == "(":
                tree(root)
            else:
                i[0] += 1
        conn = "".join(f"*P {p} {'I' if p == root else 'O'}\n" if kind == "port" else
                       f"*I {p} {'O' if p == root else 'I'}\n" for p, kind in pins.items())
        cap = "".join(f"{n} {a} {c:g}\n" for n, (a, c) in enumerate(caps.items(), 1))
        res = "".join(f"{n} {a} {b} {max(r, 1e-3):g}\n" for n, (a, b, r) in enumerate(resistors, 1))
        out.append(f"*D_NET {net} {sum(caps.values()):g}\n*CONN\n{conn}*CAP\n{cap}*RES\n{res}*END\n")
    return "\n".join(out)


def wire_length_um(def_text: str) -> float:
    """Length of the routed signal wires in a DEF (its NETS section), in um."""
    units = int(re.search(r"UNITS DISTANCE MICRONS (\d+)", def_text)[1])
    section = def_text[def_text.index("\nNETS "):def_text.index("END NETS")]
    total = 0
    for run in re.finditer(r"(?:ROUTED|NEW) \S+((?: \( [^)]*\)| \S+)*)", section):
        x = y = None
        for px, py in re.findall(r"\( (\S+) (\S+)(?: \S+)? \)", run[1]):
            nx = x if px == "*" else int(px)
            ny = y if py == "*" else int(py)
            if x is not None:
                total += abs(nx - x) + abs(ny - y)
            x, y = nx, ny
    return total / units


def _die_um2(def_text: str) -> float:
    units = int(re.search(r"UNITS DISTANCE MICRONS (\d+)", def_text)[1])
    x0, y0, x1, y1 = map(int, re.search(r"DIEAREA \( (-?\d+) (-?\d+) \) \( (-?\d+) (-?\d+) \)", def_text).groups())
    return (x1 - x0) * (y1 - y0) / units ** 2


def layout(config: UnitConfig, *, root: Path = Path("build"), log=lambda message: None) -> dict:
    """Place, route and time ``config``'s cell-mapped netlist on OSU 0.18 um (cached by the
    netlist): die area, utilisation, wire length, vias, the pre-layout and post-route worst
    paths, each step's seconds, and ``dir`` with the routed netlist ``routed_sim.v``."""
    from .area import _sta_script, _timing, keep_failed, synthesize

    if lacking := missing():
        raise UsageError(f"--layout needs the Debian packages {', '.join(lacking)}: apt-get install "
                         f"{' '.join(lacking)}")
    if config.sequential:
        raise UsageError(f"layout: {config.module_name} has a clock; the layout flow lays out combinational units")
    area = synthesize(config, flow="osu018", root=root)
    mapped = Path(area["dir"]) / "mapped.v"
    module = config.module_name
    key = hashlib.sha256(mapped.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
    out_dir = Path(root).resolve() / "layout" / module / key
    if (out_dir / "layout.json").exists():
        return json.loads((out_dir / "layout.json").read_text())
    lib, lef = cell_library.DEFAULT, TECH / "osu018_stdcells.lef"
    work = Path(tempfile.mkdtemp(dir=Path(root).resolve(), prefix=".layout."))
    seconds: dict[str, float] = {}
    try:
        shutil.copy(mapped, work / "mapped.v")
        shutil.copy(TECH / "osu018.par", work / f"{module}.par")

        def step(name: str, cmd: list[str], logname: str) -> str:
            log(f"{module}: {name}")
            start = time.perf_counter()
            text = _run(cmd, work, logname, name)
            seconds[name] = round(seconds.get(name, 0.0) + time.perf_counter() - start, 2)
            return text

        step("netlist to BLIF", ["yosys", "-q", "-p", f"read_liberty -lib {lib}; read_verilog mapped.v; "
                                 f"hierarchy -top {module}; write_blif -gates -impltf -buf BUFX2 A Y -noalias "
                                 f"{module}.blif"], "blif.log")
        blif = work / f"{module}.blif"
        blif.write_text(re.sub(r"=\$false\b", "=gnd", re.sub(r"=\$true\b", "=vdd", blif.read_text())))
        (work / "info.cfg").write_text(f"read_lef {lef}\n")
        step("router layers", ["qrouter", "-i", f"{module}.info", "-c", "info.cfg"], "info.log")
        step("placement input", ["tclsh", str(SCRIPTS / "blif2cel.tcl"), "--blif", f"{module}.blif", "--lef",
                                 str(lef), "--cel", f"{module}.cel"], "cel.log")
        step("placement (graywolf)", ["graywolf", "-n", module], "graywolf.log")
        step("placed DEF", ["tclsh", str(SCRIPTS / "place2def.tcl"), module, "FILL"], "def.log")
        step("placed DEF", ["tclsh", str(SCRIPTS / "addspacers.tcl"), "-stripe", "2.0", "50.0", "PG", module, str(lef),
                            "FILL"], "spacers.log")
        (work / f"{module}_filled.def").replace(work / f"{module}.def")
        (work / f"{module}.obsx").replace(work / f"{module}.obs")
        step("placed DEF", ["tclsh", str(SCRIPTS / "arrangepins.tcl"), module], "pins.log")
        (work / f"{module}_mod.def").replace(work / f"{module}.def")
        obstructions = (work / f"{module}.obs").read_text()
        (work / "route.cfg").write_text(f"verbose 1\nread_lef {lef}\ncatch {{layers 6}}\nvia stack 1\nvdd vdd\n"
                                        f"gnd gnd\n{obstructions}\nread_def {module}.def\n"
                                        f"qrouter::standard_route {module}_route.def false\nquit\n")
        routed = step("routing (qrouter)", ["qrouter", "-nog", "-s", "route.cfg"], "qrouter.log")
        if "No failed routes" not in routed:
            raise ToolError(f"layout: qrouter left {module} with failed routes: see {work / 'qrouter.log'}")
        (work / f"{module}.spef").write_text(rc_to_spef((work / f"{module}_route.rc").read_text(), module))
        netlist = step("layout netlist", [str(BLIF2VERILOG), "-c", "-p", "-v", "vdd", "-g", "gnd", f"{module}.blif"],
                       "blif2verilog.log")
        (work / "layout.v").write_text(netlist.split("\n", 1)[1] if netlist.startswith("blif2Verilog") else netlist)
        step("routed netlist for simulation", ["yosys", "-q", "-p", f"read_liberty {lib}; read_verilog layout.v; "
                                               f"hierarchy -top {module}; write_verilog -noattr routed_sim.v"],
             "sim_netlist.log")
        timing = {}
        for name, spef in (("pre", None), ("post", f"{module}.spef")):
            script = _sta_script(module, False, lib).replace("read_verilog mapped.v", "read_verilog layout.v")
            if spef:
                script = script.replace(f"link_design {module}\n", f"link_design {module}\nread_spef {spef}\n")
            timing[name] = _timing(work, module, False, lib, script, f"sta_{name}")["delay_ns"]
        placed = (work / f"{module}.def").read_text()
        route_def = (work / f"{module}_route.def").read_text()
        result = {"unit": module, "library": cell_library.read(None).label, "cell_area_um2": area["area_um2"],
                  "die_area_um2": _die_um2(placed), "utilisation": area["area_um2"] / _die_um2(placed),
                  "wire_length_um": round(wire_length_um(route_def), 1),
                  "pre_layout_delay_ns": timing["pre"], "post_route_delay_ns": timing["post"],
                  "seconds": seconds, "dir": str(out_dir),
                  "flow": "qflow 1.3 steps: graywolf placement, qrouter on 6 metals, wire RC from the router (SPEF), "
                          "OpenSTA"}
        write_cache(work / "layout.json", json.dumps(result, indent=2))
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if out_dir.exists() and not (out_dir / "layout.json").exists():
            shutil.rmtree(out_dir)  # left over from an interrupted run
        try:
            work.rename(out_dir)
        except OSError:
            pass  # another run laid out the same netlist first: its folder stays, as good as ours
        return json.loads((out_dir / "layout.json").read_text()) if (out_dir / "layout.json").exists() else result
    except ToolError as err:
        raise keep_failed(work, out_dir, err) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
