"""The dot-product model's int64 fast path gives the reference's codes, bit for bit, on every
kind of vector the unit's plan makes (and hands what does not fit to the reference)."""

import numpy as np
import pytest

from arithbench.catalog import configure
from arithbench.models import dot_fast
from arithbench.models.block import split_codes
from arithbench.models.dot import dot as reference
from arithbench.unit import VectorPlan

CONFIGS = [
    {"a": "e4m3", "k": "32"},
    {"a": "e4m3", "k": "32", "round": "rdn"},
    {"a": "e4m3", "k": "32", "sum": "window", "window": "8"},
    {"a": "e4m3", "k": "32", "sum": "window", "window": "40", "align": "rne"},
    {"a": "e2m1", "k": "16", "scale": "nvfp4"},
    {"a": "e2m1", "k": "16", "scale": "nvfp4", "sum": "window", "window": "16", "align": "rne"},
    {"a": "e2m1", "b": "e4m3", "k": "32", "sum": "window", "window": "24", "round": "sr", "rbits": "11"},
    {"a": "e5m2", "b": "int8", "k": "8", "scale": "mx", "acc": "fp16", "sat": "true", "round": "rup"},
    {"a": "int4", "b": "e2m3", "k": "4", "acc": "bf16", "round": "rtz"},
    {"a": "e3m2", "k": "64", "round": "sr"},
    {"a": "nf4", "b": "e4m3", "k": "32"},
    {"a": "nf4", "b": "e2m1", "k": "16", "sum": "window", "window": "24", "round": "rtz"},
]


@pytest.mark.parametrize("params", CONFIGS, ids=lambda p: " ".join(f"{k}={v}" for k, v in p.items()))
def test_fast_path_equals_the_reference(params):
    cfg = configure("dot", params)
    window = cfg.window if cfg.sum == "window" else None
    assert dot_fast.fits(cfg.a, cfg.b, cfg.k, cfg.scale, window)
    v = cfg.make_vectors(VectorPlan(3000, 5))
    wa, wb = cfg.widths
    r = cfg.rounding
    args = dict(a_fmt=cfg.a, b_fmt=cfg.b, acc=cfg.acc, scale=cfg.scale, sa=v.get("sa"), sb=v.get("sb"),
                window=window, align=cfg.align, rounding=r, sat=cfg.sat, random=r.random(v))
    a, b = split_codes(v["a"], wa, cfg.k), split_codes(v["b"], wb, cfg.k)
    fast, slow = dot_fast.dot(a, b, v["c"], **args), reference(a, b, v["c"], **args)
    bad = np.flatnonzero(fast != slow)
    assert not len(bad), f"{len(bad)} differ, first at {bad[0]}: fast {fast[bad[0]]:#x}, reference {slow[bad[0]]:#x}"


def test_what_does_not_fit_goes_to_the_reference():
    assert not dot_fast.fits("fp16", "fp16", 2, "none", None)  # an exact fp16 sum needs 80 bits
    assert not dot_fast.fits("e4m3", "e4m3", 32, "none", 50)
    assert dot_fast.fits("e4m3", "e4m3", 32, "none", 45)
