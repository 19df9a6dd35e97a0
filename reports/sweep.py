"""Design-space sweeps: one unit over float formats and rounding modes, each point's error, area
and energy, and the Pareto fronts of error against area and against energy.

Points are independent, so they run as tasks on a Dask cluster (local processes by default),
each reusing the shared caches of syntheses and activity runs under the build folder.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import numpy as np

from ..catalog import configure, unit
from ..errors import UsageError
from ..files import output_dir
from ..models.formats import float_format
from ..sim.shards import dask_client
from . import document as doc
from . import library as cell_library
from .area import synthesize, tool_version
from .energy import activity_estimate
from .plots import pareto, pyplot, save
from .report import write_csv
from . import end_to_end

SEED = 1
#: Every eXmY with x + y <= 7 (8-bit and narrower floats), OCP-style special values (fn).
DEFAULT_FORMATS = tuple(f"e{x}m{y}fn" for x in range(1, 8) for y in range(0, 8 - x))
COLUMNS = ("fmt", "round", "mean_rel", "max_rel", "area_um2", "delay_ns", "transistors", "cells", "energy_pj",
           "pareto_area", "pareto_energy")


def points(unit_name: str, formats: list[str], roundings: list[str]) -> list[dict]:
    """The sweep's parameter sets, checked before any work starts."""
    spec = unit(unit_name)
    names = {p.name for p in spec.parameters()}
    if "fmt" not in names:
        raise UsageError(f"{unit_name} has no float format parameter to sweep")
    if roundings != ["rne"] and "round" not in names:
        raise UsageError(f"{unit_name} has no rounding parameter: leave out --rounding")
    out = []
    if set(configure(unit_name).port_formats()) != {"a", "b", "y"}:
        raise UsageError(f"{unit_name} is not a two-operand unit (ports a, b -> y): the sweep compares a*b")
    for fmt in formats:
        float_format(fmt)  # a bad name fails here, with its own message
        for rounding in roundings:
            params = {"fmt": fmt, **({"round": rounding} if "round" in names else {})}
            configure(unit_name, params)
            out.append(params)
    return out


def end_to_end_error(config) -> dict:
    """Error of the unit on N(0,1) operands against their exact product
    (:mod:`.end_to_end`): input quantization into the format plus the unit's own arithmetic,
    which is what choosing a format costs (the per-unit tables leave quantization out; here a
    format whose products are exact, e6m0, would otherwise look perfect)."""
    rel, _ = end_to_end.errors(config, end_to_end.Data("normal"), SEED)
    return {"mean_rel": float(np.mean(rel)), "max_rel": float(np.max(rel))}


def measure(unit_name: str, params: dict, flow: str, root: str, liberty: str | None = None) -> dict:
    """One point: error on N(0,1) inputs, area (on the cell library ``liberty``, None: the
    default), switching-activity energy (runs on a worker)."""
    config = configure(unit_name, params)
    stats = end_to_end_error(config)
    area = synthesize(config, flow=flow, root=Path(root), liberty=liberty)
    energy = activity_estimate(config, "normal", flow=flow, root=Path(root))
    return {"fmt": params["fmt"], "round": params.get("round", "-"), "module": config.module_name,
            "mean_rel": stats["mean_rel"], "max_rel": stats["max_rel"], "transistors": area["transistors"],
            "area_um2": area["area_um2"], "delay_ns": area["delay_ns"], "cells": area["cells"], "energy_pj": energy}


def run(unit_name: str, formats: list[str], roundings: list[str], *, out_dir: Path, root: Path,
        flow: str = "osu018", workers: int = 2, scheduler: str | None = None,
        log: Callable[[str], None] = print, command: str = "", liberty: Path | None = None) -> list[dict]:
    """Measure every point on Dask, then write the table and plots into ``out_dir`` at once;
    areas on the cell library ``liberty`` (None: the default)."""
    todo = points(unit_name, formats, roundings)
    from distributed import as_completed

    start = time.perf_counter()
    rows, failed = [], []
    with dask_client(workers, scheduler) as client:
        futures = {client.submit(measure, unit_name, p, flow, str(root), liberty and str(liberty), pure=False,
                                 retries=1): p for p in todo}
        for i, future in enumerate(as_completed(futures), 1):
            try:
                rows.append(future.result())
            except Exception as exc:  # a point that cannot be built or measured is reported, not fatal
                failed.append({**futures[future], "error": f"{type(exc).__name__}: {exc}"})
            log(f"  {i}/{len(todo)} points, {time.perf_counter() - start:.0f} s")
    rows.sort(key=lambda r: (r["fmt"], r["round"]))
    for key, cost in (("pareto_area", _area_key(flow)), ("pareto_energy", "energy_pj")):
        front = set(pareto([(r[cost], r["mean_rel"] if np.isfinite(r["mean_rel"]) else np.inf) for r in rows]))
        for i, r in enumerate(rows):
            r[key] = i in front
    _write(unit_name, rows, failed, out_dir, flow, command, time.perf_counter() - start, liberty)
    return rows


def _area_key(flow: str) -> str:
    """Cell-mapped area where the flow has it, transistors in the fallback flow."""
    return "area_um2" if flow == "osu018" else "transistors"


def _plottable(rows: list[dict], cost: str) -> list[dict]:
    """The rows a log-log plot of error against ``cost`` can show: both finite and positive
    (an unbounded or zero error, or a missing cost, has no place on it)."""
    return [r for r in rows
            if all(r[k] is not None and np.isfinite(r[k]) and r[k] > 0 for k in (cost, "mean_rel"))]


def _figures(rows: list[dict], flow: str, tmp: Path, liberty: Path | None) -> list:
    """The error-against-area and error-against-energy plots in ``tmp``, as report blocks; a
    plot without a point to show is left out and a line says so."""
    blocks = []
    for cost, xlabel, name, what in (
            (_area_key(flow), f"area, um^2 ({cell_library.read(liberty).title} cells)" if flow == "osu018" else
             "transistors (CMOS weights; fallback flow)", "error_vs_area.png", "area"),
            ("energy_pj", "pJ per operation (switching activity, N(0,1))", "error_vs_energy.png", "energy")):
        shown = _plottable(rows, cost)
        if shown:
            _plot(shown, cost, xlabel, tmp / name)
            blocks.append(doc.Image(tmp / name, f"Error against {what}, Pareto front in red."))
        else:
            blocks.append(doc.Text(f"No plot of error against {what}: no point has a finite, positive error "
                                   f"and {what}."))
    return blocks


def _plot(rows: list[dict], cost: str, xlabel: str, path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter([r[cost] for r in rows], [r["mean_rel"] for r in rows], color="#4472c4", s=14)
    for r in rows:
        ax.annotate(r["fmt"] + ("" if r["round"] in ("-", "rne") else f" {r['round']}"), (r[cost], r["mean_rel"]),
                    fontsize=6, xytext=(3, 3), textcoords="offset points")
    front = sorted((r for r in rows if r["pareto_energy" if cost == "energy_pj" else "pareto_area"]),
                   key=lambda r: r[cost])
    ax.plot([r[cost] for r in front], [r["mean_rel"] for r in front], color="#c00000", marker="o",
            linestyle="--", label="Pareto front")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean relative error, N(0,1) inputs")
    ax.legend()
    save(plt, fig, path)


def _write(unit_name, rows, failed, out_dir: Path, flow, command, seconds, liberty) -> None:
    with output_dir(out_dir, "sweep") as tmp:
        figures = _figures(rows, flow, tmp, liberty)
        source = (f"error: {end_to_end.N_PRODUCTS:,} N(0,1) operand pairs (float32, seeds {SEED} and {SEED + 1}) quantized "
                  "to the format (RNE, saturating) and put through the unit's golden model, "
                  "mean |approx - x*y| / |x*y| against the exact product of the unquantized operands; "
                  f"area and delay: cost flow {flow} ({tool_version(flow, liberty)}), "
                  "transistors by CMOS weights after ABC; energy: gate-level switching activity on N(0,1) operands "
                  "(Verilator, SAIF), calibrated 8-bit add = 0.03 pJ")
        blocks = [doc.Heading(f"Sweep of {unit_name}", 1),
                  doc.Text(f"`{command}`: {len(rows)} points in {seconds:.0f} s."),
                  doc.Table(rows, COLUMNS, source), *figures]
        if failed:
            blocks.append(doc.Table(failed, tuple(failed[0]), "points that could not be measured"))
        (tmp / "SWEEP.md").write_text(doc.to_markdown(blocks))
        write_csv(rows, tmp / "sweep.csv")
        (tmp / "sweep.json").write_text(json.dumps({"unit": unit_name, "command": command, "rows": rows,
                                                    "failed": failed, "source": source}, indent=2) + "\n")
