"""A cell library (Liberty file) as the cost flow uses it: what it is, where it came from, its
units, and which of its cells the flow may map to.

Any NLDM Liberty file works: the OSU libraries Debian ships (:data:`DEBIAN`) or a PDK's own.
Its units are read from the file and every figure is converted to ns, pF, nW and pJ here (an
internal-power table holds energy per transition in capacitive-load unit x voltage unit
squared, as the Liberty reference defines it). Cells marked ``dont_use`` or ``dont_touch``,
pad cells, clock gates and other cells with state but no ``ff`` group are not usable: ABC
skips ``dont_use`` cells itself (a test marks NAND2X1 so), and a mapped netlist that holds any
of them is an error rather than a figure.

Names and numbers of a library's identity (``label``) are printed beside every figure that
depends on it: its name, file, SHA-256, corner, voltage and temperature.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import checks
from ..errors import UsageError

#: The libraries of Debian's qflow-tech packages, by node: the default and two for cross-checks.
DEBIAN = {
    "osu018": Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib"),
    "osu035": Path("/usr/share/qflow/tech/osu035/osu035_stdcells.lib"),
    "osu050": Path("/usr/share/qflow/tech/osu050/osu05_stdcells.lib"),
}
#: The library of the default flow.
DEFAULT = DEBIAN["osu018"]
#: The Debian package that ships each of :data:`DEBIAN`, and what its library is called here.
PACKAGES = {path: f"qflow-tech-{name}" for name, path in DEBIAN.items()}
TITLES = {DEBIAN["osu018"]: "OSU 0.18 um", DEBIAN["osu035"]: "OSU 0.35 um", DEBIAN["osu050"]: "OSU 0.5 um"}

_TIME = {"1ps": 1e-3, "10ps": 1e-2, "100ps": 0.1, "1ns": 1.0, "10ns": 10.0, "100ns": 100.0, "1us": 1e3}
_POWER = {"1fw": 1e-6, "1pw": 1e-3, "1nw": 1.0, "1uw": 1e3, "1mw": 1e6, "1w": 1e9}
_CAP = {"ff": 1e-3, "pf": 1.0, "nf": 1e3}
_VOLT = {"1mv": 1e-3, "1v": 1.0}


@dataclass(frozen=True)
class CellLibrary:
    """A Liberty file's identity, its units (what one of each is in ns, pF, nW and V) and its
    cells: usable combinational ones, flip-flops, and those the flow must not use."""

    path: Path
    sha256: str
    name: str
    corner: str
    voltage: float
    temperature: float
    time_ns: float
    cap_pf: float
    leakage_nw: float
    volt_unit: float
    combinational: tuple[str, ...]
    flip_flops: tuple[str, ...]
    unusable: tuple[str, ...]

    @property
    def energy_pj(self) -> float:
        """The internal-power tables' unit in pJ (capacitive-load unit x voltage unit^2)."""
        return self.cap_pf * self.volt_unit ** 2

    @property
    def title(self) -> str:
        """What the library is called in a table: the node of a Debian OSU library, else its name."""
        return TITLES.get(self.path, self.name)

    @property
    def label(self) -> str:
        """The library as every figure's source names it."""
        return (f"{self.title} ({self.path}, sha256 {self.sha256[:12]}), corner {self.corner}, {self.voltage:g} V, "
                f"{self.temperature:g} C")

    def needs_flip_flops(self, config) -> None:
        if config.sequential and not self.flip_flops:
            raise UsageError(f"{self.path}: no flip-flop (a cell with an ff group) for {config.module_name}, which "
                             "has a clock: give a library with one")


def _unit(table: dict, text, what: str, path: Path) -> float:
    key = str(text).strip('"').replace(" ", "").lower()
    if key not in table:
        raise UsageError(f"{path}: {what} {text} is not one arithbench reads ({', '.join(table)})")
    return table[key]


def _bool(value) -> bool:
    return str(value).strip('"').lower() == "true"


@functools.cache
def _read(path: Path, digest: str) -> CellLibrary:
    from liberty.parser import parse_liberty

    try:
        lib = parse_liberty(path.read_text(errors="replace"))
    except Exception as exc:  # the parser raises its own and Lark's errors: any means "not Liberty"
        first = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"{path} is not a Liberty file arithbench can read ({first})") from None
    if getattr(lib, "group_name", None) != "library":
        raise UsageError(f"{path} is not a Liberty file: it holds no library group")
    cap = lib.get("capacitive_load_unit")
    if not isinstance(cap, list) or len(cap) != 2:
        raise UsageError(f"{path}: no capacitive_load_unit: arithbench needs the library's units")
    combinational, flops, unusable = [], [], []
    for cell in lib.get_groups("cell"):
        name = str(cell.args[0]).strip('"')
        outputs = [p for p in cell.get_groups("pin") if str(p.get("direction")).strip('"') == "output"]
        if (_bool(cell.get("dont_use")) or _bool(cell.get("pad_cell")) or _bool(cell.get("dont_touch"))
                or cell.get("clock_gating_integrated_cell") is not None
                or cell.get_groups("latch") or cell.get_groups("statetable")):
            unusable.append(name)
        elif cell.get_groups("ff"):
            flops.append(name)
        elif outputs and all(p.get("function") is not None for p in outputs):
            combinational.append(name)
        else:
            unusable.append(name)
    if not combinational:
        raise UsageError(f"{path}: no usable combinational cell (none has a function on every output and no "
                         "dont_use): give a standard-cell library")
    corner = str(lib.get("default_operating_conditions") or "nominal").strip('"')
    try:
        voltage = float(lib["nom_voltage"])
        temperature = float(lib.get("nom_temperature") or 25)
    except (TypeError, ValueError):
        raise UsageError(f"{path}: no nom_voltage: arithbench needs the library's supply voltage") from None
    volt_unit = _unit(_VOLT, lib.get("voltage_unit") or "1V", "voltage_unit", path)
    return CellLibrary(
        path=path, sha256=digest, name=str(lib.args[0]).strip('"'), corner=corner, voltage=voltage * volt_unit,
        temperature=temperature,
        time_ns=_unit(_TIME, lib.get("time_unit") or "1ns", "time_unit", path),
        cap_pf=float(cap[0]) * _unit(_CAP, str(cap[1]), "capacitive_load_unit", path),
        leakage_nw=_unit(_POWER, lib.get("leakage_power_unit") or "1nW", "leakage_power_unit", path),
        combinational=tuple(combinational), flip_flops=tuple(flops), unusable=tuple(unusable), volt_unit=volt_unit)


def read(path: str | Path | None = None) -> CellLibrary:
    """The library at ``path`` (None: :data:`DEFAULT`), read once per content. Its absolute
    path goes into Yosys's and OpenSTA's scripts, so it must be a plain one."""
    path = DEFAULT if path is None else Path(path)
    if "\x00" in str(path):
        raise UsageError(f"--liberty takes a Liberty file's path, not {str(path)!r}")
    checks.plain_path("--liberty", str(path.resolve()))
    try:
        data = path.resolve().read_bytes()
    except IsADirectoryError:
        raise UsageError(f"--liberty {path} is a folder: give a Liberty (.lib) file") from None
    except OSError as exc:
        package = PACKAGES.get(path)
        fix = f"apt-get install {package}" if package else "give a Liberty (.lib) file"
        raise UsageError(f"cannot read the cell library {path} ({exc.strerror}): {fix}") from None
    return _read(path.resolve(), hashlib.sha256(data).hexdigest())


def used_unusable(library: CellLibrary, cells: dict) -> list[str]:
    """The cells of a mapped netlist (type -> count) the library says are not to be used."""
    return sorted(set(cells) & set(library.unusable))
