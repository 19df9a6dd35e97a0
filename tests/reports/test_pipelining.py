"""Pipelined to a target clock: the fewest stages whose worst stage meets the period, verified at
that latency; a period no stage count meets, and bad periods, in one line."""

import pytest

import arithbench
from arithbench.cli import main
from arithbench.errors import UsageError


@pytest.mark.synth
@pytest.mark.sim
def test_the_fewest_stages_that_meet_the_period_are_picked_and_verified(build_root):
    cost = arithbench.configure("int_mul", width=8).cost(period=2.2, root=build_root)
    tried = cost["stages_tried"]
    assert len(tried) >= 2 and all(t["delay_ns"] > 2.2 for t in tried[:-1])  # every smaller count misses it
    assert cost["stages"] == tried[-1]["stages"] > 0 and cost["delay_ns"] == tried[-1]["delay_ns"] <= 2.2
    assert cost["slack_ns"] == pytest.approx(2.2 - cost["delay_ns"], abs=1e-4)
    assert cost["unit"].endswith(f"_stages{cost['stages']}") and "DFFPOSX1" in cost["cells_by_type"]
    assert cost["verification"].startswith(f"PASS {cost['unit']} on verilator: 65,536 vectors (exhaustive)")


@pytest.mark.synth
def test_a_period_no_stage_count_meets_is_one_line_with_the_best_period(capsys, build_root):
    assert main(["cost", "int_add", "-p", "width=4", "-p", "period=0.05", "--build", str(build_root)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len([line for line in err if "against a period of 0.05 ns" in line]) == 9  # stages 0 to 8 tried
    assert err[-1].startswith("arithbench: error: no stage count up to 8 meets a period of 0.05 ns for int_add_")
    assert "the best is" in err[-1] and "ask for that period or more" in err[-1]


@pytest.mark.parametrize("unit,argv,message", [
    ("int_add", ["-p", "period=abc"], "period must be a number of ns from 0.01 to 1e+06, not 'abc'"),
    ("int_add", ["-p", "period=0"], "period must be a number of ns from 0.01"),
    ("int_add", ["-p", "period=-3"], "period must be a number of ns from 0.01"),
    ("int_add", ["-p", "period=nan"], "period must be a number of ns from 0.01"),
    ("int_add", ["-p", "period=2", "-p", "period=3"], "-p period= is given twice"),
    ("int_add", ["-p", "period=2", "--flow", "yowasp"], "a period needs timing"),
    ("int8_mac", ["-p", "period=2", "-p", "clocked=true"], "its loop is one cycle"),
])
def test_bad_periods_are_one_line(tmp_path, capsys, unit, argv, message):
    assert main(["cost", unit, *argv, "--build", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_the_api_refuses_a_period_as_the_command_line_does(tmp_path):
    with pytest.raises(UsageError, match="period must be a number of ns"):
        arithbench.configure("int_add").cost(period="fast", root=tmp_path / "b")
