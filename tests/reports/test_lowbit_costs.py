"""The low-bit hardware table: each costed configuration beside the study's error of the same
quantization, costs per element or multiply-accumulate, the W4A8-against-W8A8 finding and the
report's section (costs stand-ins here; the flow itself is tested in test_costs and
test_quant_costs, and runs in the default report)."""

import pytest

from arithbench.reports import document as doc
from arithbench.reports import lowbit_costs, lowbit_error
from arithbench.reports.findings import findings
from arithbench.reports.report import lowbit_blocks


@pytest.fixture(scope="module")
def study():
    return lowbit_error.rows(128, 1)


def _costs(area: dict[str, float] | None = None) -> dict[str, dict]:
    """Stand-in figures: each module's area (default 1,000 um^2 per k), energy on its data sets."""
    out = {}
    for config in lowbit_costs.configs():
        a = (area or {}).get(config.module_name, 1000.0 * config.k)
        data = ("normal", "uniform codes") if config.name == "dot" else ("uniform codes",)
        out[config.module_name] = {"area_um2": a, "delay_ns": 5.0, "energy_pj": {d: 2.0 * config.k for d in data}}
    return out


def test_every_option_stands_beside_its_study_rows(study):
    rows = lowbit_costs.rows(study, _costs())
    assert len(rows) == sum(len(o.errors) for o in lowbit_costs.OPTIONS)
    assert all(r["error"] is not None and r["error"] > 0 for r in rows), [r for r in rows if r["error"] is None]
    # each MX rule and NVFP4 scale rounding brings its own study rows: their errors are not all equal
    rules = {r["option"]: r["error"] for r in rows if r["group"] == "scale rule" and r["error_basis"].startswith("w")}
    assert len(rules) == 5 and len(set(rules.values())) >= 4, rules
    ceil = next(r for r in rows if r["option"].startswith("MXFP4, ceil") and r["error_basis"].startswith("weights"))
    assert ceil["error"] == next(r["out_err"] for r in study if (r["data"], r["format"], r["group"], r["scale"])
                                 == ("weights", "e2m1", "32", "e8m0 ceil"))
    # per element: area and energy over k; N(0,1) energy where the unit has it
    assert all(r["area_per_element_um2"] == 1000.0 and r["energy_per_element_pj"] == 2.0 for r in rows)
    assert {r["energy_data"] for r in rows if r["group"] == "dot product"} == {"normal"}
    assert {r["energy_data"] for r in rows if r["group"] != "dot product"} == {"uniform codes"}


def test_the_dot_units_compare_w4a8_with_w8a8_on_one_window():
    dots = {o.name: o.config for o in lowbit_costs.OPTIONS if o.group == "dot product"}
    assert {c.k for c in dots.values()} == {32}
    assert dots["W4A8 int4 x int8"].acc == dots["W8A8 int8 x int8"].acc == "int32"
    floats = (dots["W4A8 e2m1 x e4m3"], dots["W8A8 e4m3 x e4m3"])
    assert {(c.acc, c.sum, c.window) for c in floats} == {("fp32", "window", 24)}


def test_the_finding_is_worded_from_the_areas_and_errors(study):
    area = {lowbit_costs.OPTIONS[9].config.module_name: 16_000.0, lowbit_costs.OPTIONS[11].config.module_name: 48_000.0}
    rows = lowbit_costs.rows(study, _costs(area))
    text = lowbit_costs.finding(rows)
    assert text.startswith("On a k = 32 dot unit, W4A8 against W8A8: integer, int4 x int8's area per "
                           "multiply-accumulate is 1/2.00 of int8 x int8's (500 vs 1,000 um^2), with an output error")
    assert "; float, e2m1 x e4m3's area per multiply-accumulate is 50% above e4m3 x e4m3's (1,500 vs 1,000 um^2)" in text
    assert lowbit_costs.finding([{**r, "area_per_element_um2": None} for r in rows]) is None
    found = findings({"comparison": [], "claims": [], "lowbit_costs": rows})
    assert [f["source"] for f in found] == ["Low-bit hardware table"]


def test_the_report_section_shows_the_hardware_table_with_its_sources(study):
    rows = lowbit_costs.rows(study, _costs())
    results = {"lowbit_error": study, "lowbit_costs": rows,
               "provenance": {"seed": 1, "cost_flow": "osu018 (Yosys 0.23)"}}
    md = doc.to_markdown(lowbit_blocks(results, {}))
    assert "cost flow osu018 (Yosys 0.23)" in md and "(arithbench.reports.lowbit_costs)" in md
    lines = [line for line in md.splitlines() if line.startswith("| scale rule | NVFP4, rup (cuDNN)")]
    assert len(lines) == 2 and "block_quant_bf16_nvfp4_e2m1_k16_rup_notensor" in lines[0]
    assert "What these options cost in hardware" not in doc.to_markdown(lowbit_blocks({**results, "lowbit_costs": []},
                                                                                       {}))
