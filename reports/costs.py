"""Area and energy of one configuration, and the papers' cost claims checked against them."""

from __future__ import annotations

import re
from pathlib import Path

from ..catalog import configure
from ..unit import UnitConfig
from . import library as cell_library
from .area import synthesize
from .energy import activity_estimate, table_estimate
from .liberty_energy import liberty_energy
from .unit_error import DATASETS, inputs_for
from .wording import ratio as ratio_text


def unit_costs(config: UnitConfig, *, flow: str = "osu018", root: Path = Path("build"),
               liberty: str | Path | None = None) -> dict:
    """Area and timing figures and the energy estimates of ``config``: Liberty energy by data
    set (``energy_pj``: ``{data set: pJ}``, osu018 flow, on the cell library ``liberty``, None
    for the default), the operation table, and the calibrated activity (``energy_activity_pj``,
    by data set), on :func:`priced_datasets`."""
    area = synthesize(config, flow=flow, root=root, liberty=liberty)
    table_pj, ops = table_estimate(config)
    result = {k: v for k, v in area.items() if k != "dir"}
    result.update({"energy_table_pj": table_pj, "energy_table_ops": ops, "macs_per_op": config.macs()})
    datasets = priced_datasets(config)
    if flow == "osu018":
        result["energy_pj"] = {d: liberty_energy(config, d, root=root, liberty=liberty)["energy_pj"] for d in datasets}
    result["energy_activity_pj"] = {d: activity_estimate(config, d, flow=flow, root=root) for d in datasets}
    return result


def priced_datasets(config: UnitConfig) -> tuple[str, ...]:
    """The data sets ``config``'s energy is priced on: none for a unit with a clock, else those
    that give it inputs (N(0,1) data gives none to a unit whose inputs have no number format,
    such as the BFP quantizer's packed float block)."""
    if config.sequential:
        return ()
    return tuple(d for d in DATASETS if inputs_for(config, d, 1, 1))


def figure(costs: dict, key: str | tuple[str, str]):
    """One figure of :func:`unit_costs`: ``"area_um2"``, or ``("energy_pj", "normal")`` for a
    figure by data set; None when the flow or the unit has none."""
    if isinstance(key, tuple):
        return costs.get(key[0], {}).get(key[1])
    return costs.get(key)


#: The verdict rule, on ratios (how many times smaller or cheaper), written once for the report.
VERDICT_RULE = ("verdicts compare ratios: 'holds' when the measured ratio lies in the claimed range; 'holds with "
                "conditions' when it misses the range by less than a factor of 2; else 'does not hold' (a "
                "claimed 95% saving is a 20x energy ratio, so a measured 3x does not hold)")


def _verdict(ours: float, low: float, high: float = float("inf")) -> str:
    """Ratios: "holds" inside ``[low, high]``; "holds with conditions" within a factor of 2 of
    the range's nearer end; "does not hold" otherwise."""
    if low <= ours <= high:
        return "holds"
    if low / 2 <= ours <= high * 2:
        return "holds with conditions"
    return "does not hold"


def _saving_ratio(low: float, high: float) -> tuple[float, float]:
    """A claimed saving of ``low``..``high`` (fractions) as a ratio range (times less)."""
    return 1 / (1 - low), (float("inf") if high >= 1 else 1 / (1 - high))


def _times(low: float, high: float) -> str:
    return f"{low:.3g}x or more" if high == float("inf") else f"{low:.3g}x to {high:.3g}x"


def claim_configs() -> dict[str, UnitConfig]:
    """The configurations the cost claims compare, by the names :func:`cost_claims` uses."""
    return {name: configure(*spec) for name, spec in {
        "fp_e4m3": ("fp_mul", {"fmt": "e4m3"}), "fp_e5m2": ("fp_mul", {"fmt": "e5m2"}),
        "lmul_e4m3": ("lmul", {"fmt": "e4m3"}), "lmul_e5m2": ("lmul", {"fmt": "e5m2"}),
        "int8": ("int_mul", {"width": "8"}), "int8_mac": ("int8_mac", {}),
        "fp8_mac_e4m3": ("fp8_mac", {"fmt": "e4m3", "acc": "fp32"}),
        "fp8_mac_e5m2": ("fp8_mac", {"fmt": "e5m2", "acc": "fp32"}),
        "lmul_mac_e4m3": ("lmul_mac", {"fmt": "e4m3", "acc": "fp32"}),
        "lmul_mac_e5m2": ("lmul_mac", {"fmt": "e5m2", "acc": "fp32"})}.items()}


def cost_claims(*, flow: str = "osu018", root: Path = Path("build"), liberty: str | Path | None = None) -> list[dict]:
    """Each cost claim, our figure, which estimate, and a verdict, on the cell library
    ``liberty`` (None: the default).

    Element-wise claims compare the multipliers; dot-product and FP8-versus-INT8 claims compare
    the MAC units (fp32 and int32 accumulators). Verdicts follow :func:`_verdict`.
    """
    costs = {name: unit_costs(config, flow=flow, root=root, liberty=liberty)
             for name, config in claim_configs().items()}
    title = cell_library.read(liberty).title if flow == "osu018" else None
    rows = []
    for fmt in ("e4m3", "e5m2"):
        fp, lm = costs[f"fp_{fmt}"], costs[f"lmul_{fmt}"]
        for label, key in ((f"Liberty energy ({title}), N(0,1)", ("energy_pj", "normal")),
                           ("operation table", "energy_table_pj"),
                           ("switching activity, uniform codes", ("energy_activity_pj", "uniform codes")),
                           ("switching activity, N(0,1)", ("energy_activity_pj", "normal"))):
            f, g = figure(fp, key), figure(lm, key)
            if f is None:
                continue  # the fallback flow has no Liberty energy
            saving, band = 1 - g / f, _saving_ratio(0.90, 1.0)
            rows.append({
                "claim": "L-Mul element-wise multiply uses ~95% less energy than float multiply (Luo & Sun)",
                "figure": f"{fmt}: L-Mul {g:.4g} pJ vs fp_mul {f:.4g} pJ: "
                          f"{100 * abs(saving):.1f}% {'less' if saving >= 0 else 'more'}",
                "claimed": f"fp_mul/L-Mul energy {_times(*band)} (90-100% less)",
                "measured": f"{ratio_text(f / g)} ({fmt} vs {fmt})",
                "basis": label, "library": title if key[0] == "energy_pj" else None,
                "verdict": _verdict(f / g, *band)})
        fmac, lmac = costs[f"fp8_mac_{fmt}"], costs[f"lmul_mac_{fmt}"]
        for label, key in ((f"Liberty energy ({title}), N(0,1)", ("energy_pj", "normal")),
                           ("operation table", "energy_table_pj"),
                           ("switching activity, N(0,1)", ("energy_activity_pj", "normal"))):
            f, g = figure(fmac, key), figure(lmac, key)
            if f is None:
                continue
            dot, band = 1 - g / f, _saving_ratio(0.70, 0.90)
            rows.append({
                "claim": "L-Mul dot products use ~80% less energy (Luo & Sun)",
                "figure": f"{fmt} MACs into fp32: lmul_mac {g:.4g} pJ vs fp8_mac {f:.4g} pJ: "
                          f"{100 * abs(dot):.1f}% {'less' if dot >= 0 else 'more'}",
                "claimed": f"fp8_mac/lmul_mac energy {_times(*band)} (70-90% less)",
                "measured": f"{ratio_text(f / g)} ({fmt} MACs into fp32)",
                "basis": f"{label}, per multiply-accumulate", "library": title if key[0] == "energy_pj" else None,
                "verdict": _verdict(f / g, *band)})
        if fp["cells"] is not None:  # the fallback flow maps to no cells
            ratio = fp["cells"] / lm["cells"]
            rows.append({
                "claim": "fp8 multiply needs about twice the gate-level operations of L-Mul (325 vs 157)",
                "figure": f"{fmt}: {fp['cells']} vs {lm['cells']} cells, ratio {ratio:.2f}",
                "claimed": "fp8/L-Mul operations 1.5x to 2.6x (325/157 = 2.07x)",
                "measured": f"{ratio_text(ratio)} ({fmt} vs {fmt}, cells)",
                "basis": f"cells of the {fp['flow']} flow ({fp['tools']})", "library": title,
                "verdict": _verdict(ratio, 1.5, 2.6)})
        imac = costs["int8_mac"]
        for key, what in (("area_um2", f"um^2 ({fmac['library']})"), ("transistors", "transistors (CMOS weights)")):
            if fmac[key] is None:
                continue  # the fallback flow has no cell-mapped area
            over = fmac[key] / imac[key] - 1
            rows.append({
                "claim": "FP8 MACs are 50-180% less efficient than INT8 MACs in area (van Baalen et al.)",
                "figure": f"fp8_mac {fmt}->fp32 {fmac[key]:,.0f} vs int8_mac->int32 {imac[key]:,.0f} {what.split(' (')[0]}: "
                          f"{100 * over:+.0f}%",
                "claimed": "fp8/int8 MAC area 1.5x to 2.8x (50-180% more)",
                "measured": f"{ratio_text(over + 1)} ({fmt} into fp32 vs int8 into int32)",
                "basis": f"{what}, {fp['flow']} flow; natural accumulators (fp32, int32)",
                "library": title if key == "area_um2" else None,
                "verdict": _verdict(over + 1, 1.5, 2.8)})
    return _sensitivity(rows)


def _sensitivity(rows: list[dict]) -> list[dict]:
    """Each row says whether its claim's verdict moves with the basis (Liberty energy, the
    45 nm references, cell area, transistors): flow sensitivity, stated beside the verdict."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        fmt = re.search(r"\be\d+m\d+", r["figure"])  # the operand format the row compares
        groups.setdefault((r["claim"], fmt[0] if fmt else ""), []).append(r)
    for group in groups.values():
        verdicts = {r["verdict"] for r in group}
        text = ("one basis only" if len(group) == 1 else "same verdict on every basis" if len(verdicts) == 1 else
                "verdict changes with the basis: " + "; ".join(f"{r['verdict']} on {r['basis'].split(',')[0]}"
                                                               for r in group))
        for r in group:
            r["sensitivity"] = text
    return rows


def claims_across(libraries: list, *, root: Path = Path("build")) -> list[dict]:
    """:func:`cost_claims` on the first of ``libraries`` (Liberty files), each row that depends
    on the library (``library`` set: Liberty energy, cell area and cells) with its measured
    ratio and verdict on every library (``by_library``) and ``across``, whether the verdict is
    the same on all of them. Rows of the operation table and switching activity do not depend
    on the library."""
    tables = [cost_claims(root=root, liberty=lib) for lib in libraries]
    rows = []
    for same in zip(*tables):
        first = dict(same[0])
        if first.get("library") is not None:
            first["by_library"] = [{"library": r["library"], "measured": r["measured"], "verdict": r["verdict"]}
                                   for r in same]
            verdicts = {r["verdict"] for r in same}
            first["across"] = ("same verdict on " + ", ".join(r["library"] for r in same) if len(verdicts) == 1 else
                               "verdict changes with the library: " + "; ".join(
                                   f"{r['verdict']} on {r['library']}" for r in same))
        rows.append(first)
    return rows
