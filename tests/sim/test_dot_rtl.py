"""The dot-product unit's RTL against its golden model, bit for bit, on both simulators: the
issue's acceptance configurations, exhaustive 4-bit element spaces at the window's edges, and
the variants (scales, integer and stochastic accumulators, clocked, pipelined)."""

import pytest

from arithbench.catalog import configure
from arithbench.sim.verify import verify

ACCEPTANCE = [
    {"a": "e2m1", "b": "e4m3", "k": "16", "acc": "fp32", "sum": "window", "window": "24"},
    {"a": "e2m1", "b": "e2m1", "k": "16", "scale": "nvfp4", "acc": "fp32"},
]


@pytest.mark.sim
@pytest.mark.parametrize("sim,count", [("verilator", 20_000), ("icarus", 500)])
@pytest.mark.parametrize("params", ACCEPTANCE, ids=lambda p: "-".join(p.values()))
def test_acceptance_configurations(params, sim, count, build_root):
    verdict = verify(configure("dot", params), sim=sim, count=count, root=build_root)
    assert verdict.vectors >= count and verdict.mismatches == 0, verdict.counterexamples


EXHAUSTIVE = [
    # Every pair of 2-element blocks, each crossed with the accumulator values: a 3-bit window
    # rounding each term (e2m1 products span 2**-2 .. 36: every shift meets the edge), and a
    # 1-bit window of int4 x e2m1 terms rounded down.
    {"a": "e2m1", "k": "2", "sum": "window", "window": "3", "align": "rne", "acc": "bf16"},
    {"a": "int4", "b": "e2m1", "k": "2", "scale": "none", "round": "rdn", "sum": "window", "window": "1"},
    # NF4's table (16 float32 values) against e2m1, the exact sum into bf16.
    {"a": "nf4", "b": "e2m1", "k": "2", "acc": "bf16"},
]


@pytest.mark.sim
@pytest.mark.parametrize("params", EXHAUSTIVE, ids=lambda p: "-".join(p.values()))
def test_exhaustive_small_elements(params, build_root):
    verdict = verify(configure("dot", params), root=build_root)
    assert verdict.exhaustive and verdict.mismatches == 0, verdict.counterexamples


VARIANTS = [  # kept few: each is a simulator build (tests/rtl runs every unit's default in process)
    {"a": "int8", "b": "e5m2", "k": "4", "scale": "mx", "acc": "bf16", "round": "rup", "sat": "true"},
    {"a": "int8", "k": "8", "sat": "true"},
    {"a": "e5m2", "k": "2", "acc": "fp16", "round": "sr", "rbits": "6", "clocked": "true"},
    {"a": "fp16", "k": "2", "sum": "window", "window": "40", "round": "rtz", "stages": "2"},
]


@pytest.mark.sim
@pytest.mark.parametrize("params", VARIANTS, ids=lambda p: "-".join(p.values()))
def test_variants(params, build_root):
    verdict = verify(configure("dot", params), count=2_000, root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
def test_nf4_window_on_icarus(build_root):
    """NF4 elements through the window path on the other simulator (the exhaustive run above
    takes the exact path on Verilator)."""
    config = configure("dot", {"a": "nf4", "b": "e4m3", "k": "4", "sum": "window", "window": "20", "align": "rne"})
    verdict = verify(config, sim="icarus", count=1_000, root=build_root)
    assert verdict.vectors >= 1_000 and verdict.mismatches == 0, verdict.counterexamples
