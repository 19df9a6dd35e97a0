"""The clocked accumulator model: streams per lane, valid gating, partial-sum spills."""

import numpy as np

from arithbench.models.intmac import int8_mac
from arithbench.models.stream import accumulate_stream


def step(v):
    y, ovf = int8_mac(v["a"], v["b"], v["c"])
    return {"y": y, "ovf": ovf}


def test_each_lane_accumulates_its_own_stream_and_spills_every_bound():
    n, lanes = 24, 2
    inputs = {"a": np.full(n, 2), "b": np.full(n, 3), "valid": np.ones(n)}
    inputs["valid"][[0, 1]] = 0  # the first step of both lanes is idle
    out = accumulate_stream(step, inputs, lanes, bound=4)
    lane0 = out["y"][0::2].tolist()
    assert lane0 == [0, 6, 12, 18, 0, 6, 12, 18, 0, 6, 12, 18]
    assert out["spill_valid"][0::2].tolist() == [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
    assert out["spill"][0::2][4] == 24
    assert np.array_equal(out["y"][0::2], out["y"][1::2])


def test_without_bound_the_sum_keeps_growing():
    inputs = {"a": np.full(10, 1), "b": np.full(10, 1), "valid": np.ones(10)}
    assert accumulate_stream(step, inputs, 1)["y"].tolist() == list(range(1, 11))
