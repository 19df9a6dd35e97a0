"""The report's findings: stated from the results' numbers, left out when their units are."""

from arithbench.catalog import configure
from arithbench.reports.findings import findings


def name(unit, **params):
    return configure(unit, params).module_name


def results(costs, errors, claims=()):
    return {"costs": [{"unit": u, **c} for u, c in costs.items()],
            "unit_error": [{"unit": u, "data": "normal", "mean_rel": e} for u, e in errors.items()],
            "claims": list(claims)}


def test_multiplier_finding_states_the_ratios_of_the_tables_numbers():
    fp, lm = name("fp_mul", fmt="e4m3"), name("lmul", fmt="e4m3")
    found = findings(results({fp: {"area_um2": 3000.0, "energy_pj[normal]": 2.0},
                              lm: {"area_um2": 1000.0, "energy_pj[normal]": 0.5}},
                             {fp: 0.03, lm: 0.09}))
    assert found == [{"finding": "The e4m3 L-Mul unit is 3.0x smaller than the e4m3 float multiplier (1,000 vs "
                                 "3,000 um^2) and takes 4.0x less energy per product, at 3.0x its mean relative "
                                 "error on N(0,1) operands (0.09 vs 0.03).",
                      "source": "Area and energy (cell-mapped, Liberty) and Error per unit tables"}]


def test_mac_findings_and_the_claims_tally():
    fmac, lmac, imac = (name("fp8_mac", fmt="e4m3", acc="fp32"), name("lmul_mac", fmt="e4m3", acc="fp32"),
                        name("int8_mac"))
    found = findings(results({fmac: {"area_um2": 5000.0, "energy_pj[normal]": 10.0},
                              lmac: {"area_um2": 4000.0, "energy_pj[normal]": 9.0},
                              imac: {"area_um2": 2000.0, "energy_pj[normal]": 3.0}}, {},
                             [{"verdict": "holds"}, {"verdict": "does not hold"}, {"verdict": "does not hold"}]))
    text = [f["finding"] for f in found]
    assert "takes 10% less energy than the fp8 MAC (9 vs 10 pJ per multiply-accumulate) and 20% less area" in text[0]
    assert "is 2.5x the area of the int8 MAC" in text[1]
    assert text[2] == "Of 3 checks of the papers' claims: 'holds' 1, 'does not hold' 2 (table below)."
    more = findings(results({fmac: {"area_um2": 5000.0, "energy_pj[normal]": 10.0},
                             lmac: {"area_um2": 5500.0, "energy_pj[normal]": 11.0}}, {}))
    assert "takes 10% more energy than the fp8 MAC (11 vs 10 pJ" in more[0]["finding"]


def test_findings_whose_units_are_missing_are_left_out():
    assert findings(results({}, {})) == []
    fp = name("fp_mul", fmt="e4m3")
    assert findings(results({fp: {"area_um2": 3000.0}}, {fp: 0.03})) == []
