"""Energy per operation priced from the cell library (Liberty), on the unit's own data.

The cell-mapped netlist of the ``osu018`` flow runs in Verilator on the data set (the library's
cells defined by their Liberty functions, so every net between cells keeps its name) with SAIF
tracing. Each net's toggles are priced with the library (the default OSU 0.18 um one or the
``liberty`` given, its units converted by :mod:`.library`) at its nominal voltage V (1.8 V for
OSU 0.18 um):

- switching: 1/2 C V^2 per toggle, C the sum of the input-pin capacitances the net drives (a
  primary output drives the input of the library's smallest inverter, INVX1 in the OSU libraries);
- internal: per toggle of a cell's output, the mean of the cell's rise and fall
  ``internal_power`` tables over its related pins, interpolated at the net's load and at an
  input transition of ``SLEW_NS`` (the library's tables are in pJ per transition);
- leakage: the cells' ``cell_leakage_power`` for one operation at the unit's own worst-path
  delay (one operation per cycle at fmax).

What it leaves out, so that figures are compared knowing it: glitches (the simulation has zero
delay, so only final values toggle: real logic toggles more, most in deep arithmetic), wire
capacitance (no place and route), slews computed per net, clock tree and registers' clock pins
for clocked units (those are not priced here). The Liberty file is read with ``liberty-parser``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import UsageError
from ..unit import UnitConfig
from . import library as cell_library
from .area import synthesize
from .energy import activity_inputs, bit_toggles

#: Input transition (ns) at which the internal-power tables are read.
SLEW_NS = 0.1

@dataclass(frozen=True)
class Cell:
    """What the energy needs of one library cell."""

    leakage_nw: float
    input_pf: dict[str, float]
    #: output pin -> (load index pF, slew index ns, pJ per output transition)
    internal: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Library:
    voltage: float
    cells: dict[str, Cell]
    #: What a primary output drives: the input of the smallest inverter (pF).
    output_pf: float


LOAD, SLEW = "total_output_net_capacitance", "input_transition_time"


def _table(group, templates: dict):
    """(loads, slews, values by load and slew) of a 2-D table, its indices its own or its
    template's, in whichever order the template names load and transition."""
    variables, indices = templates[str(group.args[0]).strip('"')]
    first, second = (group.get_array(k).ravel() if group.get(k) is not None else indices[i]
                     for i, k in enumerate(("index_1", "index_2")))
    values = group.get_array("values")
    return (first, second, values) if variables == (LOAD, SLEW) else (second, first, values.T)


def _energy(internal_power, templates: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(loads, slews, energy per transition): the mean of rise and fall, or the one ``power`` table."""
    if internal_power.get_groups("power"):
        return _table(internal_power.get_group("power"), templates)
    rise = _table(internal_power.get_group("rise_power"), templates)
    fall = _table(internal_power.get_group("fall_power"), templates)
    return rise[0], rise[1], (rise[2] + fall[2]) / 2


def library(liberty: str | Path | None = None) -> Library:
    """The cells of the Liberty file ``liberty`` (None: the default library), with capacitances
    (pF), leakage (nW) and internal energy (pJ per transition, indexed by pF and ns)."""
    units = cell_library.read(liberty)
    return _cells(units.path, units.sha256)


@functools.cache
def _cells(path: Path, digest: str) -> Library:
    from liberty.parser import parse_liberty

    units = cell_library.read(path)
    lib = parse_liberty(path.read_text(errors="replace"))
    templates = {}
    for template in lib.get_groups("power_lut_template"):  # 1-D templates price input pins: flip-flops only
        if template.get("variable_2") is None:
            continue
        variables = (str(template["variable_1"]), str(template["variable_2"]))
        if set(variables) != {LOAD, SLEW}:
            raise UsageError(f"{path}: power template {template.args[0]} is indexed by {', '.join(variables)}; "
                             "arithbench reads output load and input transition")
        templates[str(template.args[0]).strip('"')] = (variables, tuple(
            template.get_array(k).ravel() if template.get(k) is not None else None for k in ("index_1", "index_2")))
    cells = {}
    for group in lib.get_groups("cell"):
        inputs, internal = {}, {}
        for pin in group.get_groups("pin"):
            name = str(pin.args[0]).strip('"')
            if pin["direction"] == "input":
                inputs[name] = float(pin["capacitance"]) * units.cap_pf
            elif pin["direction"] == "output":
                tables = [_energy(ip, templates) for ip in pin.get_groups("internal_power")
                          if ip.get_groups("power") or ip.get_groups("rise_power")]
                if tables:
                    loads, slews, _ = tables[0]
                    if any(t[0].shape != loads.shape or t[1].shape != slews.shape for t in tables):
                        raise UsageError(f"{path}: {name} of {group.args[0]} has internal-power tables of "
                                         "different shapes; arithbench cannot average them")
                    internal[name] = (loads * units.cap_pf, slews * units.time_ns,
                                      np.mean([t[2] for t in tables], axis=0) * units.energy_pj)
        leakage = group.get("cell_leakage_power")
        cells[str(group.args[0]).strip('"')] = Cell(float(leakage or 0.0) * units.leakage_nw, inputs, internal)
    inverters = [min(cells[str(g.args[0]).strip('"')].input_pf.values()) for g in lib.get_groups("cell")
                 if _inverter(g) and str(g.args[0]).strip('"') in units.combinational]
    if not inverters:
        raise UsageError(f"{path}: no inverter (a one-input cell whose function is its input negated), whose input "
                         "arithbench takes as the load on a primary output")
    return Library(units.voltage, cells, min(inverters))


def _inverter(cell) -> bool:
    inputs = [str(p.args[0]).strip('"') for p in cell.get_groups("pin") if p["direction"] == "input"]
    outputs = [p for p in cell.get_groups("pin") if p["direction"] == "output"]
    if len(inputs) != 1 or len(outputs) != 1:
        return False
    function = str(outputs[0].get("function", "")).strip('"').replace(" ", "")
    return function in (f"!{inputs[0]}", f"(!{inputs[0]})", f"{inputs[0]}'", f"({inputs[0]})'")


def per_transition(table: tuple[np.ndarray, np.ndarray, np.ndarray], load_pf: float, slew_ns: float) -> float:
    """pJ per output transition: the table bilinearly interpolated, clamped to its range."""
    loads, slews, values = table
    at_load = np.array([np.interp(load_pf, loads, values[:, j]) for j in range(values.shape[1])])
    return float(np.interp(slew_ns, slews, at_load))


def liberty_energy(config: UnitConfig, dataset: str, *, root: Path = Path("build"), seed: int = 1,
                   liberty: str | Path | None = None) -> dict:
    """pJ per operation of ``config`` on ``dataset`` (see :mod:`.unit_error`), by component, on
    the cell library ``liberty`` (None: the default)."""
    return price(config, activity_inputs(config, dataset, seed), root=root, liberty=liberty)


def price(config: UnitConfig, inputs: dict[str, np.ndarray], *, root: Path = Path("build"),
          liberty: str | Path | None = None) -> dict:
    """pJ per operation of ``config`` on ``inputs`` (one operation per vector, in order)."""
    if config.sequential:
        raise UsageError(f"Liberty energy prices combinational units; {config.module_name} has a clock")
    area = synthesize(config, flow="osu018", root=root, liberty=liberty)
    work = Path(area["dir"])
    netlist = json.loads((work / "mapped.json").read_text())["modules"][config.module_name]
    toggles = bit_toggles(config.module_name, work / "mapped_sim.v", netlist, inputs, work, "liberty")
    lib = library(liberty)
    load: dict[int, float] = {}
    drivers: dict[int, tuple[str, str]] = {}
    for cell in netlist["cells"].values():
        spec = lib.cells[cell["type"]]
        for pin, bits in cell["connections"].items():
            for bit in bits:
                if not isinstance(bit, int):
                    continue
                if pin in spec.input_pf:
                    load[bit] = load.get(bit, 0.0) + spec.input_pf[pin]
                elif pin in spec.internal:
                    drivers[bit] = (cell["type"], pin)
    for port in netlist["ports"].values():
        if port["direction"] == "output":
            for bit in port["bits"]:
                if isinstance(bit, int):
                    load[bit] = load.get(bit, 0.0) + lib.output_pf
    ops = len(next(iter(inputs.values())))
    switching = sum(n * 0.5 * load.get(bit, 0.0) * lib.voltage ** 2 for bit, n in toggles.items()) / ops
    internal = sum(n * per_transition(lib.cells[drivers[bit][0]].internal[drivers[bit][1]], load.get(bit, 0.0),
                                      SLEW_NS) for bit, n in toggles.items() if bit in drivers) / ops
    leakage_nw = sum(lib.cells[c["type"]].leakage_nw for c in netlist["cells"].values())
    leakage = leakage_nw * area["delay_ns"] * 1e-6  # nW x ns = 1e-6 pJ
    return {"energy_pj": switching + internal + leakage, "switching_pj": switching, "internal_pj": internal,
            "leakage_pj": leakage, "operations": ops, "volts": lib.voltage}
