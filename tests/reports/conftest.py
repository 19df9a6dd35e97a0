"""The report, built once per worker that needs it (the report group's)."""

import numpy as np
import pytest

from arithbench.reports.report import configurations, load_data, run


@pytest.fixture(scope="session")
def report(build_root, tmp_path_factory):
    """fp_mul and lmul as --unit configurations, with a user's data set beside the synthetic ones.
    The report computes the cost claims' configurations too, in its process pool."""
    out = tmp_path_factory.mktemp("report") / "report"
    np.save(out.parent / "weights.npy", np.random.default_rng(3).laplace(size=(32, 32)))
    configs = configurations([f"{unit} fmt={fmt}" for unit in ("fp_mul", "lmul") for fmt in ("e4m3", "e5m2")])
    results = run(out, configs, data=(load_data(out.parent / "weights.npy"),), sim="verilator",
                  root=build_root, command="pytest")
    return out, results
