"""The report's headline: a few findings, one sentence each with its numbers, computed from
the results (never written by hand), and where they come from.

A finding needs its units in the report; one whose units were left out (``--units``) or whose
figures the cost flow did not produce (the fallback flow has no cell area) is not stated.
"""

from __future__ import annotations

from collections import Counter

from ..catalog import configure

VERDICTS = ("holds", "holds with conditions", "does not hold")


def _name(unit: str, params: dict) -> str:
    return configure(unit, params).module_name


def findings(results: dict) -> list[dict]:
    """``[{"finding", "source"}]``: multipliers, MACs, FP8 against INT8, the claims' tally."""
    costs = {c["unit"]: c for c in results["costs"]}
    error = {r["unit"]: r["mean_rel"] for r in results["unit_error"] if r["data"] == "normal"}
    out = []

    fp, lm = _name("fp_mul", {"fmt": "e4m3"}), _name("lmul", {"fmt": "e4m3"})
    if fp in costs and lm in costs and costs[fp].get("area_um2") and fp in error and lm in error:
        area, energy = costs[fp]["area_um2"] / costs[lm]["area_um2"], None
        if costs[fp].get("energy_pj[normal]"):
            energy = costs[fp]["energy_pj[normal]"] / costs[lm]["energy_pj[normal]"]
        out.append({
            "finding": f"The e4m3 L-Mul unit is {area:.1f}x smaller than the e4m3 float multiplier "
                       f"({costs[lm]['area_um2']:,.0f} vs {costs[fp]['area_um2']:,.0f} um^2)"
                       + (f" and takes {energy:.1f}x less energy per product" if energy else "")
                       + f", at {error[lm] / error[fp]:.1f}x its mean relative error on N(0,1) operands "
                       f"({error[lm]:.3g} vs {error[fp]:.3g}).",
            "source": "Area and energy (cell-mapped, Liberty) and Error per unit tables"})

    fmac, lmac = _name("fp8_mac", {"fmt": "e4m3", "acc": "fp32"}), _name("lmul_mac", {"fmt": "e4m3", "acc": "fp32"})
    if fmac in costs and lmac in costs and costs[fmac].get("energy_pj[normal]"):
        saving = 1 - costs[lmac]["energy_pj[normal]"] / costs[fmac]["energy_pj[normal]"]
        area = 1 - costs[lmac]["area_um2"] / costs[fmac]["area_um2"]
        out.append({
            "finding": f"Into an fp32 accumulator, an L-Mul MAC takes {_less_more(saving)} energy than the fp8 MAC "
                       f"({costs[lmac]['energy_pj[normal]']:.3g} vs {costs[fmac]['energy_pj[normal]']:.3g} pJ per "
                       f"multiply-accumulate) and {_less_more(area)} area: the accumulator dominates both.",
            "source": "Area and energy table (Liberty energy on N(0,1) operands)"})

    imac = _name("int8_mac", {})
    if fmac in costs and imac in costs and costs[fmac].get("area_um2"):
        over = costs[fmac]["area_um2"] / costs[imac]["area_um2"]
        out.append({
            "finding": f"The fp8 e4m3 MAC into fp32 is {over:.1f}x the area of the int8 MAC into int32 "
                       f"({costs[fmac]['area_um2']:,.0f} vs {costs[imac]['area_um2']:,.0f} um^2).",
            "source": "Area and energy table"})

    if results["claims"]:
        tally = Counter(c["verdict"] for c in results["claims"])
        out.append({
            "finding": f"Of {len(results['claims'])} checks of the papers' claims: "
                       + ", ".join(f"'{v}' {tally[v]}" for v in VERDICTS if tally[v]) + " (table below).",
            "source": "Claims table"})
    return out


def _less_more(saving: float) -> str:
    return f"{100 * abs(saving):.0f}% {'less' if saving >= 0 else 'more'}"
