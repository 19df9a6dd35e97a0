"""fp8_mac / lmul_mac models against numpy float32 arithmetic (IEEE RNE, an independent adder)."""

import numpy as np
import pytest

from arithbench.models.codec import decode, encode
from arithbench.models.formats import float_format
from arithbench.models.fpmac import exact_sum, fp_mac, lmul_mac
from arithbench.models.lmul import lmul

FP32 = float_format("fp32")


@pytest.mark.parametrize("name", ["e4m3", "e5m2"])
def test_fp_mac_fp32_matches_float32_addition(name):
    """An fp8 product is exact in float32, so float32 c + p is the correctly rounded sum."""
    fmt = float_format(name)
    rng = np.random.default_rng(5)
    a, b = (g.ravel() for g in np.meshgrid(np.arange(256), np.arange(256), indexing="ij"))
    for _ in range(4):
        c32 = (rng.standard_normal(len(a)) * 2.0 ** rng.integers(-40, 40, len(a))).astype(np.float32)
        c = c32.view(np.uint32).astype(np.int64)
        ours = fp_mac(fmt, FP32, a, b, c)
        with np.errstate(all="ignore"):
            p32 = (decode(fmt, a) * decode(fmt, b)).astype(np.float32)
            ref = (c32 + p32).view(np.uint32).astype(np.int64)
        nan = np.isnan(decode(FP32, ref))
        assert np.array_equal(np.isnan(decode(FP32, ours)), nan)
        assert np.array_equal(ours[~nan], ref[~nan])


def test_round_to_odd_sum_is_correct_for_far_apart_terms():
    x, y = np.array([1.0, 1.0, 2.0**60]), np.array([2.0**-80, -(2.0**-80), 1.0])
    s = exact_sum(x, y)
    fp16 = float_format("fp16")
    # 1 + tiny rounds to 1 under rne, but up under rup; the odd nudge keeps that information
    assert decode(fp16, encode(fp16, s[:1], "rup")).tolist() == [1.0 + 2.0**-10]
    assert decode(fp16, encode(fp16, s[1:2], "rtz")).tolist() == [1.0 - 2.0**-11]


def test_zero_sums_and_specials():
    e4m3 = float_format("e4m3")
    one, neg_one = encode(e4m3, np.array([1.0])), encode(e4m3, np.array([-1.0]))
    c_one = encode(FP32, np.array([1.0]))
    assert fp_mac(e4m3, FP32, one, neg_one, c_one).tolist() == [0]  # 1 - 1 = +0
    assert fp_mac(e4m3, FP32, one, neg_one, c_one, rounding="rdn").tolist() == [0x80000000]
    inf, ninf = encode(FP32, np.array([np.inf])), encode(FP32, np.array([-np.inf]))
    assert fp_mac(e4m3, FP32, one, one, inf, sat=True).tolist() == [FP32.max_code]
    assert fp_mac(e4m3, FP32, one, one, ninf).tolist() == [0xFF800000]


def test_lmul_mac_is_the_lmul_product_accumulated():
    e5m2, fp16 = float_format("e5m2"), float_format("fp16")
    a, b = np.arange(256), np.arange(256)[::-1]
    c = encode(fp16, np.full(256, 0.5))
    want = encode(fp16, decode(fp16, c) + decode(e5m2, lmul(e5m2, a, b)))
    got = lmul_mac(e5m2, fp16, a, b, c)
    ok = ~np.isnan(decode(fp16, want))
    assert np.array_equal(got[ok], want[ok])
