"""`arithbench bench` runs end to end: every path checks its outputs against the golden model."""

import pytest

from arithbench.sim.benchmark import format_figures, model_rates, run


@pytest.mark.sim
def test_bench_measures_all_paths(build_root):
    figures = run("fp_mul", {"fmt": "e4m3"}, lanes=64, vectors=1 << 16, root=build_root, log=lambda m: None)
    for key in ("a_one_vector", "b_lane_packed", "b_stepped_lanes", "c_cpp_ceiling", "d_fp_mul_model", "d_ml_dtypes"):
        assert figures[key] > 0
    assert figures["ratio_b_over_a"] == figures["b_lane_packed"] / figures["a_one_vector"]
    # the phases are parts of the streamed bench's measured loop time: together at most all of it
    assert set(figures["b_phases"]) >= {"load ($fread)", "run clock", "read outputs"}
    assert 0.5 < sum(figures["b_phases"].values()) <= 1.0
    assert "b/a =" in format_figures(figures) and "run clock" in format_figures(figures)


def test_golden_models_report_rates():
    rates = model_rates(n=1 << 14)
    assert set(rates) == {"fp_mul model", "ml_dtypes", "lmul model"}
