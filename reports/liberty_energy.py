"""Energy per operation priced from the cell library (Liberty), on the unit's own data.

The cell-mapped netlist of the ``osu018`` flow runs in Verilator on the data set (the library's
cells defined by their Liberty functions, so every net between cells keeps its name) with SAIF
tracing. Each net's toggles are priced with the library at its nominal voltage V (1.8 V):

- switching: 1/2 C V^2 per toggle, C the sum of the input-pin capacitances the net drives (a
  primary output drives one INVX1 input);
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
from .area import LIBERTY, synthesize
from .energy import activity_inputs, bit_toggles

#: Input transition (ns) at which the internal-power tables are read.
SLEW_NS = 0.1
#: What a primary output drives.
OUTPUT_LOAD_CELL = ("INVX1", "A")


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


def _table(group):
    return group.get_array("index_1").ravel(), group.get_array("index_2").ravel(), group.get_array("values")


def _energy(internal_power) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(loads, slews, pJ per transition): the mean of rise and fall, or the one ``power`` table."""
    if internal_power.get_groups("power"):
        return _table(internal_power.get_group("power"))
    rise, fall = _table(internal_power.get_group("rise_power")), _table(internal_power.get_group("fall_power"))
    return rise[0], rise[1], (rise[2] + fall[2]) / 2


@functools.cache
def library(path: Path = LIBERTY) -> Library:
    """The cells of the Liberty file at ``path``, with capacitances, leakage and internal energy."""
    from liberty.parser import parse_liberty

    try:
        lib = parse_liberty(Path(path).read_text())
    except OSError as exc:
        raise UsageError(f"cannot read the cell library {path} ({exc.strerror}): apt-get install qflow-tech-osu018") \
            from None
    for template in lib.get_groups("power_lut_template"):  # 1-D templates price input pins: flip-flops only
        if template.get("variable_2") is not None and (str(template["variable_1"]), str(template["variable_2"])) != ("total_output_net_capacitance",
                                                                          "input_transition_time"):
            raise UsageError(f"{path}: power template {template.args[0]} is indexed by "
                             f"{template['variable_1']}, {template['variable_2']}; arithbench reads load, transition")
    cells = {}
    for group in lib.get_groups("cell"):
        inputs, internal = {}, {}
        for pin in group.get_groups("pin"):
            name = str(pin.args[0]).strip('"')
            if pin["direction"] == "input":
                inputs[name] = float(pin["capacitance"])
            elif pin["direction"] == "output":
                tables = [_energy(ip) for ip in pin.get_groups("internal_power")]
                if tables:
                    loads, slews, _ = tables[0]
                    if any(t[0].shape != loads.shape or t[1].shape != slews.shape for t in tables):
                        raise UsageError(f"{path}: {name} of {group.args[0]} has internal-power tables of "
                                         "different shapes; arithbench cannot average them")
                    internal[name] = (loads, slews, np.mean([t[2] for t in tables], axis=0))
        cells[str(group.args[0]).strip('"')] = Cell(float(group["cell_leakage_power"]), inputs, internal)
    return Library(float(lib["nom_voltage"]), cells)


def per_transition(table: tuple[np.ndarray, np.ndarray, np.ndarray], load_pf: float, slew_ns: float) -> float:
    """pJ per output transition: the table bilinearly interpolated, clamped to its range."""
    loads, slews, values = table
    at_load = np.array([np.interp(load_pf, loads, values[:, j]) for j in range(values.shape[1])])
    return float(np.interp(slew_ns, slews, at_load))


def liberty_energy(config: UnitConfig, dataset: str, *, root: Path = Path("build"), seed: int = 1) -> dict:
    """pJ per operation of ``config`` on ``dataset`` (see :mod:`.unit_error`), by component."""
    return price(config, activity_inputs(config, dataset, seed), root=root)


def price(config: UnitConfig, inputs: dict[str, np.ndarray], *, root: Path = Path("build")) -> dict:
    """pJ per operation of ``config`` on ``inputs`` (one operation per vector, in order)."""
    if config.sequential:
        raise UsageError(f"Liberty energy prices combinational units; {config.module_name} has a clock")
    area = synthesize(config, flow="osu018", root=root)
    work = Path(area["dir"])
    netlist = json.loads((work / "mapped.json").read_text())["modules"][config.module_name]
    toggles = bit_toggles(config.module_name, work / "mapped_sim.v", netlist, inputs, work, "liberty")
    lib = library()
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
    out_cell, out_pin = OUTPUT_LOAD_CELL
    for port in netlist["ports"].values():
        if port["direction"] == "output":
            for bit in port["bits"]:
                if isinstance(bit, int):
                    load[bit] = load.get(bit, 0.0) + lib.cells[out_cell].input_pf[out_pin]
    ops = len(next(iter(inputs.values())))
    switching = sum(n * 0.5 * load.get(bit, 0.0) * lib.voltage ** 2 for bit, n in toggles.items()) / ops
    internal = sum(n * per_transition(lib.cells[drivers[bit][0]].internal[drivers[bit][1]], load.get(bit, 0.0),
                                      SLEW_NS) for bit, n in toggles.items() if bit in drivers) / ops
    leakage_nw = sum(lib.cells[c["type"]].leakage_nw for c in netlist["cells"].values())
    leakage = leakage_nw * area["delay_ns"] * 1e-6  # nW x ns = 1e-6 pJ
    return {"energy_pj": switching + internal + leakage, "switching_pj": switching, "internal_pj": internal,
            "leakage_pj": leakage, "operations": ops, "volts": lib.voltage}
