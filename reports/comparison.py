"""Like with like: each unit's end-to-end error beside its costs per multiply-accumulate, grouped
by comparison class (multipliers, MACs into one accumulator format, block dot products), and the
plots that show each class on its own axes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .costs import figure
from .plots import pareto, pyplot, save

COLUMNS = ("class", "unit", "bits_per_element", "macs_per_op", "err_normal", "err_student_t3", "area_per_mac_um2",
           "energy_per_mac_pj", "delay_ns")


#: Per-MAC figures and the per-operation cost each divides (None where the flow has no such figure).
PER_MAC = {"area_per_mac_um2": "area_um2", "energy_per_mac_pj": ("energy_pj", "normal"),
           "transistors_per_mac": "transistors", "activity_per_mac_pj": ("energy_activity_pj", "normal")}


def columns(table: list[dict]) -> tuple[str, ...]:
    """:data:`COLUMNS` with an error column for each of the user's data sets after the synthetic ones."""
    extra = tuple(dict.fromkeys(k for r in table for k in r if k.startswith("err_") and k not in COLUMNS))
    at = COLUMNS.index("err_student_t3") + 1
    return COLUMNS[:at] + extra + COLUMNS[at:]


def rows(end_to_end: list[dict], costs: list[dict]) -> list[dict]:
    """One row per unit: mean end-to-end error on each data set and the unit's area and Liberty
    energy (N(0,1) operands) divided by its multiply-accumulates per operation."""
    by_unit = {c["unit"]: c for c in costs}
    out: dict[str, dict] = {}
    for r in end_to_end:
        row = out.setdefault(r["unit"], {"class": r["class"], "unit": r["unit"],
                                         "bits_per_element": r["bits_per_element"]})
        row[f"err_{r['data']}"] = r["mean_err"]
    for name, row in out.items():
        cost = by_unit.get(name, {})
        macs = cost.get("macs_per_op", 1)
        row.update({key: figure(cost, per_op) / macs if figure(cost, per_op) else None
                    for key, per_op in PER_MAC.items()},
                   macs_per_op=macs, delay_ns=cost.get("delay_ns"))
    order = {"multipliers": 0, "block dot products": 2}  # then MACs, by accumulator
    return sorted(out.values(), key=lambda r: (order.get(r["class"], 1), r["class"], r["unit"]))


def class_plot(table: list[dict], cost_key: str, xlabel: str, path: Path) -> None:
    """Mean end-to-end error (N(0,1)) against a per-MAC cost, one panel per class, Pareto front
    in red, log axes where values span a decade or more."""
    plt = pyplot()
    classes = list(dict.fromkeys(r["class"] for r in table if r.get(cost_key) and r.get("err_normal") is not None))
    fig, axes = plt.subplots(1, max(len(classes), 1), figsize=(4.2 * max(len(classes), 1), 4.2), squeeze=False)
    markers = "osD^vP*Xh<>"
    for ax, cls in zip(axes[0], classes):
        pts = [(r[cost_key], r["err_normal"], r["unit"]) for r in table
               if r["class"] == cls and r.get(cost_key) and np.isfinite(r["err_normal"])]
        for i, (x, y, name) in enumerate(pts):
            ax.scatter([x], [y], marker=markers[i % len(markers)], s=40, label=name, zorder=3)
        front = sorted((pts[i] for i in pareto([(x, y) for x, y, _ in pts])), key=lambda p: p[0])
        if len(front) > 1:
            ax.plot([p[0] for p in front], [p[1] for p in front], color="#c00000", linestyle="--", lw=1)
        for axis, values in ((ax.set_xscale, [p[0] for p in pts]), (ax.set_yscale, [p[1] for p in pts])):
            positive = [v for v in values if v > 0]
            if positive and len(positive) == len(values) and max(positive) / min(positive) >= 10:
                axis("log")
        ax.set_title(cls, fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.legend(fontsize=6, loc="upper right")
        ax.margins(0.15)
    axes[0][0].set_ylabel("mean end-to-end error, N(0,1) data")
    save(plt, fig, path)


def cdf_plot(errors: dict[str, tuple[str, np.ndarray]], path: Path) -> None:
    """Cumulative distribution of log10 end-to-end error per unit, one panel per class: a unit
    exact on a share of its inputs starts at that share (no fake spikes from clipping)."""
    plt = pyplot()
    classes = list(dict.fromkeys(cls for cls, _ in errors.values()))
    fig, axes = plt.subplots(1, max(len(classes), 1), figsize=(4.2 * max(len(classes), 1), 4.0), squeeze=False)
    for ax, cls in zip(axes[0], classes):
        mags = {name: np.asarray(err, np.float64) for name, (c, err) in errors.items() if c == cls}
        mags = {name: m[np.isfinite(m)] for name, m in mags.items()}
        smallest = min((m[m > 0].min() for m in mags.values() if (m > 0).any()), default=1e-3)
        floor = np.floor(np.log10(smallest)) - 1  # exact results sit one decade left of the smallest error
        for name, m in mags.items():
            if len(m):
                x = np.sort(np.log10(np.maximum(m, 10.0 ** floor)))
                ax.step(x, np.arange(1, len(x) + 1) / len(x), where="post", label=name)
        ax.set_title(cls, fontsize=9)
        ax.set_xlabel(f"log10 end-to-end error (exact at {floor:.0f})", fontsize=8)
        ax.legend(fontsize=6, loc="upper left")
    axes[0][0].set_ylabel("fraction of products or dot products")
    save(plt, fig, path)
