"""The catalog is the one list of units: every entry's parts fit together, and a unit added
from outside (a toy here) is picked up by the command line with no other file touched."""

import numpy as np
import pytest
from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from arithbench.api import Unit
from arithbench.catalog import _UNITS, UnitSpec, VectorPlan, configure, register, units
from arithbench.cli import main
from arithbench.models.formats import IntFormat
from arithbench.params import Param
from arithbench.vectors import int_pairs


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


class ToyXor(wiring.Component):
    def __init__(self, width):
        super().__init__({"a": In(width), "b": In(width), "y": Out(width)})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += self.y.eq(self.a ^ self.b)
        return m


@pytest.fixture
def toy_unit():
    register(UnitSpec(
        name="toy_xor", doc="a toy: bitwise XOR, registered from a test",
        params=(Param("width", "int", 4, "bits", choices=(2, 4)),),
        model=lambda cfg, v: {"y": np.asarray(v["a"], np.uint64) ^ np.asarray(v["b"], np.uint64)},
        component=lambda cfg: ToyXor(cfg["width"]),
        vectors=lambda cfg, plan: int_pairs(cfg["width"], plan.count, plan.seed),
        default_vectors=lambda cfg: None,
        grid=lambda cfg: {"a": cfg["width"], "b": cfg["width"]},
    ))
    yield "toy_xor"
    _UNITS.pop("toy_xor")


def test_a_registered_unit_is_listed_and_generated(toy_unit, capsys, tmp_path):
    assert main(["units"]) == 0
    assert "toy_xor: a toy: bitwise XOR" in capsys.readouterr().out
    assert main(["generate", toy_unit, "-p", "width=2", "-o", str(tmp_path / "out")]) == 0
    assert "module toy_xor_width2" in (tmp_path / "out" / "toy_xor_width2.v").read_text()


@pytest.mark.sim
def test_a_registered_unit_verifies_exhaustively(toy_unit, capsys, tmp_path):
    assert main(["verify", toy_unit, "--build", str(tmp_path / "build")]) == 0
    assert "PASS toy_xor_width4 on verilator: 256 vectors (exhaustive), 0 mismatches" in capsys.readouterr().out


def test_a_registered_unit_with_a_role_joins_the_report_and_its_comparison(toy_unit):
    """The report's default set is the catalog's ``shown`` configurations: a unit that declares
    a role and configurations is in it, in its class, with no report code touched."""
    from arithbench.catalog import shown
    from arithbench.reports.end_to_end import Data, comparison_class, row

    assert "toy_xor" not in {c.spec.name for c in shown()}
    spec = _UNITS["toy_xor"]
    # stages is dropped from params: UnitSpec adds it again
    toy = UnitSpec(**{**spec.__dict__, "params": spec.params[:-1], "role": "multiplier", "shown": ({"width": "4"},),
                      "port_formats": lambda cfg: {p: IntFormat(cfg["width"]) for p in "aby"}})
    register(toy)
    names = [c.module_name for c in shown()]
    assert "toy_xor_width4" in names
    assert names.index("toy_xor_width4") < names.index(configure("bfp_dot").module_name)  # multipliers first
    config = configure("toy_xor", {"width": "4"})
    assert comparison_class(config) == "multipliers" and row(config, Data("normal"))[0]["mean_err"] > 0