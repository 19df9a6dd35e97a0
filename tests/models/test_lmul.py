"""L-Mul golden model: the paper's fp32 realisation, and every special-case policy."""

import numpy as np
import pytest

from arithbench.models.codec import decode, encode
from arithbench.models.formats import float_format
from arithbench.models.lmul import lmul, lmul_literal, lmul_values, offset_lsbs, paper_l


def test_paper_offset_rule():
    assert [paper_l(m) for m in range(1, 9)] == [1, 2, 3, 3, 4, 4, 4, 4]
    assert offset_lsbs(float_format("fp32")) == 1 << 19
    assert offset_lsbs(float_format("e4m3")) == 1
    assert offset_lsbs(float_format("bf16")) == 1 << 3
    assert offset_lsbs(float_format("e4m3"), 0) == 0


def test_fp32_matches_the_papers_integer_addition():
    """Written differently from the model: float32 bit views, uint32 arithmetic, no fields."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(1_000_000) * 2.0 ** rng.integers(-60, 60, 1_000_000)).astype(np.float32)
    y = (rng.standard_normal(1_000_000) * 2.0 ** rng.integers(-60, 60, 1_000_000)).astype(np.float32)
    bx, by = x.view(np.uint32), y.view(np.uint32)
    raw = ((bx & 0x7FFFFFFF).astype(np.int64) + (by & 0x7FFFFFFF) - 0x3F800000 + (1 << 19))
    sign = (bx ^ by) & 0x80000000
    ordinary = (raw >= 1 << 23) & (raw < 0x7F800000) & (np.abs(x) >= 2.0**-126) & (np.abs(y) >= 2.0**-126)
    assert ordinary.mean() > 0.9
    want = (raw[ordinary] | sign[ordinary]).astype(np.int64)
    fp32 = float_format("fp32")
    got = lmul(fp32, bx.astype(np.int64), by.astype(np.int64))[ordinary]
    assert np.array_equal(got, want)


def test_carry_spills_into_exponent():
    e4m3 = float_format("e4m3")
    # 1.875 * 1.875: fields 0x3F + 0x3F - 0x38 + 1 = 0x47 -> 2**1 * (1 + 7/8) = 3.75
    a = encode(e4m3, np.array([1.875]))
    assert decode(e4m3, lmul(e4m3, a, a)).tolist() == [3.75]
    # The literal formula gives (1 + .875 + .875 + .125) * 1 = 2.875, rounded to e4m3: 2.75 or 3.0
    assert decode(e4m3, lmul_literal(e4m3, a, a)).tolist() == [3.0]


@pytest.mark.parametrize("name", ["e4m3", "e5m2", "bf16"])
def test_zero_and_subnormal_policies(name):
    fmt = float_format(name)
    one, sub, zero = (encode(fmt, np.array([v])) for v in (1.0, fmt.min_subnormal * 3, -0.0))
    assert lmul(fmt, zero, one).tolist() == [fmt.sign_mask]  # -0 * 1 = -0
    assert lmul(fmt, sub, one, sub="flush").tolist() == [0]
    # sub=raw: the subnormal's fields (E=0, M=3) enter the adder as if it were 2**-bias * (1 + 3/2**m)
    raw = lmul(fmt, sub, one, sub="raw")
    want = 2.0**-fmt.bias * (1 + (3 + offset_lsbs(fmt)) / 2**fmt.man_bits)
    assert decode(fmt, raw)[0] == (want if want >= fmt.min_normal else 0.0)


@pytest.mark.parametrize("name", ["e4m3", "e5m2"])
def test_underflow_flushes_and_overflow_saturates_or_not(name):
    fmt = float_format(name)
    tiny, big = encode(fmt, np.array([fmt.min_normal])), encode(fmt, np.array([fmt.max_normal]))
    neg_big = big | fmt.sign_mask
    assert lmul(fmt, tiny, tiny).tolist() == [0]
    assert lmul(fmt, big, neg_big, sat=True).tolist() == [fmt.max_code | fmt.sign_mask]
    want = (fmt.inf_code | fmt.sign_mask) if fmt.has_inf else fmt.nan_code
    assert lmul(fmt, big, neg_big, sat=False).tolist() == [want]


def test_inf_and_nan_inputs():
    e5m2 = float_format("e5m2")
    inf, zero, two, nan = 0x7C, 0x00, 0x40, 0x7F
    assert lmul(e5m2, np.array([inf, inf, nan, inf]), np.array([zero, two, two, two | 0x80]),
                sat=False).tolist() == [e5m2.nan_code, 0x7C, e5m2.nan_code, 0xFC]
    assert lmul(e5m2, np.array([inf]), np.array([two]), sat=True).tolist() == [e5m2.max_code]
    # NaN wins over inf, saturating or not
    assert lmul(e5m2, np.array([inf]), np.array([nan]), sat=True).tolist() == [e5m2.nan_code]


def test_wide_input_variant_truncates_or_rounds():
    x = np.array([1.0 + 2.0**-4 + 2.0**-9])
    assert lmul_values(x, np.array([1.0]), 4, inputs="rtz")[0] == 1.0 + 2.0**-4 + 2.0**-3
    assert lmul_values(x, np.array([1.0]), 3, inputs="rne")[0] == 1.0 + 2.0**-3 + 2.0**-3
