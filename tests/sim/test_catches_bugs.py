"""Verification must fail, with counterexamples, when the model or the RTL is wrong."""

import numpy as np
import pytest

from arithbench.catalog import configure
from arithbench.models.rounding import Rounding
from arithbench.rtl.fp_mul import FpMul
from arithbench.sim.verify import verify


@pytest.mark.sim
def test_wrong_golden_model_is_caught_in_the_last_lane(build_root):
    config = configure("fp_mul", {"fmt": "e4m3"})
    lanes = 64
    planted = 3 * lanes - 1  # the last lane of the fourth step

    def wrong(inputs):
        out = config.model(inputs)
        out["y"] = out["y"].copy()
        out["y"][planted] ^= 1
        return out

    verdict = verify(config, lanes=lanes, model=wrong, root=build_root)
    assert verdict.mismatches == 1
    assert verdict.counterexamples[0]["index"] == planted


@pytest.mark.sim
def test_wrong_rtl_rounding_is_caught(tmp_path):
    config = configure("fp_mul", {"fmt": "e5m2", "round": "rne"})
    # The same unit, but its component rounds toward zero: a dropped rounding increment.

    class Broken(type(config)):
        def circuit(self):
            return FpMul(self.fmt, self.out, Rounding.of("rtz"), self.sat)

    verdict = verify(Broken(config.values), root=tmp_path)
    assert verdict.mismatches > 0
    example = verdict.counterexamples[0]
    assert example["expected y"] != example["actual y"]
    assert set(example) >= {"a", "b", "expected y", "actual y"}
    assert np.isfinite(verdict.rate)
