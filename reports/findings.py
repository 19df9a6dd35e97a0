"""The report's headline: a few findings, one sentence each with its numbers, computed from
the results (never written by hand), and where they come from.

A finding needs its units in the report; one whose units were left out (``--units``) or whose
figures the cost flow did not produce (the fallback flow has no cell area) is not stated.
"""

from __future__ import annotations

from collections import Counter

from ..catalog import configure
from .accumulate_error import FIGURE_LENGTH, SETUPS, figure_row, window_errors
from .lowbit_costs import finding as lowbit_cost_finding
from .lowbit_error import finding as lowbit_finding
from .wording import against, ratio

VERDICTS = ("holds", "holds with conditions", "does not hold")


def _name(unit: str, params: dict) -> str:
    return configure(unit, params).module_name


def findings(results: dict) -> list[dict]:
    """``[{"finding", "source"}]`` from the like-with-like comparison (end-to-end error, costs per
    multiply-accumulate): multipliers, integer against float, MACs, block formats, the accumulator
    width, the best 4-bit weight format on LLM-like data, W4A8 against W8A8 hardware, the
    claims' tally."""
    rows = {r["unit"]: r for r in results.get("comparison", [])}
    out = [{"finding": text, "source": source} for finding, source in FINDINGS
           if (text := finding(rows)) is not None]
    study, costs = results.get("accumulate_error") or [], results.get("accumulate_costs") or []
    out += [{"finding": text, "source": "Accumulator width table"}
            for text in (accumulator_width(study, costs), accumulator_spill(study)) if text is not None]
    if (text := lowbit_finding(results.get("lowbit_error") or [])) is not None:
        out.append({"finding": text, "source": "Four-, six- and eight-bit formats table"})
    if (text := lowbit_cost_finding(results.get("lowbit_costs") or [])) is not None:
        out.append({"finding": text, "source": "Low-bit hardware table"})
    if (text := library_finding(results["claims"])) is not None:
        out.append({"finding": text, "source": "Claims table (libraries)"})
    if results["claims"]:
        tally = Counter(c["verdict"] for c in results["claims"])
        out.append({
            "finding": f"Of {len(results['claims'])} checks of the papers' claims: "
                       + ", ".join(f"'{v}' {tally[v]}" for v in VERDICTS if tally[v]) + " (table below).",
            "source": "Claims table"})
    return out


def library_finding(claims: list[dict]) -> str | None:
    """When a cost claim's verdict changes with the cell library: which, and where. Nothing when
    the claims were checked on one library or every verdict is the same on all."""
    measured = [c for c in claims if "by_library" in c]
    changed = [c for c in measured if len({x["verdict"] for x in c["by_library"]}) > 1]
    if not changed:
        return None
    libraries = ", ".join(x["library"] for x in measured[0]["by_library"])
    return (f"{len(changed)} of {len(measured)} cost checks change their verdict between the cell libraries "
            f"({libraries}): " + "; ".join(f"{c['claim']} on {c['basis'].split(' (')[0]}, {c['across'].split(': ', 1)[1]}"
                                           for c in changed) + ".")


def _rows(rows: dict, units: tuple, keys: tuple = ("area_per_mac_um2", "err_normal")) -> list[dict] | None:
    """The rows of ``units`` (unit, params), or None when one is missing or lacks one of ``keys``."""
    names = [_name(u, p) for u, p in units]
    if all(n in rows and all(rows[n].get(k) is not None for k in keys) for n in names):
        return [rows[n] for n in names]
    return None


def _multipliers(rows: dict) -> str | None:
    if not (found := _rows(rows, (("fp_mul", {"fmt": "e4m3"}), ("lmul", {"fmt": "e4m3"})))):
        return None
    f, m = found
    energy = f.get("energy_per_mac_pj") and m.get("energy_per_mac_pj")
    return (f"The e4m3 L-Mul unit's area is {against(m['area_per_mac_um2'], f['area_per_mac_um2'])} the e4m3 float "
            f"multiplier's ({m['area_per_mac_um2']:,.0f} vs {f['area_per_mac_um2']:,.0f} um^2)"
            + (f", its energy per product {against(m['energy_per_mac_pj'], f['energy_per_mac_pj'])} the multiplier's"
               if energy else "")
            + f", at {_ratio(m['err_normal'], f['err_normal'])} its end-to-end error on N(0,1) data "
            f"({m['err_normal']:.3g} vs {f['err_normal']:.3g} mean relative error).")


def _int_against_float(rows: dict) -> str | None:
    if not (found := _rows(rows, (("fp_mul", {"fmt": "e4m3"}), ("int_mul", {"width": "8"})),
                           ("err_normal", "err_student_t3"))):
        return None
    f, i = found
    return (f"With one per-tensor scale, int8 products are {_ratio(i['err_normal'], f['err_normal'])} e4m3's on "
            f"N(0,1) data ({i['err_normal']:.3g} vs {f['err_normal']:.3g}) but "
            f"{_ratio(i['err_student_t3'], f['err_student_t3'])} on heavy-tailed data "
            f"({i['err_student_t3']:.3g} vs {f['err_student_t3']:.3g}): outliers take the range.")


FP8_MAC, INT8_MAC = ("fp8_mac", {"fmt": "e4m3", "acc": "fp32"}), ("int8_mac", {})


def _lmul_macs(rows: dict) -> str | None:
    if not (found := _rows(rows, (FP8_MAC, ("lmul_mac", {"fmt": "e4m3", "acc": "fp32"})),
                           ("energy_per_mac_pj", "area_per_mac_um2", "err_normal"))):
        return None
    f, m = found
    return (f"Into an fp32 accumulator, an L-Mul MAC's energy per multiply-accumulate is "
            f"{against(m['energy_per_mac_pj'], f['energy_per_mac_pj'])} the fp8 MAC's "
            f"({m['energy_per_mac_pj']:.3g} vs {f['energy_per_mac_pj']:.3g} pJ), its area "
            f"{against(m['area_per_mac_um2'], f['area_per_mac_um2'])} the fp8 MAC's (the accumulator dominates both), "
            f"at {_ratio(m['err_normal'], f['err_normal'])} its dot-product error.")


def _fp8_against_int8_macs(rows: dict) -> str | None:
    if not (found := _rows(rows, (FP8_MAC, INT8_MAC))):
        return None
    f, i = found
    return (f"The fp8 e4m3 MAC into fp32 has {_ratio(f['area_per_mac_um2'], i['area_per_mac_um2'])} the area of the int8 "
            f"MAC into int32 ({f['area_per_mac_um2']:,.0f} vs {i['area_per_mac_um2']:,.0f} um^2); its dot products "
            f"(length 256) are {_ratio(f['err_normal'], i['err_normal'])} the int8 ones on N(0,1) data "
            f"({f['err_normal']:.3g} vs {i['err_normal']:.3g}).")


def _block_formats(rows: dict) -> str | None:
    if not (found := _rows(rows, (("bfp_dot", {"k": "16", "p": "4"}), ("mx_dot", {"elem": "e4m3", "k": "32"})),
                           ("energy_per_mac_pj", "err_normal"))):
        return None
    b, x = found
    return (f"Per multiply-accumulate, the bfp12 block unit ({b['bits_per_element']:.3g} bits per element) takes "
            f"{b['energy_per_mac_pj']:.3g} pJ against {x['energy_per_mac_pj']:.3g} for MXFP8 "
            f"({x['bits_per_element']:.3g} bits), at {_ratio(b['err_normal'], x['err_normal'])} its block "
            f"dot-product error ({b['err_normal']:.3g} vs {x['err_normal']:.3g}).")


def accumulator_width(study: list[dict], costs: list[dict]) -> str | None:
    """The narrowest window of the first setup whose error at :data:`FIGURE_LENGTH` (N(0,1)
    data, no spills) is within 2x of the exact sum's, the window below it, and the area and
    energy per multiply-accumulate of the narrowest costed window that qualifies against the
    exact sum's, or where the exact sum is not costed, the widest costed window's."""
    setup = SETUPS[0]
    if not (row := figure_row(study, setup.name)):
        return None
    exact, errors = row["exact"], window_errors(row)
    within = [(w, e) for w, e in errors if e <= 2 * exact]
    if not within:
        return None
    (window, err), below = within[0], [(w, e) for w, e in errors if w < within[0][0]]
    text = (f"Chained into fp32 at length {FIGURE_LENGTH:,} (N(0,1) data), the {setup.name} dot unit (k = {setup.k}) "
            f"needs a {window}-bit window for its error to stay within 2x of the exact sum's ({err:.3g} vs "
            f"{exact:.3g})")
    if below:
        w, e = below[-1]
        text += f"; {w} bits give {_ratio(e, exact)} the exact sum's error ({e:.3g})"
    cost = {c["window"]: c for c in costs if c["setup"] == setup.name and c.get("area_per_mac_um2")}
    costed = [w for w, _ in within if f"w{w}" in cost]
    widest = max((int(k[1:]) for k in cost if k != "exact"), default=None)
    ref_key = "exact" if "exact" in cost else f"w{widest}"
    if costed and ref_key in cost and ref_key != f"w{costed[0]}":
        w, c, ref = costed[0], cost[f"w{costed[0]}"], cost[ref_key]
        whose, note = ("the exact sum's", "") if ref_key == "exact" else (
            f"the {widest}-bit window's", f"; {widest} bits give {_ratio(row[ref_key], exact)} the exact sum's error")
        text += (f". {'Its' if w == window else f'At {w} bits, the narrowest costed window, its'} area per "
                 f"multiply-accumulate is {against(c['area_per_mac_um2'], ref['area_per_mac_um2'])} {whose} "
                 f"({c['area_per_mac_um2']:,.0f} vs {ref['area_per_mac_um2']:,.0f} um^2{note})")
        if c.get("energy_per_mac_pj") and ref.get("energy_per_mac_pj"):
            text += (f", its energy {against(c['energy_per_mac_pj'], ref['energy_per_mac_pj'])} "
                     f"({c['energy_per_mac_pj']:.3g} vs {ref['energy_per_mac_pj']:.3g} pJ)")
    return text + "."


def accumulator_spill(study: list[dict], window: int = 14, spill: int = 128) -> str | None:
    """What moving the partial sum to fp32 every ``spill`` products does to the first setup's
    error at a ``window`` of about DeepSeek-V3's 14 bits (N(0,1) data, length :data:`FIGURE_LENGTH`)."""
    setup, key = SETUPS[0], f"w{window}"
    never, spilled = figure_row(study, setup.name), figure_row(study, setup.name, spill=spill)
    if not (never and spilled and never.get(key) and spilled.get(key) is not None):
        return None
    return (f"With {window} bits kept (about what DeepSeek-V3 measured of the H800's FP8 accumulation), moving the "
            f"partial sum to fp32 every {spill} products puts the error of {setup.name} dot products of length "
            f"{FIGURE_LENGTH:,} at {against(spilled[key], never[key])} that without spills ({spilled[key]:.3g} vs "
            f"{never[key]:.3g}, N(0,1) data).")


FINDINGS = ((_multipliers, "Like with like table"), (_int_against_float, "End-to-end error table"),
            (_lmul_macs, "Like with like table"), (_fp8_against_int8_macs, "Like with like table"),
            (_block_formats, "Like with like table"))


def _ratio(a: float, b: float) -> str:
    """``a`` against ``b`` as a multiple."""
    return ratio(a / b) if b else "unbounded against"
