"""The ``arithbench`` command line: it parses the arguments, calls :mod:`arithbench.api` (where
the option rules and resource guards are) and prints the result.

Exit codes: 0 success, 1 a verification mismatch, 2 bad input or a missing tool (one line on
stderr saying what is wrong and how to fix it, nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

from . import __version__, api, checking, checks
from .api import LIMITS, Unit
from .catalog import configure, units
from .errors import ArithbenchError, UsageError
from .params import parse_assignments

class _Once(argparse.Action):
    """Store an option's value, refusing the option given twice (argparse would keep the last)."""

    def __init__(self, option_strings, dest, nargs=None, const=None, **kwargs):
        self.flag = nargs == 0
        super().__init__(option_strings, dest, nargs=nargs, const=const, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        seen = namespace.__dict__.setdefault("_given", set())
        if self.dest in seen:
            raise UsageError(f"{'/'.join(self.option_strings)} given twice: give it once")
        seen.add(self.dest)
        setattr(namespace, self.dest, self.const if self.flag else values)


class _OnceFlag(_Once):
    def __init__(self, option_strings, dest, default=False, required=False, help=None):
        super().__init__(option_strings, dest, nargs=0, const=True, default=default, required=required, help=help)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register("action", None, _Once)
        self.register("action", "store", _Once)
        self.register("action", "store_true", _OnceFlag)

    def error(self, message: str):  # one line, exit 2
        raise UsageError(f"{message} (see {self.prog} --help)")


def _given(args, option: str) -> bool:
    """Whether the option whose destination is ``option`` was on the command line."""
    return option in getattr(args, "_given", set())


def _int_in(low: int, high: int):
    """An argparse type: an integer in [low, high], or one line naming the range."""
    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer from {low:,} to {high:,}, not {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer from {low:,} to {high:,}, not {text!r}")
        return value
    return parse


_SEED = _int_in(0, checks.MAX_SEED)


def _limit(key: str):
    """An argparse type: an integer within the API's bounds for ``key`` (see :data:`arithbench.api.LIMITS`)."""
    return _int_in(*LIMITS[key])


def _path(text: str) -> str:
    if not text or "\x00" in text:
        raise argparse.ArgumentTypeError(f"must be a path, not {text!r}")
    return text


def _scheduler(text: str) -> str:
    try:
        return checking.scheduler_address(text, "--scheduler")
    except UsageError as exc:  # argparse names the option itself
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--scheduler ")) from None


def _unit(args) -> Unit:
    return Unit(configure(args.unit, parse_assignments(args.param or [])))


def _log(line: str) -> None:
    """Progress, on stderr as it happens."""
    print(line, file=sys.stderr, flush=True)


def _command(args) -> str:
    """The command line as a report's provenance names it."""
    return "arithbench " + " ".join(sys.argv[1:] if args.argv is None else args.argv)


def _corner_note(ran: int, asked: int | None) -> None:
    """Say so when a plan holds more vectors than asked for: every pair of corner patterns."""
    if asked is not None and ran > asked:
        print(f"note: {ran:,} vectors: the {asked:,} asked for plus every pair of corner patterns "
              "(always included)", file=sys.stderr)


def cmd_units(args) -> int:
    for spec in units().values():
        print(f"{spec.name}: {spec.doc}")
        for p in spec.parameters():
            default = f"same as {p.default_from}" if p.default_from else p.default
            default = str(default).lower() if p.kind == "bool" and p.default_rule is None else default
            print(f"    {p.name:<8} {p.doc}; allowed: {p.allowed()}; default: {default}")
    return 0


def cmd_formats(args) -> int:
    from .models.formats import FLOAT_FORMATS

    print(f"{'name':<10}{'bits':>5}{'exp':>5}{'man':>5}{'bias':>6}  {'policy':<8}"
          f"{'max normal':>14}{'min normal':>14}{'min subnormal':>15}  {'inf':<12}nan")
    for f in FLOAT_FORMATS.values():
        print(f"{f.name:<10}{f.bits:>5}{f.exp_bits:>5}{f.man_bits:>5}{f.bias:>6}  {f.policy:<8}"
              f"{f.max_normal:>14.6g}{f.min_normal:>14.6g}{f.min_subnormal:>15.6g}  "
              f"{f.inf_code and hex(f.inf_code) or '-':<12}{f.nan_code is not None and hex(f.nan_code) or '-'}")
    print("Any eXmY with a policy suffix also works, e.g. e3m4ieee, e4m2fn, e2m2finite, e5m2fnuz.")
    print("P3109 8-bit formats (signed, extended domain: NaN 0x80, +-inf 0x7f/0xff, no -0): binary8p1 .. binary8p7.")
    print("Integer formats: int2..int32 and uint2..uint32.")
    from .models.formats import LOOKUP_FORMATS

    for f in LOOKUP_FORMATS.values():
        print(f"Lookup format {f.name}: {f.bits} bits, code i is the i-th of {len(f.values)} values from "
              f"{f.values[0]:g} to {f.values[-1]:g} (ties {f.ties}); no inf, no NaN.")
    return 0


def cmd_generate(args) -> int:
    unit = _unit(args)
    v_path = unit.generate(args.output)
    print(f"wrote {v_path} and {v_path.with_suffix('.json')} (module {unit.module_name})")
    return 0


def cmd_verify(args) -> int:
    """The rules are :meth:`arithbench.api.Unit.verify`'s (and, with --prove,
    :func:`arithbench.checking.verify_options`); --proof-seconds, which only the command line
    has, is checked here."""
    from .sim.runner import print_progress
    from .sim.shards import ShardedVerdict

    unit = _unit(args)
    asked = unit.vector_count(args.vectors)
    if _given(args, "proof_seconds") and not args.prove:
        raise UsageError("--proof-seconds bounds the proof of --prove: add --prove, or leave it out")
    design = dict(rtl=args.rtl, top=args.top, ports=args.map, clock=args.clock, reset=args.reset,
                  latency=args.latency, netlist=args.netlist)
    if args.prove:
        checking.verify_options(workers=args.workers, scheduler=args.scheduler, shard_size=args.shard_size,
                                only=args.only, waves=args.waves, prove=True, **design)
        return _prove(unit, args)
    verdict = unit.verify(args.sim, args.vectors, args.seed, args.build, **design, lanes=args.lanes, only=args.only,
                          waves=args.waves, progress=print_progress(unit.module_name), workers=args.workers,
                          scheduler=args.scheduler, shard_size=args.shard_size)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if isinstance(verdict, ShardedVerdict):
        return _print_sharded(args, verdict)
    if verdict.only is None:
        _corner_note(verdict.vectors, asked)
    if args.waves and verdict.waves is None:
        print("no failing vectors: no waveform written (--only INDEX --waves shows one vector)", file=sys.stderr)
    print(verdict.summary())
    from .sim.own_rtl import parse_map

    names = parse_map(args.map) if args.rtl else {}
    for row in verdict.counterexamples:
        print("  " + ", ".join(f"{_renamed(k, names)}={v}" for k, v in row.items()))
    if verdict.waves:
        print(f"waveform: {verdict.waves}")
    if verdict.hint is not None:
        print(f"hint: outputs match the model at latency {verdict.hint} (--latency {verdict.hint})")
    if args.json:
        print(json.dumps(verdict.__dict__, default=str))
    return 0 if verdict.passed else 1


def _renamed(key: str, names: dict[str, str]) -> str:
    """A counterexample's column with the user's port name: ``a`` -> ``x``, ``expected y`` -> ``expected p``."""
    head, _, port = key.rpartition(" ")
    return f"{head} {names[port]}".strip() if port in names else key


def _prove(unit, args) -> int:
    """A Yosys SAT proof that the user's design equals the generated reference, or the input
    that tells them apart."""
    from .sim.own_rtl import parse_map

    result = unit.prove(args.rtl, args.top, args.map, args.build, args.proof_seconds)
    names, what = parse_map(args.map), f"{args.top} from {', '.join(args.rtl)}"
    if result.outcome == "equivalent":
        print(f"PROVED {unit.module_name}: {what} equals arithbench's reference for every input ({result.detail})")
        return 0
    if result.outcome == "differs":
        shown = ", ".join(f"{names.get(k, k)}={v:#x}" for k, v in result.inputs.items())
        print(f"DIFFERS {unit.module_name}: {what} and arithbench's reference differ at {shown} ({result.detail})")
        return 1
    raise UsageError(f"proof undecided: {result.detail}")


def _print_sharded(args, verdict) -> int:
    """A sharded run's verdict, its shards with mismatches or failures, and where its record went."""
    print(verdict.summary())
    for s in verdict.shards:
        if s.mismatches:
            print(f"  shard [{s.start:,}, {s.stop:,}): {s.mismatches} mismatches, first at vectors {s.first}")
    for a, b, why in verdict.failed:
        print(f"  shard [{a:,}, {b:,}) failed after retries: {why}")
    print(f"record: {verdict.record_path(args.build)}")
    if args.json:
        print(verdict.record())
    if verdict.mismatches:
        return 1
    if not verdict.complete:
        raise UsageError("some shards failed after retries (listed above): the record is incomplete")
    return 0


def cmd_vectors(args) -> int:
    written = _unit(args).vectors(args.output, args.vectors, args.seed)
    print(f"wrote {written.path}: {written.vectors:,} vectors")
    _corner_note(written.vectors, written.asked)
    return 0


def cmd_error(args) -> int:
    from .reports.error import format_table

    result = api.error(args.study, args.trials, args.samples, args.seed, size=args.size)
    if args.json:
        print(json.dumps(result.as_dict()))
        return 0
    study, size = result.study, result.size
    sized = f"{size:,} {study.option} per {'row' if study.option == 'trials' else 'distribution'}, " \
        if study.option in ("trials", "samples") else ""
    where = f"see `pydoc arithbench.reports.{study.module}`"
    print(f"{study.describe(size, result.seed)} ({where})\n" if study.describe else
          f"{study.title} ({sized}seed {result.seed}; {where})\n")
    print(format_table(result.rows, study.columns))
    if result.claims:
        print(f"\nClaims {study.claims_heading}:")
        for c in result.claims:
            print(f"  [{c['verdict']}] {c['claim']} ({c['basis']}): {c['figure']}")
    return 0


def cmd_report(args) -> int:
    api.report(args.output, units=args.units, unit=args.unit, data=args.data, sim=args.sim, root=args.build,
               flow=args.flow, workers=args.workers, command=_command(args), liberty=args.liberty)
    return 0


def cmd_mutate(args) -> int:
    unit = _unit(args)
    record = unit.mutate(args.mutants, args.seed, args.sim, args.build, args.proof_seconds, log=_log)
    print(record.summary())
    for r in record.results:
        if r.outcome != "caught":
            print(f"  m{r.mutant.id:02d} {r.outcome}: {r.mutant.describe()}; {r.how}"
                  + (f"; input {r.counterexample}" if r.counterexample else ""))
    print(f"record: {unit.mutation_record(args.build)}")
    return 0 if record.caught + record.equivalent == len(record.results) else 1


def cmd_sweep(args) -> int:
    result = api.sweep(args.unit, args.formats, args.rounding, output=args.output, root=args.build, flow=args.flow,
                       workers=args.workers, scheduler=args.scheduler, log=_log, command=_command(args),
                       liberty=args.liberty)
    print(f"{args.unit}: {len(result.rows)} points; Pareto front (error vs area): {', '.join(result.front)}")
    print(f"written to {result.output}: {', '.join(result.files)}")
    return 0


def cmd_bench(args) -> int:
    from .sim.benchmark import format_figures, format_unit_rates

    figures = _unit(args).bench(args.lanes, args.vectors, args.rounds, args.build, log=_log)
    formatted = format_figures if "b_lane_packed" in figures else format_unit_rates
    print(json.dumps(figures) if args.json else formatted(figures))
    return 0


def cmd_cost(args) -> int:
    # -p period=NS is the cost command's, not the unit's: the pipelining that meets that clock
    params = [p for p in args.param or [] if not p.startswith("period=")]
    periods = [p.split("=", 1)[1] for p in args.param or [] if p.startswith("period=")]
    if len(periods) > 1:
        raise UsageError("-p period= is given twice: give one clock period")
    unit = Unit(configure(args.unit, parse_assignments(params)))
    libraries = args.liberty or [None]
    every = [unit.cost(args.flow, args.build, liberty, periods[0] if periods else None, log=_log,
                       layout=args.layout).as_dict() for liberty in libraries]
    if args.json:
        print(json.dumps(every[0] if len(every) == 1 else every))
        return 0
    for figures in every:
        _print_cost(unit, figures)
    return 0


def _print_cost(unit, figures: dict) -> None:
    flow = "" if figures["library"] else f"flow {figures['flow']}: "  # the real flow is named by its tools and library
    print(f"{figures['unit']}  ({flow}{figures['tools']})")
    if "period_ns" in figures:
        tried = ", ".join(f"{t['stages']}: {t['delay_ns']:.3f} ns" for t in figures["stages_tried"])
        print(f"  pipelined    stages={figures['stages']} meets a period of {figures['period_ns']:g} ns with "
              f"{figures['slack_ns']:.3f} ns of slack (worst stage by stage count: {tried})\n"
              f"  verified     {figures['verification']}")
    if "layout" in figures:
        lay = figures["layout"]
        print(f"  layout       die {lay['die_area_um2']:,.0f} um^2 ({lay['utilisation']:.0%} of it cells), "
              f"{lay['wire_length_um']:,.0f} um of wire; worst path {lay['post_route_delay_ns']:.3f} ns after "
              f"routing against {lay['pre_layout_delay_ns']:.3f} ns before (wire RC from qrouter, OpenSTA; "
              f"{sum(lay['seconds'].values()):.1f} s)\n"
              f"  verified     {figures['layout_verification']} ({lay['dir']})")
    if figures["area_um2"] is not None:
        print(f"  area         {figures['area_um2']:,.0f} um^2 in {figures['cells']:,} cells: "
              + ", ".join(f"{k} {v}" for k, v in figures["cells_by_type"].items()))
        print(f"  delay        {figures['delay_ns']:.3f} ns worst path"
              + (" (the worst stage: inputs and outputs at the clock edge, clock-to-Q and setup included)"
                 if unit.config.sequential or figures.get("stages", 0) else "")
              + f", fmax {figures['fmax_mhz']:,.0f} MHz (OpenSTA, no wire load)")
        print(f"  leakage      {figures['leakage_nw']:.3g} nW")
    print(f"  transistors  {figures['transistors']:,} (CMOS weights after ABC), {figures['nand2_eq']:,.0f} NAND2 eq., "
          f"depth {figures['depth']} gates")
    for data, v in figures.get("energy_pj", {}).items():
        print(f"  energy       {v:.4g} pJ/op on {data} data (Liberty: switching + internal + leakage, "
              "cell-mapped netlist, the library's voltage)")
    if figures["energy_table_pj"] is not None:
        print(f"  energy       {figures['energy_table_pj']:.4g} pJ/op by operation table ({figures['energy_table_ops']}; "
              "Horowitz 45 nm)")
    for data, v in figures["energy_activity_pj"].items():
        print(f"               {v:.4g} pJ/op by switching activity on {data} "
              "(gate-level SAIF, calibrated: 8-bit add = 0.03 pJ)")
    macs = figures["macs_per_op"]
    if macs > 1:
        area = f"{figures['area_um2'] / macs:,.0f} um^2, " if figures["area_um2"] is not None else ""
        energy = ", ".join(f"{v / macs:.4g} pJ on {data} data" for data, v in figures.get("energy_pj", {}).items())
        print(f"  per MAC      {area}{energy or 'no Liberty energy'} ({macs} multiply-accumulates per operation)")


def cmd_claims(args) -> int:
    from .reports.costs import VERDICT_RULE

    rows = api.claims(args.flow, args.build, args.liberty)
    if args.json:
        print(json.dumps(rows))
        return 0
    for r in rows:
        print(f"[{r['verdict']}] {r['claim']}\n    claimed {r['claimed']}, measured {r['measured']}: {r['figure']}"
              f"  ({r['basis']}; {r['sensitivity']})")
        if "by_library" in r:
            print("    by library: " + "; ".join(f"{x['library']} {x['measured'].split(' (')[0]} ({x['verdict']})"
                                               for x in r["by_library"]) + f": {r['across'].split(':')[0]}")
    print(f"\n{VERDICT_RULE[0].upper()}{VERDICT_RULE[1:]}.")
    print("These are the cost claims. `arithbench error lmul` and `arithbench error lowbit` (FP4/FP6, NF4, NVFP4) "
          "print the papers' error claims under their tables; the report's claims table has all of them, with the "
          "DFP16 and block-format ones.")
    return 0


FLOW_HELP = ("cost flow: osu018 (Yosys 0.23 + ABC onto the OSU 0.18 um cell library, OpenSTA timing; the default) "
             "or yowasp (fallback from PyPI: transistor counts only; the default where osu018's packages are missing)")


LIBERTY_HELP = ("a Liberty (.lib) cell library to map onto instead of OSU 0.18 um, repeatable (one set of figures "
                "each: corners, or the OSU 0.35 and 0.5 um libraries in /usr/share/qflow/tech)")


def _unit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("unit", help="unit name (see `arithbench units`)")
    p.add_argument("-p", "--param", action="append", metavar="KEY=VALUE",
                   help="unit parameter, repeatable (e.g. -p fmt=e5m2 -p sat=false)")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="arithbench", description="Bit-accurate hardware arithmetic simulator.")
    top.add_argument("--version", action="version", version=f"arithbench {__version__}")
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sub.add_parser("units", help="list units, parameters, allowed values and defaults").set_defaults(run=cmd_units)
    sub.add_parser("formats", help="list number formats and their facts").set_defaults(run=cmd_formats)

    p = sub.add_parser("generate", help="write a unit's Verilog and JSON description")
    _unit_args(p)
    p.add_argument("-o", "--output", type=_path, default="build/rtl", help="output directory (default build/rtl)")
    p.set_defaults(run=cmd_generate)

    p = sub.add_parser("verify", help="co-simulate a unit against its golden model, bit for bit")
    _unit_args(p)
    p.add_argument("--sim", default="verilator", choices=["verilator", "icarus"], help="simulator (default verilator)")
    p.add_argument("--vectors", help="'exhaustive' or a count (default: exhaustive for 8-bit operands)")
    p.add_argument("--seed", type=_SEED, default=1, help="seed of the random vectors (default 1)")
    p.add_argument("--lanes", type=_limit("--lanes"), help="unit copies driven per simulator step (default 64, down to 8 for "
                   "units with wide block ports)")
    p.add_argument("--waves", action="store_true",
                   help="write a waveform of the first failing vectors (or of the --only vector) and print its path")
    p.add_argument("--only", type=_int_in(0, checks.MAX_VECTORS), metavar="INDEX",
                   help="check only vector INDEX of the plan (the index a counterexample shows)")
    p.add_argument("--netlist", action="store_true",
                   help="verify the cell-mapped netlist of the osu018 flow instead of the RTL")
    p.add_argument("--rtl", action="append", type=_path, metavar="FILE",
                   help="verify your own design (Verilog or SystemVerilog, repeatable) against the unit's model")
    p.add_argument("--top", help="your design's top module (with --rtl)")
    p.add_argument("--map", help="port names, the unit's = yours, e.g. a=x,b=y,y=p (unmapped ports match by name)")
    p.add_argument("--latency", type=_int_in(0, 64),
                   help="cycles from inputs to outputs of a pipelined design (needs --clock)")
    p.add_argument("--clock", help="your design's clock input")
    p.add_argument("--reset", help="your design's reset input, held for three cycles first: NAME (active high) "
                   "or NAME:low")
    p.add_argument("--prove", action="store_true",
                   help="prove your combinational design equal to arithbench's reference (Yosys SAT) instead of "
                        "simulating it, or print the input that tells them apart")
    p.add_argument("--proof-seconds", type=_limit("--proof-seconds"), default=180,
                   help="time for each proof pass with --prove (default 180)")
    p.add_argument("--workers", type=_limit("--workers"), default=1,
                   help="split the vectors into shards over this many local worker processes (Dask)")
    p.add_argument("--scheduler", type=_scheduler, help="run the shards on the Dask cluster at this address (tcp://HOST:PORT); "
                   "its workers must share the build folder")
    p.add_argument("--shard-size", type=_limit("--shard-size"), default=None,
                   help="vectors per shard (default 2**25: each shard starts a simulator)")
    p.add_argument("--build", type=_path, default="build", help="build and cache directory (default build)")
    p.add_argument("--json", action="store_true", help="also print the verdict as JSON")
    p.set_defaults(run=cmd_verify)
    p = sub.add_parser("vectors", help="write a unit's input vectors and expected outputs to a file, for any flow")
    _unit_args(p)
    p.add_argument("-o", "--output", type=_path, required=True, help="the file to write (hex codes, one vector a line)")
    p.add_argument("--vectors", help="'exhaustive' or a count (default: the unit's own plan)")
    p.add_argument("--seed", type=_SEED, default=1, help="seed of the random vectors (default 1)")
    p.set_defaults(run=cmd_vectors)

    p = sub.add_parser("report", help="the main job: verify, measure and write the comparison report")
    p.add_argument("-o", "--output", type=_path, default="build/report", help="report directory (default build/report)")
    p.add_argument("--units", nargs="+", metavar="UNIT", help="only these units of the default set")
    p.add_argument("--unit", action="append", metavar="'UNIT KEY=VALUE ...'",
                   help="report this configuration instead of the default set (repeat for more), e.g. "
                        "--unit 'fp_mul fmt=bf16 round=rtz' --unit 'lmul fmt=bf16'")
    p.add_argument("--data", action="append", type=_path, metavar="FILE.npy",
                   help="your own values (e.g. weights or activations, any shape) for the end-to-end error, "
                        "beside N(0,1) and Student-t data (repeat for more)")
    p.add_argument("--flow", choices=["osu018", "yowasp"], help=FLOW_HELP)
    p.add_argument("--liberty", action="append", type=_path, metavar="FILE",
                   help="a Liberty (.lib) library to check the cost claims on, repeatable (default: the OSU 0.18, "
                        "0.35 and 0.5 um libraries installed; units are costed on OSU 0.18 um)")
    p.add_argument("--sim", default="verilator", choices=["verilator", "icarus"], help="simulator (default verilator)")
    p.add_argument("--build", type=_path, default="build", help="build and cache directory (default build)")
    p.add_argument("--workers", type=_limit("report --workers"), help="processes to run in (default: one per CPU)")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser("mutate", help="plant faults in a unit's Verilog and count how many its verification catches")
    _unit_args(p)
    p.add_argument("--mutants", type=_limit("--mutants"), default=24, help="faulty versions to make (default 24)")
    p.add_argument("--seed", type=_SEED, default=1, help="seed of the fault sites and the vectors (default 1)")
    p.add_argument("--sim", default="verilator", choices=["verilator", "icarus"],
                   help="simulator of the full verification (default verilator; the screen uses Icarus)")
    p.add_argument("--proof-seconds", type=_limit("--proof-seconds"), default=180,
                   help="time for each Yosys pass that tries to prove a survivor equivalent (default 180)")
    p.add_argument("--build", type=_path, default="build", help="build and cache directory (default build)")
    p.set_defaults(run=cmd_mutate)

    p = sub.add_parser("sweep", help="error, area and energy over float formats and rounding modes, with Pareto fronts")
    p.add_argument("unit", help="a unit with a float format parameter (fp_mul, lmul, ...)")
    p.add_argument("--formats", help="comma-separated formats (default: every eXmYfn with X + Y <= 7)")
    p.add_argument("--rounding", default="rne", help="comma-separated rounding modes (default rne)")
    p.add_argument("--workers", type=_limit("--workers"), default=2, help="local Dask worker processes (default 2)")
    p.add_argument("--scheduler", type=_scheduler, help="run the points on the Dask cluster at this address (tcp://HOST:PORT)")
    p.add_argument("--flow", choices=["osu018", "yowasp"], help=FLOW_HELP)
    p.add_argument("--liberty", type=_path, metavar="FILE",
                   help="a Liberty (.lib) cell library for the areas instead of OSU 0.18 um")
    p.add_argument("-o", "--output", type=_path, help="output directory (default build/sweep/UNIT)")
    p.add_argument("--build", type=_path, default="build", help="build and cache directory (default build)")
    p.set_defaults(run=cmd_sweep)

    p = sub.add_parser("bench", help="co-simulation and golden-model throughput, side by side")
    p.add_argument("unit", nargs="?", default="fp_mul",
                   help="unit (default fp_mul); a two-operand 8-bit unit gets the four benches, any other its "
                        "golden model and its verification on Verilator")
    p.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="unit parameter, repeatable")
    p.add_argument("--lanes", type=_limit("--lanes"), default=None,
                   help="lanes of the packed bench (default: what verify uses for the unit)")
    p.add_argument("--vectors", type=_limit("bench --vectors"), default=1 << 22, help="random vectors for the packed bench (default 2**22)")
    p.add_argument("--rounds", type=_limit("--rounds"), default=5,
                   help="interleaved rounds of (a)-(d); figures are their medians (default 5)")
    p.add_argument("--build", type=_path, default="build", help="build and cache directory (default build)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(run=cmd_bench)

    p = sub.add_parser("cost", help="area, timing, leakage and energy of a unit from the cost flow, with "
                       "technology-independent references")
    _unit_args(p)
    p.add_argument("--flow", choices=["osu018", "yowasp"], help=FLOW_HELP)
    p.add_argument("--liberty", action="append", type=_path, metavar="FILE", help=LIBERTY_HELP)
    p.add_argument("--build", type=_path, default="build", help="build and cache directory (default build)")
    p.add_argument("--layout", action="store_true",
                   help="also place and route the netlist on OSU 0.18 um (graywolf, qrouter), time it on its wires "
                        "and verify the routed netlist (combinational units)")
    p.add_argument("--json", action="store_true", help="print JSON (a list with more than one --liberty)")
    p.set_defaults(run=cmd_cost)

    p = sub.add_parser("claims", help="the papers' cost claims against our area and energy figures")
    p.add_argument("--flow", choices=["osu018", "yowasp"], help=FLOW_HELP)
    p.add_argument("--liberty", action="append", type=_path, metavar="FILE",
                   help="a Liberty (.lib) cell library instead of OSU 0.18 um; repeated, each claim that depends on "
                        "the library is measured on every one and says whether its verdict is the same")
    p.add_argument("--build", type=_path, default="build", help="build and cache directory (default build)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_claims)

    p = sub.add_parser("error", help="error tables against exact arithmetic")
    p.add_argument("study", choices=["lmul", "dot", "dfp", "block", "accumulate", "lowbit"],  # reports.studies.STUDIES
                   help="lmul: L-Mul against fp8 multiplication; dot: MAC dot products by length; "
                        "dfp: DFP16 by length and partial-sum bound; block: BFP and MX with and without "
                        "channel reordering; accumulate: long dot products on the dot unit by internal window "
                        "and fp32 spill interval; lowbit: 4-, 6- and 8-bit scaled formats (NVFP4, MXFP4, NF4, INT4, "
                        "FP6, FP8, ...) on LLM-like weights and activations, W4A8/W4A16/W6A16/W8A8 matrix-vector "
                        "output error, and the FP4/FP6 papers' claims")
    p.add_argument("--trials", type=_limit("--trials"),
                   help="dot/dfp: vector pairs per row; accumulate: per data set (default 64)")
    p.add_argument("--samples", type=_limit("--samples"),
                   help="lmul: pairs per distribution (default 1e6)")
    p.add_argument("--size", type=_limit("--size"),
                   help="lowbit: the weight matrix's side, a multiple of 128 (default 1024; 4096 takes about 16x "
                        "as long)")
    p.add_argument("--seed", type=_SEED, default=1, help="seed of the sampled inputs (default 1)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(run=cmd_error)
    return top


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that the same clean-up as for Ctrl-C runs."""


def _terminate(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        args = parser().parse_args(argv)
        args.argv = argv
        return args.run(args)
    except ArithbenchError as exc:
        print(f"arithbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        what = "terminated" if isinstance(exc, Terminated) else "interrupted"
        print(f"arithbench: {what}: nothing half-written was kept; run the command again to finish", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `arithbench error dot | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file the system would not let us read or write
        where = f" {exc.filename}" if exc.filename else ""
        print(f"arithbench: error: cannot use{where}: {exc.strerror or exc}; choose another path", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
