"""BFP and MX models: gfloat agreement, error bounds, exact dot products, reordering."""

from fractions import Fraction

import gfloat
import gfloat.formats as gf
import numpy as np
import pytest
from gfloat.block import compute_scale_amax

from arithbench.models.block import (BFP_PRESETS, BFPFormat, bfp_dequantize, bfp_quantize, join_codes, mx_element,
                                     mx_dequantize, mx_dot, mx_elements, mx_quantize, mx_scale_exponent,
                                     reorder_by_norm, split_codes)
from arithbench.models.formats import float_format

GFLOAT_MX = {"e4m3": gf.format_info_mxfp8_e4m3, "e5m2": gf.format_info_mxfp8_e5m2,
             "e2m3": gf.format_info_mxfp6_e2m3, "e3m2": gf.format_info_mxfp6_e3m2,
             "e2m1": gf.format_info_mxfp4_e2m1, "int8": gf.format_info_mxint8}


def blocks(rng, n=200, k=32):
    x = rng.standard_normal((n, k)) * 2.0 ** rng.integers(-20, 20, (n, 1))
    x[0] = 0.0  # all zero
    x[1, 5] = 1e4  # one huge outlier
    x[2] = 3.0  # all equal
    x[3] *= 2.0**-140  # below the E8M0 range
    x[4] *= 2.0**100  # near the top of it
    x[5, :] = 2.0**-130  # subnormal-ish elements
    return x


@pytest.mark.parametrize("elem", list(GFLOAT_MX))
def test_mx_matches_gfloat_quantize_block(elem):
    fi = GFLOAT_MX[elem]
    x = blocks(np.random.default_rng(1))
    scale, codes = mx_quantize(x.ravel(), elem)
    ours = mx_dequantize(scale, codes, elem).reshape(x.shape)
    for row, got in zip(x, ours):
        ref = gfloat.quantize_block(fi, row, compute_scale_amax)
        assert np.array_equal(got, np.asarray(ref, dtype=np.float64)), (elem, row[:3])


def test_mx_int8_rounds_to_minus_two_like_gfloat():
    """Hypothesis found it: -1.996 at scale 1 is nearest to -2 (code 0x80), not to -127/64."""
    row = np.full(32, 0.5)
    row[:3] = [-1.9962992365601997, 1.9962992365601997, -1.99]
    scale, codes = mx_quantize(row, "int8")
    ours = mx_dequantize(scale, codes, "int8").ravel()
    ref = np.asarray(gfloat.quantize_block(GFLOAT_MX["int8"], row, compute_scale_amax), np.float64)
    assert ours[:3].tolist() == [-2.0, 127 / 64, -127 / 64] and np.array_equal(ours, ref)


def test_mx_nan_or_inf_blocks_get_the_nan_scale():
    x = np.ones(64)
    x[3] = np.inf
    scale, codes = mx_quantize(x, "e4m3")
    assert scale.tolist() == [0xFF, 127 - 8]
    assert np.isnan(mx_dequantize(scale, codes, "e4m3")[:32]).all()


@pytest.mark.parametrize("elem", list(GFLOAT_MX))
def test_mx_dot_is_the_exact_sum_rounded_once(elem):
    rng = np.random.default_rng(2)
    x, y = blocks(rng, 64), blocks(rng, 64)
    sa, ca = mx_quantize(x.ravel(), elem)
    sb, cb = mx_quantize(y.ravel(), elem)
    got = mx_dot(sa, ca, sb, cb, elem).astype(np.uint32).view(np.float32)
    va, vb = mx_dequantize(sa, ca, elem).reshape(x.shape), mx_dequantize(sb, cb, elem).reshape(y.shape)
    for i in range(len(got)):
        exact = sum(Fraction(float(p)) * Fraction(float(q)) for p, q in zip(va[i], vb[i]))
        assert got[i] == nearest_float32(exact)


def nearest_float32(exact: Fraction) -> np.float32:
    """Correctly rounded (ties to even) float32 of a rational, by comparing neighbours exactly."""
    with np.errstate(over="ignore"):
        guess = np.float32(float(exact))
    if np.isinf(guess):  # beyond float32's range: overflow to inf under RNE
        return guess
    candidates = [np.nextafter(guess, np.float32(-np.inf)), guess, np.nextafter(guess, np.float32(np.inf))]
    candidates = [c for c in candidates if np.isfinite(c)]
    dist = [abs(Fraction(float(c)) - exact) for c in candidates]
    best = min(dist)
    ties = [c for c, d in zip(candidates, dist) if d == best]
    return ties[0] if len(ties) == 1 else next(c for c in ties if c.view(np.uint32) % 2 == 0)


def test_bfp_round_trip_error_bound_and_presets():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((100, 64))
    for fmt in (BFP_PRESETS["bfp12"], BFP_PRESETS["bfp16"], BFPFormat(8, 6)):
        e, m = bfp_quantize(x, fmt)
        back = bfp_dequantize(e, m, fmt).reshape(x.shape)
        step = np.repeat(2.0 ** (e - (fmt.p - 2)), fmt.k, axis=-1).reshape(x.shape)
        assert np.all(np.abs(back - x) <= step / 2 + step * (np.abs(m).max() == 2 ** (fmt.p - 1) - 1))
        assert np.max(np.abs(m)) <= 2 ** (fmt.p - 1) - 1


def test_bfp_shared_exponent_is_exact_at_binade_edges_and_specials_follow_the_documented_rule():
    fmt = BFPFormat(4, 4)
    below = np.nextafter(2.0, 0.0)  # floor(log2) is 0, though log2 rounds it to 1.0
    e, m = bfp_quantize(np.array([below, 0.0, 0.0, 0.0]), fmt)
    assert e[0] == 0 and m[0, 0] == 7  # 1.99.. * 2**2 rounds to 8, clamped to 7
    e, m = bfp_quantize(np.array([1.0, np.inf, -np.inf, np.nan]), fmt)
    assert e[0] == 127 and list(m[0]) == [0, 7, -7, 0]
    e, m = bfp_quantize(np.array([0.0, -0.0, 0.0, 0.0, 2.0**-140, 0.0, 0.0, 0.0]), fmt)
    assert list(e) == [-127, -127] and not m.any()


def test_bfp_stochastic_rounding_is_explicit_and_unbiased():
    fmt = BFPFormat(4, 4)
    x = np.tile([1.0, 0.3, 0.3, 0.3], 20_000)
    rng = np.random.default_rng(4)
    bits = rng.integers(0, 2**16, (20_000, 4)).astype(np.float64)
    e, m = bfp_quantize(x, fmt, "sr", bits)
    assert np.array_equal(m, bfp_quantize(x, fmt, "sr", bits)[1])
    assert abs(bfp_dequantize(e, m, fmt)[1::4].mean() - 0.3) < 0.005


def test_reordering_leaves_the_exact_dot_product_unchanged_and_helps_outliers():
    rng = np.random.default_rng(5)
    keys = rng.standard_normal((256, 128))
    keys[:, rng.choice(128, 6, replace=False)] *= 40  # a few outlier channels
    query = rng.standard_normal(128)
    perm = reorder_by_norm(keys)
    assert np.allclose(keys[:, perm] @ query[perm], keys @ query)
    fmt = BFP_PRESETS["bfp12"]

    def err(k):
        e, m = bfp_quantize(k, fmt)
        return np.mean(np.abs(bfp_dequantize(e, m, fmt).reshape(k.shape) - k))

    assert err(keys[:, perm]) < 0.8 * err(keys)


def test_mx_int8_elements():
    assert mx_elements(np.array([0x7F, 0x81, 0x40]), "int8").tolist() == [127 / 64, -127 / 64, 1.0]


GFLOAT_ROUND = {"rtz": gfloat.RoundMode.TowardZero, "rna": gfloat.RoundMode.TiesToAway,
                "rup": gfloat.RoundMode.TowardPositive, "rdn": gfloat.RoundMode.TowardNegative}


@pytest.mark.parametrize("rounding", list(GFLOAT_ROUND))
@pytest.mark.parametrize("elem", ["e4m3", "e2m1", "int8"])
def test_mx_element_rounding_modes_match_gfloat(elem, rounding):
    x = blocks(np.random.default_rng(4))
    scale, codes = mx_quantize(x.ravel(), elem, rounding=rounding)
    ours = mx_dequantize(scale, codes, elem).reshape(x.shape)
    for row, got in zip(x, ours):
        ref = gfloat.quantize_block(GFLOAT_MX[elem], row, compute_scale_amax, GFLOAT_ROUND[rounding])
        assert np.array_equal(got, np.asarray(ref, dtype=np.float64)), (elem, rounding, row[:3])


@pytest.mark.parametrize("elem", ["e4m3", "e5m2", "e2m1", "int8"])
def test_mx_stochastic_rounding_brackets_the_value_and_averages_to_it(elem):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(64)
    rbits = 6
    x = np.round(x * 2**12) / 2**12
    patterns = np.arange(1 << rbits)
    every = np.array([mx_dequantize(*mx_quantize(x, elem, rounding="sr", random=np.full(64, r), rbits=rbits),
                                    elem) for r in patterns])
    assert np.array_equal(every[0], mx_dequantize(*mx_quantize(x, elem, rounding="rtz"), elem))  # r = 0 truncates
    lo, hi = every.min(axis=0), every.max(axis=0)
    scale, _ = mx_quantize(x, elem)
    top = 127 / 64 if elem == "int8" else float_format(elem).max_normal
    unsaturated = np.abs(x) < np.repeat(np.ldexp(top, scale - 127), 32)  # OCP's floor scale can saturate a few
    assert np.all(((lo <= x) & (x <= hi))[unsaturated])  # the two neighbours of x, or x itself
    # Unbiased to within the rbits-bit truncation of the fraction: at most one 2**-rbits step of an ulp.
    assert np.all(np.abs(every.mean(axis=0) - x)[unsaturated] <= (hi - lo)[unsaturated] * 2.0**-rbits), elem


def _even_rule_by_bits(peak: float, man_bits: int, emax: int) -> int:
    """torchao's EVEN scale, as bit operations on the fp32 encoding of amax."""
    bits = np.array([peak], np.float32).view(np.int32)[0]
    rounded = (int(bits) + (1 << (23 - man_bits - 1))) & 0x7F800000
    return (rounded >> 23) - 127 - emax


@pytest.mark.parametrize("elem", ["e4m3", "e5m2", "e2m3", "e2m1"])
def test_mx_scale_rules(elem):
    fmt = float_format(elem)
    rng = np.random.default_rng(6)
    peaks = np.concatenate([rng.uniform(1, 2, 400) * 2.0 ** rng.integers(-30, 30, 400),
                            fmt.max_normal * 2.0 ** np.arange(-3, 4), [1.0, 1.99, 1.9999]]).astype(np.float32)
    peaks = peaks.astype(np.float64)
    floor = mx_scale_exponent(peaks, elem, "floor")
    ceil = mx_scale_exponent(peaks, elem, "ceil")
    even = mx_scale_exponent(peaks, elem, "even")
    assert np.array_equal(floor, np.floor(np.log2(peaks)) - mx_element(elem).emax)  # OCP v1.0 text
    assert np.all(peaks / 2.0**ceil <= fmt.max_normal) and np.all(peaks / 2.0 ** (ceil - 1) > fmt.max_normal)
    assert [int(e) for e in even] == [_even_rule_by_bits(p, fmt.man_bits, mx_element(elem).emax) for p in peaks]


@pytest.mark.parametrize("p", [1, 3, 4, 7])
def test_mx_with_p3109_elements_matches_gfloat(p):
    from gfloat.block import BlockFormatInfo
    from gfloat.types import Domain, Signedness

    etype = gf.format_info_p3109(8, p, Signedness.Signed, Domain.Extended)
    fi = BlockFormatInfo(f"mx binary8p{p}", etype, 32, gf.format_info_ocp_e8m0)
    x = blocks(np.random.default_rng(p))
    scale, codes = mx_quantize(x.ravel(), f"binary8p{p}")
    ours = mx_dequantize(scale, codes, f"binary8p{p}").reshape(x.shape)
    for row, got in zip(x, ours):
        ref = gfloat.quantize_block(fi, row, compute_scale_amax)  # elements saturate
        assert np.array_equal(got, np.asarray(ref, dtype=np.float64)), (p, row[:3])


@pytest.mark.parametrize("bits", [2, 4, 5, 6, 8, 12, 16])
@pytest.mark.parametrize("k", [1, 3, 8, 16, 32, 64])
def test_packed_block_codes_unpack_to_themselves(bits, k):
    """Element j of a block port sits at bits [j*bits, (j+1)*bits); the lane views for 4, 8 and
    16-bit elements and the bitwise path for the others read it back alike, one word or many."""
    codes = np.random.default_rng(bits * 100 + k).integers(0, 1 << bits, (50, k))
    port = join_codes(codes, bits)
    assert (split_codes(port, bits, k) == codes).all()
    first = int(port[0]) if port.ndim == 1 else int(port[0, 0])
    assert first & ((1 << bits) - 1) == codes[0, 0]
