"""Area and energy figures are consistent with each other and with the cache."""

import shutil

import pytest

from arithbench.catalog import configure
from arithbench.reports.area import synthesize
from arithbench.reports.costs import cost_claims, unit_costs
from arithbench.reports.energy import activity_inputs, switched_units, table_estimate, zero_inputs

pytestmark = pytest.mark.xdist_group("report")  # with the report's tests: one worker fills the caches


def test_wider_integer_multiplier_costs_more(build_root):
    narrow, wide = configure("int_mul", {"width": "8"}), configure("int_mul", {"width": "16"})
    a8, a16 = synthesize(narrow, root=build_root), synthesize(wide, root=build_root)
    assert a16["cells"] > a8["cells"] and a16["transistors"] > a8["transistors"] and a16["depth"] > a8["depth"]
    assert table_estimate(wide)[0] > table_estimate(narrow)[0]
    assert a8["cells_without_weight"] == [] and a8["nand2_eq"] == a8["transistors"] / 4


@pytest.mark.sim
def test_zero_inputs_switch_less_than_random(build_root):
    config = configure("fp_mul", {"fmt": "e4m3"})
    quiet = switched_units(config, zero_inputs(config), flow="yowasp-noabc", root=build_root)
    busy = switched_units(config, activity_inputs(config, "uniform codes", 1), flow="yowasp-noabc", root=build_root)
    assert 0 <= quiet < busy / 100


def test_cached_and_fresh_synthesis_agree(build_root, tmp_path):
    config = configure("lmul", {"fmt": "e4m3"})
    cached = synthesize(config, root=build_root)
    fresh = synthesize(config, root=tmp_path)
    assert {k: v for k, v in cached.items() if k != "dir"} == {k: v for k, v in fresh.items() if k != "dir"}


@pytest.mark.sim
def test_unit_costs_and_claims_rows(build_root):
    costs = unit_costs(configure("lmul", {"fmt": "e5m2"}), root=build_root)
    assert costs["energy_table_ops"] == "7-bit add"
    assert 0 < costs["energy_activity_pj[normal]"] < 1
    rows = cost_claims(root=build_root)
    assert {r["verdict"] for r in rows} <= {"holds", "holds with conditions", "does not hold"}
    assert any("325 vs 157" in r["claim"] for r in rows)


@pytest.mark.skipif(shutil.which("yosys") is None, reason="needs Debian's yosys (installed by .ci/run)")
def test_system_yosys_flow_with_abc_is_named_and_smaller(build_root):
    config = configure("fp_mul", {"fmt": "e4m3"})
    abc = synthesize(config, flow="system-abc", root=build_root)
    plain = synthesize(config, flow="yowasp-noabc", root=build_root)
    assert abc["flow"] == "system-abc" and abc["yosys"].startswith("Yosys 0.")
    assert abc["cells"] < plain["cells"] and abc["cells_without_weight"] == []
