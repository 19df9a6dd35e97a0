"""Every subcommand, fed random and boundary values for each of its options: exit 0, 1 or 2,
never a traceback, and nothing written when it exits 2.

The long-running work behind each command (simulation, synthesis, studies) is replaced by a
sentinel that stops the run where the work would begin: what is tested is everything before
it, which is where bad input must be caught.
"""

import argparse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arithbench import cli
from arithbench.catalog import units


class Reached(Exception):
    """The command got past its checks to the work itself."""


def _reached(*args, **kwargs):
    raise Reached


WORK = ["arithbench.sim.verify.verify", "arithbench.sim.shards.verify_sharded", "arithbench.reports.report.run",
        "arithbench.reports.sweep.run", "arithbench.sim.mutation.mutate", "arithbench.sim.benchmark.run",
        "arithbench.sim.benchmark.unit_rates",
        "arithbench.reports.costs.unit_costs", "arithbench.reports.costs.cost_claims",
        "arithbench.reports.lmul_error.sampled_rows", "arithbench.reports.dot_error.rows",
        "arithbench.reports.dot_error.dfp_rows", "arithbench.reports.block_error.rows",
        "arithbench.reports.accumulate_error.rows", "arithbench.reports.lowbit_error.rows"]

SUBCOMMANDS = cli.parser()._subparsers._group_actions[0].choices

NUMBERS = ["0", "1", "-1", "2", "7", "255", "4097", "33554433", str(2**40 + 1), "99999999999999999999", "1e3",
           "0x10", "", " ", "abc", "-0", "1_000"]
TEXTS = ["", ".", "..", "README.md", "x/y", "tcp://localhost:1", "tcp://:", "bogus", "e4m3", "rne,", ",", "a b",
         "exhaustive", "\x00"]


def option_values(action: argparse.Action):
    if action.nargs == 0:
        return st.just([])
    values = st.sampled_from(list(action.choices)) if action.choices else st.sampled_from(NUMBERS + TEXTS)
    if action.nargs == "+":
        return st.lists(values, min_size=1, max_size=3)
    return values.map(lambda v: [v])


def params_for(unit: str):
    spec = units().get(unit)
    names = [p.name for p in spec.parameters()] if spec else ["fmt", "width"]
    values = st.sampled_from(["e4m3", "bf16", "fp16", "8", "16", "32", "0", "-1", "true", "false", "maybe", "",
                              "rtz", "sr", "e2m1", "int8", "fp32", "e9m9"])
    item = st.one_of(st.tuples(st.sampled_from(names + ["colour"]), values).map(lambda kv: f"{kv[0]}={kv[1]}"),
                     st.sampled_from(["fmt", "=x", "fmt=", "a=b=c"]))
    return st.lists(item, max_size=3)


@st.composite
def command_lines(draw):
    name = draw(st.sampled_from(sorted(SUBCOMMANDS)))
    sub = SUBCOMMANDS[name]
    argv = [name]
    for action in sub._actions:
        if action.dest in ("help", "build"):
            continue
        if not action.option_strings:  # a positional: unit, study
            if action.choices:
                argv.append(draw(st.sampled_from(list(action.choices) + ["nope"])))
            else:
                argv.append(draw(st.sampled_from(sorted(units()) + ["fp_div", ""])))
            continue
        if not draw(st.booleans()):
            continue
        if action.dest == "param":
            for item in draw(params_for(argv[1] if len(argv) > 1 else "")):
                argv += ["-p", item]
            continue
        argv += [action.option_strings[-1], *draw(option_values(action))]
    return argv


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    return tmp_path_factory.mktemp("surface")


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=command_lines())
def test_any_command_line_exits_0_1_or_2_with_no_traceback(argv, sandbox, monkeypatch, capsys):
    for target in WORK:
        monkeypatch.setattr(target, _reached)
    here = sandbox / "cwd"
    here.mkdir(exist_ok=True)
    (here / "README.md").write_text("a user's file")
    monkeypatch.chdir(here)
    build = ["--build", str(sandbox / "build")] if "--build" in SUBCOMMANDS[argv[0]].format_usage() else []
    before = listing(here)
    try:
        code = cli.main(argv + build)
    except Reached:
        code = 0
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("arithbench: error: ") or err.startswith("usage:"), (argv, err)
        assert err.strip().count("\n") == 0, (argv, err)
        assert listing(here) == before, argv
    assert (here / "README.md").read_text() == "a user's file"


def test_every_units_described_configuration_configures_again():
    """describe() (and sharded runs) pass every parameter back, defaults included."""
    from arithbench.catalog import configure, units
    from arithbench.params import parse_assignments

    for name in units():
        config = configure(name)
        argv = config.describe().split()[1:]
        again = configure(name, parse_assignments(argv[1::2]))
        assert again == config, name
