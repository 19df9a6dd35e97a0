"""`arithbench bench` runs end to end: every path checks its outputs against the golden model,
and the paths are measured in interleaved rounds."""

import pytest

from arithbench.catalog import configure
from arithbench.sim.benchmark import format_figures, model_rates, run


@pytest.mark.sim
def test_bench_measures_all_paths_in_interleaved_rounds(build_root):
    said = []
    figures = run(configure("fp_mul", {"fmt": "e4m3"}), lanes=64, vectors=1 << 16, rounds=2, root=build_root, log=said.append)
    assert [m.split(":")[0] for m in said] == ["round 1/2", "round 2/2"]
    for key in ("a_one_vector", "b_lane_packed", "b_stepped_lanes", "c_cpp_ceiling", "d_fp_mul_e4m3_model",
                "d_ml_dtypes_e4m3", "d_fp_mul_bf16_model", "d_ml_dtypes_bf16", "ratio_b_over_c"):
        assert figures[key] > 0
    assert figures["rounds"] == 2
    # the phases are parts of the streamed bench's measured loop time: together at most all of it
    assert set(figures["b_phases"]) == {"start chunk", "run clock", "end chunk"}  # Verilator: words move by DPI
    assert 0.5 < sum(figures["b_phases"].values()) <= 1.0
    text = format_figures(figures)
    assert "medians of 2 interleaved rounds" in text and "b/a =" in text and "(bf16)" in text


def test_golden_models_report_rates():
    rates = model_rates(n=1 << 14)
    assert set(rates) == {"fp_mul e4m3 model", "ml_dtypes e4m3", "fp_mul bf16 model", "ml_dtypes bf16",
                          "lmul e4m3 model"}
    assert all(r > 0 for r in rates.values())


@pytest.mark.sim
def test_any_other_unit_gets_its_model_and_verification_rates(build_root, capsys):
    """A unit outside the 8-bit pair bench (here a 2-term e2m1 dot product): its golden model and
    its Verilator verification on the same planned vectors, each round checked, medians printed."""
    from arithbench.cli import main

    assert main(["bench", "dot", "-p", "a=e2m1", "-p", "k=2", "--vectors", "3000", "--rounds", "2",
                 "--build", str(build_root)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("round ") == 2 and "medians of 2 rounds" in captured.out
    rates = [float(line.split()[-1].replace(",", "")) for line in captured.out.splitlines()[1:]]
    assert len(rates) == 2 and all(r > 0 for r in rates)
