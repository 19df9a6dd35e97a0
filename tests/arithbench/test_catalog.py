"""The catalog is the one list of units: every entry's parts fit together, and a unit added
from outside (the README's own example here, taken from the README) is picked up by the command
line with no other file touched."""

import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from arithbench.api import Unit
from arithbench.catalog import configure, units
from arithbench.cli import main
from arithbench.models.formats import IntFormat
from arithbench.params import Param
from arithbench.reports.library import DEFAULT as DEFAULT_LIBRARY
from arithbench.unit import _UNITS, UnitConfig, VectorPlan, register

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("name", sorted(units()))
def test_every_unit_fits_together(name):
    """Default configuration: its vectors are the module's inputs, its model gives every
    output at the port's width, and the module name says which configuration it is."""
    config = configure(name)
    ports = Unit(config).ports()
    inputs = config.vectors(VectorPlan(256, 1))
    expected = config.model(inputs)
    ins = {p["name"] for p in ports if p["dir"] == "in"} - {"clk", "rst"}
    outs = {p["name"]: p["width"] for p in ports if p["dir"] == "out"}
    assert set(inputs) == ins and set(expected) == set(outs)
    count = len(next(iter(inputs.values())))
    for port, width in outs.items():
        codes = np.asarray(expected[port], np.uint64)
        assert len(codes) == count
        if width <= 64 and codes.ndim == 1:
            assert int(codes.max()) < 1 << width, port
    assert config.module_name.startswith(name) and configure(name).module_name == config.module_name


def _report_and_default_configs():
    from arithbench.catalog import shown

    return {configure(name) for name in units()} | set(shown())


def test_configurations_round_trip_and_have_unique_module_names():
    """Every default and report configuration: configure(describe()) makes it again (the
    command line's and the shards' way of passing it on), and no two share a module name."""
    from arithbench.params import parse_assignments

    configs = _report_and_default_configs()
    for config in configs:
        name, *args = config.describe().split()
        again = configure(name, parse_assignments([a for a in args if a != "-p"]))
        assert again == config and again.module_name == config.module_name and hash(again) == hash(config)
    names = [c.module_name for c in configs]
    assert len(names) == len(set(names))


def test_report_configurations_have_outputs_on_their_ports():
    for config in _report_and_default_configs():
        inputs = config.vectors(VectorPlan(64, 2))
        outs = {p["name"] for p in config.ports() if p["dir"] == "out"}
        assert set(config.model(inputs)) == outs, config.module_name


def test_parameters_are_typed_attributes():
    from arithbench.models.formats import FloatFormat, float_format

    config = configure("fp_mul", {"fmt": "bf16", "sat": "true"})
    assert isinstance(config.fmt, FloatFormat) and config.out == float_format("bf16")
    assert config.sat is True and config.rbits == 16 and config.values["fmt"] == "bf16"
    assert configure("bfp_dot", {"k": "8"}).k == 8


def readme_example() -> str:
    """The code of the README's "Adding a unit" example: the first Python block of the section."""
    text = README.read_text()
    section = text[text.index("### Adding a unit"):]
    return re.search(r"```python\n(.*?)```", section, re.S)[1]


@pytest.fixture
def readme_unit():
    """The README's example, run as a module of its own (so that the report's worker processes
    find its class), registers one unit; it is gone afterwards."""
    module = types.ModuleType("readme_example")
    before = set(_UNITS)
    sys.modules[module.__name__] = module
    try:
        exec(compile(readme_example(), str(README), "exec"), module.__dict__)
        (name,) = set(_UNITS) - before
        yield _UNITS[name]
    finally:
        for name in set(_UNITS) - before:
            _UNITS.pop(name)
        sys.modules.pop(module.__name__)


def test_a_registered_unit_is_listed_and_generated(readme_unit, capsys, tmp_path):
    name = readme_unit.name
    assert main(["units"]) == 0
    assert f"{name}: {readme_unit.doc}" in capsys.readouterr().out
    assert main(["generate", name, "-p", "width=4", "-o", str(tmp_path / "out")]) == 0
    assert f"module {name}_width4" in (tmp_path / "out" / f"{name}_width4.v").read_text()


@pytest.mark.sim
@pytest.mark.synth
@pytest.mark.xdist_group("report")  # beside the report tests, whose cost claims it finds cached
def test_the_readme_example_runs_through_every_command(readme_unit, capsys, tmp_path, build_root):
    """The README's example, as the README has it, through generate, verify (exhaustive),
    cost and report --unit with no traceback, on the fallback flow for its own cost and the
    default flow (cached by the report tests) for the report, which simulates on Icarus. ops()
    is optional: a unit that declares none has no operation-table energy, and the rest of its
    costs as any unit."""
    name, build = readme_unit.name, str(build_root)
    assert main(["generate", name, "-p", "width=4", "-o", str(tmp_path / "out")]) == 0
    assert main(["verify", name, "-p", "width=4", "--build", build]) == 0
    assert f"PASS {name}_width4 on verilator: 256 vectors (exhaustive), 0 mismatches" in capsys.readouterr().out
    assert main(["cost", name, "-p", "width=4", "--flow", "yowasp", "--build", build]) == 0
    out = capsys.readouterr().out
    assert "transistors" in out and "operation table" not in out
    report = tmp_path / "report"
    assert main(["report", "--unit", f"{name} width=4", "--sim", "icarus", "--build", build, "-o", str(report),
                 "--liberty", str(DEFAULT_LIBRARY)]) == 0  # the claims on one library, as the report tests have them
    markdown = (report / "REPORT.md").read_text()
    assert f"| {name}_width4 | icarus | 256 | exhaustive | 0 |" in markdown
    assert re.search(rf"\| {name}_width4 \|.*\| no reference operations declared \|", markdown)


def test_a_registered_unit_with_a_role_joins_the_report_and_its_comparison(readme_unit):
    """The report's default set is the catalog's ``shown`` configurations: a unit that declares
    a role and configurations is in it, in its class, with no report code touched."""
    from arithbench.catalog import shown
    from arithbench.reports.end_to_end import Data, comparison_class, row

    name = readme_unit.name
    assert name not in {c.name for c in shown()}

    @register
    class Compared(readme_unit):
        role = "multiplier"
        shown = ({"width": "4"},)

        def port_formats(self):
            return {p: IntFormat(self.width) for p in "aby"}

    names = [c.module_name for c in shown()]
    assert f"{name}_width4" in names
    assert names.index(f"{name}_width4") < names.index(configure("bfp_dot").module_name)  # multipliers first
    config = configure(name, {"width": "4"})
    assert comparison_class(config) == "multipliers" and row(config, Data("normal"))[0]["mean_err"] > 0


def _toy(drop: str | None = None, **members):
    body = {"name": "toy_contract", "doc": "a toy", "compute": lambda self, v: v, "circuit": lambda self: None,
            "make_vectors": lambda self, plan: {}, "default_count": lambda self: None}
    return type("Toy", (UnitConfig,), {k: v for k, v in {**body, **members}.items() if k != drop})


@pytest.mark.parametrize("drop,members,message", [
    ("compute", {}, "implement compute"),
    ("default_count", {}, "implement default_count"),
    (None, {"name": "two words"}, "declares name"),
    (None, {"params": (Param("check", "int", 1, "x"),)}, "parameter check would hide"),
    (None, {"params": (Param("values", "int", 1, "x"),)}, "parameter values would hide"),
    (None, {"params": (Param("sequential", "bool", False, "x"),)}, "parameter sequential would hide"),
    (None, {"params": (Param("w", "int", 1, "x"), Param("w", "int", 2, "y"))}, "declared twice"),
    (None, {"role": "adder"}, "role must be one of"),
])
def test_the_unit_contract_is_checked_when_a_class_registers(drop, members, message):
    with pytest.raises(TypeError, match=message):
        register(_toy(drop, **members))
    assert "toy_contract" not in _UNITS
    register(_toy())  # the same class with its contract kept registers
    _UNITS.pop("toy_contract")
