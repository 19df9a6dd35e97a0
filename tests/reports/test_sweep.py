"""Design-space sweeps: points on Dask workers, Pareto fronts, files written at once."""

import json

import pytest

from arithbench.catalog import configure
from arithbench.cli import main
from arithbench.reports.area import synthesize
from arithbench.reports.library import DEBIAN
from arithbench.reports.sweep import DEFAULT_FORMATS, _write, points, run


def test_default_formats_are_every_exmy_up_to_seven_bits():
    assert len(DEFAULT_FORMATS) == 28 and "e4m3fn" in DEFAULT_FORMATS and "e1m6fn" in DEFAULT_FORMATS
    assert len(points("fp_mul", ["e4m3", "e5m2"], ["rne", "rtz", "rup"])) == 6


@pytest.mark.parametrize("argv,message", [
    (["sweep", "int_mul"], "int_mul has no float format parameter"),
    (["sweep", "lmul", "--rounding", "rtz"], "lmul has no rounding parameter"),
    (["sweep", "fp8_mac"], "fp8_mac is not a two-operand unit"),
    (["sweep", "fp_mul", "--formats", "e4m3,posit8"], "unknown format 'posit8'"),
    (["sweep", "fp_mul", "--rounding", "rne,up"], "parameter round must be one of"),
    (["sweep", "fp_mul", "--liberty", "."], "--liberty . is a folder"),
    (["sweep", "fp_mul", "--liberty", "/usr/share/qflow/tech/osu035/osu035_stdcells.lib", "--flow", "yowasp"],
     "it needs the osu018 flow"),
])
def test_bad_sweeps_are_refused_before_any_work(capsys, tmp_path, argv, message):
    code = main([*argv, "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and not (tmp_path / "out").exists()


@pytest.mark.sim
@pytest.mark.synth
def test_sweep_measures_every_point_and_marks_the_fronts(tmp_path, build_root):
    out = tmp_path / "sweep"
    rows = run("fp_mul", ["e2m1", "e3m2fn", "e4m3"], ["rne", "rtz"], out_dir=out, root=build_root,
               log=lambda m: None, command="pytest")
    assert len(rows) == 6 and all(r["transistors"] > 0 and r["area_um2"] > 0 and r["energy_pj"] > 0 for r in rows)
    for cost, key in (("area_um2", "pareto_area"), ("energy_pj", "pareto_energy")):
        front = [r for r in rows if r[key]]
        assert front
        for r in rows:  # nothing off the front beats a front point on both coordinates
            assert not any(f[cost] > r[cost] and f["mean_rel"] > r["mean_rel"] for f in front)
    wider = {r["fmt"]: r["mean_rel"] for r in rows if r["round"] == "rne"}
    assert wider["e4m3"] < wider["e3m2fn"] < wider["e2m1"]  # more mantissa bits, less error
    saved = json.loads((out / "sweep.json").read_text())
    assert saved["rows"] == json.loads(json.dumps(rows))
    for name in ("SWEEP.md", "sweep.csv", "error_vs_area.png", "error_vs_energy.png"):
        assert (out / name).stat().st_size > 0
    assert "{flow}" not in (out / "SWEEP.md").read_text()
    mine = out / "my_notes.md"
    mine.write_text("a user's notes")
    run("fp_mul", ["e2m1"], ["rne"], out_dir=out, root=build_root, log=lambda m: None, command="pytest")
    assert mine.read_text() == "a user's notes" and "e3m2fn" not in (out / "sweep.csv").read_text()


@pytest.mark.sim
@pytest.mark.synth
def test_a_one_point_stochastic_rounding_sweep_on_another_library_writes_its_files(tmp_path, build_root):
    """Stochastic rounding is costed (its random-bit port gets uniform bits) and one point
    plots: a front of one; its area is on the cell library asked for, which the table's source
    names."""
    out = tmp_path / "sweep"
    osu035 = DEBIAN["osu035"]
    rows = run("fp_mul", ["e2m1"], ["sr"], out_dir=out, root=build_root, workers=1, log=lambda m: None,
               command="pytest", liberty=osu035)
    assert len(rows) == 1 and rows[0]["energy_pj"] > 0 and rows[0]["pareto_area"] and rows[0]["pareto_energy"]
    saved = json.loads((out / "sweep.json").read_text())
    assert saved["failed"] == [] and f"OSU 0.35 um ({osu035}" in saved["source"]
    config = configure("fp_mul", {"fmt": "e2m1", "round": "sr"})
    assert rows[0]["area_um2"] == synthesize(config, root=build_root, liberty=osu035)["area_um2"]
    for name in ("SWEEP.md", "sweep.csv", "error_vs_area.png", "error_vs_energy.png"):
        assert (out / name).stat().st_size > 0


def test_points_a_log_plot_cannot_show_are_left_out_and_the_files_still_written(tmp_path):
    """No measured point, or only one of unbounded error: the table and the failures are
    written, and SWEEP.md says why a plot is missing instead of the sweep dying in matplotlib."""
    unbounded = {"fmt": "e2m1", "round": "rne", "module": "m", "mean_rel": float("inf"), "max_rel": float("inf"),
                 "transistors": 10, "area_um2": 5.0, "delay_ns": 1.0, "cells": 3, "energy_pj": 0.1,
                 "pareto_area": True, "pareto_energy": True}
    failed = [{"fmt": "e3m2", "round": "sr", "error": "ToolError: no netlist"}]
    for rows in ([], [unbounded]):
        out = tmp_path / f"sweep{len(rows)}"
        _write("fp_mul", rows, failed, out, "osu018", "pytest", 1.0, None)
        text = (out / "SWEEP.md").read_text()
        assert "No plot of error against area" in text and "No plot of error against energy" in text
        assert "ToolError: no netlist" in text and not list(out.glob("*.png"))
        assert json.loads((out / "sweep.json").read_text())["rows"] == json.loads(json.dumps(rows))
