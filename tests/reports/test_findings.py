"""The report's findings: stated from the like-with-like rows' numbers, left out when their units are."""

from arithbench.catalog import configure
from arithbench.reports.findings import findings


def name(unit, **params):
    return configure(unit, params).module_name


def results(rows, claims=()):
    return {"comparison": [{"unit": u, **r} for u, r in rows.items()], "claims": list(claims)}


def test_multiplier_finding_states_the_ratios_of_the_tables_numbers():
    fp, lm = name("fp_mul", fmt="e4m3"), name("lmul", fmt="e4m3")
    found = findings(results({fp: {"area_per_mac_um2": 3000.0, "energy_per_mac_pj": 2.0, "err_normal": 0.03},
                              lm: {"area_per_mac_um2": 1000.0, "energy_per_mac_pj": 0.5, "err_normal": 0.09}}))
    assert found == [{"finding": "The e4m3 L-Mul unit's area is 1/3.00 of the e4m3 float multiplier's (1,000 vs "
                                 "3,000 um^2), its energy per product 1/4.00 of the multiplier's, at 3.00x its end-to-end "
                                 "error on N(0,1) data (0.09 vs 0.03 mean relative error).",
                      "source": "Like with like table"}]


def test_integer_against_float_on_heavy_tails():
    fp, i8 = name("fp_mul", fmt="e4m3"), name("int_mul", width="8")
    found = findings(results({fp: {"err_normal": 0.045, "err_student_t3": 0.044},
                              i8: {"err_normal": 0.079, "err_student_t3": 0.8}}))
    assert "1.76x e4m3's on N(0,1) data (0.079 vs 0.045) but 18.2x on heavy-tailed data" in found[0]["finding"]


def test_mac_block_findings_and_the_claims_tally():
    fmac, lmac, imac = (name("fp8_mac", fmt="e4m3", acc="fp32"), name("lmul_mac", fmt="e4m3", acc="fp32"),
                        name("int8_mac"))
    bfp, mx = name("bfp_dot", k="16", p="4"), name("mx_dot", elem="e4m3", k="32")
    found = findings(results({
        fmac: {"area_per_mac_um2": 5000.0, "energy_per_mac_pj": 10.0, "err_normal": 0.002},
        lmac: {"area_per_mac_um2": 4000.0, "energy_per_mac_pj": 9.0, "err_normal": 0.004},
        imac: {"area_per_mac_um2": 2000.0, "energy_per_mac_pj": 3.0, "err_normal": 0.0005},
        bfp: {"energy_per_mac_pj": 0.5, "err_normal": 0.03, "bits_per_element": 4.5},
        mx: {"energy_per_mac_pj": 1.0, "err_normal": 0.006, "bits_per_element": 8.25}},
        [{"verdict": "holds"}, {"verdict": "does not hold"}, {"verdict": "does not hold"}]))
    text = [f["finding"] for f in found]
    assert "energy per multiply-accumulate is 10% below the fp8 MAC's (9 vs 10 pJ), its area 20% below" in text[0]
    assert "at 2.00x its dot-product error" in text[0]
    assert "has 2.50x the area of the int8 MAC" in text[1] and "4.00x the int8 ones" in text[1]
    assert "bfp12 block unit (4.5 bits per element) takes 0.5 pJ against 1 for MXFP8 (8.25 bits), at 5.00x" in text[2]
    assert text[3] == "Of 3 checks of the papers' claims: 'holds' 1, 'does not hold' 2 (table below)."


def test_findings_whose_units_or_figures_are_missing_are_left_out():
    assert findings(results({})) == []
    fp, lm = name("fp_mul", fmt="e4m3"), name("lmul", fmt="e4m3")
    assert findings(results({fp: {"area_per_mac_um2": 3000.0, "err_normal": 0.03}})) == []
    # the fallback flow has no cell area: no area finding
    assert findings(results({fp: {"area_per_mac_um2": None, "err_normal": 0.03},
                             lm: {"area_per_mac_um2": None, "err_normal": 0.09}})) == []


def test_near_equal_figures_are_called_equal_and_far_apart_ones_keep_their_digits():
    """No "0% less" and no "0.00x": the wording follows the numbers."""
    from arithbench.reports.wording import against, ratio

    fmac, lmac = name("fp8_mac", fmt="e4m3", acc="fp32"), name("lmul_mac", fmt="e4m3", acc="fp32")
    text = findings(results({
        fmac: {"area_per_mac_um2": 60139.0, "energy_per_mac_pj": 70.4, "err_normal": 0.00193},
        lmac: {"area_per_mac_um2": 60250.0, "energy_per_mac_pj": 70.2, "err_normal": 0.00347}}))[0]["finding"]
    assert "energy per multiply-accumulate is within 1% of the fp8 MAC's (70.2 vs 70.4 pJ)" in text
    assert "its area within 1% of the fp8 MAC's" in text and "0%" not in text
    assert ratio(9.08e-07 / 0.000463) == "0.00196x"
    assert ratio(191.8) == "192x" and ratio(3.2361) == "3.24x" and ratio(float("inf")) == "unbounded"
    assert ratio(70.36 / 70.24) == "1.00x" and ratio(2.5) == "2.50x"
    assert against(70.8, 66.4) == "6.6% above" and against(66.4, 70.8) == "6.2% below"
    assert against(10220, 3238) == "3.16x" and against(3238, 10220) == "1/3.16 of"
    assert against(1.0, 0.0) == "unbounded against"
