"""Golden multipliers against independent references."""

import ml_dtypes
import numpy as np
import pytest

from arithbench.models.codec import decode, encode
from arithbench.models.formats import IntFormat, float_format
from arithbench.models.mul import fp_mul, int_mul

REF = {"e4m3": ml_dtypes.float8_e4m3fn, "e5m2": ml_dtypes.float8_e5m2}


@pytest.mark.parametrize("name", REF)
def test_fp_mul_matches_ml_dtypes_on_all_pairs(name):
    """ml_dtypes: inputs to float32, multiply (exact), cast back (RNE, non-saturating).
    Any NaN matches any NaN; otherwise codes must be equal."""
    fmt = float_format(name)
    a, b = (g.ravel() for g in np.meshgrid(np.arange(256), np.arange(256), indexing="ij"))
    ours = fp_mul(fmt, fmt, a, b, rounding="rne", sat=False)
    fa = a.astype(np.uint8).view(REF[name]).astype(np.float32)
    fb = b.astype(np.uint8).view(REF[name]).astype(np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        ref = (fa * fb).astype(REF[name])
    ref_codes = ref.view(np.uint8).astype(np.int64)
    ref_nan = np.isnan(ref.astype(np.float32))
    assert np.array_equal(np.isnan(decode(fmt, ours)), ref_nan)
    assert np.array_equal(ours[~ref_nan], ref_codes[~ref_nan])
    assert len(ours) == 65536


def test_fp_mul_nan_is_canonical_and_inf_times_zero_is_nan():
    e5m2 = float_format("e5m2")
    inf, zero, neg_nan = 0x7C, 0x00, 0xFF
    out = fp_mul(e5m2, e5m2, np.array([inf, neg_nan]), np.array([zero, 0x3C]))
    assert out.tolist() == [e5m2.nan_code, e5m2.nan_code]


def test_fp_mul_saturation_and_fnuz_zero():
    e4m3 = float_format("e4m3")
    big = encode(e4m3, np.array([448.0, -448.0]))
    assert decode(e4m3, fp_mul(e4m3, e4m3, big, big[::-1] * 0 + encode(e4m3, [2.0, 2.0]), sat=True)).tolist() == [448.0, -448.0]
    assert fp_mul(e4m3, e4m3, big, encode(e4m3, [2.0, 2.0]), sat=False).tolist() == [0x7F, 0x7F]
    fnuz = float_format("e4m3fnuz")
    tiny = encode(fnuz, np.array([-fnuz.min_subnormal]))
    assert fp_mul(fnuz, fnuz, tiny, tiny).tolist() == [0]  # underflow to +0, no -0 in fnuz


@pytest.mark.parametrize("signed", [True, False])
def test_int_mul_matches_python_integers(signed):
    fmt = IntFormat(8, signed)
    a, b = (g.ravel() for g in np.meshgrid(np.arange(256), np.arange(256), indexing="ij"))
    got = int_mul(fmt, a, b)
    def val(c):
        return c - 256 if signed and c >= 128 else c
    want = [(val(x) * val(y)) % 65536 for x, y in zip(a.tolist(), b.tolist())]
    assert got.tolist() == want


@pytest.mark.parametrize("rounding,mode", [("rne", "TiesToEven"), ("rtz", "TowardZero"), ("rna", "TiesToAway"),
                                           ("rup", "TowardPositive"), ("rdn", "TowardNegative")])
def test_bf16_fp_mul_matches_gfloat(rounding, mode):
    """SoftFloat has no bf16 multiply; gfloat rounds the exact float64 product once into bf16
    (an independent implementation of the rounding, subnormals and overflow included)."""
    from gfloat import RoundMode, encode_float, round_float
    from gfloat.formats import format_info_bfloat16

    from arithbench.vectors import float_corners

    bf16 = float_format("bf16")
    rng = np.random.default_rng(11)
    corners = float_corners(bf16).astype(np.int64)
    a = np.concatenate([np.repeat(corners, 40), rng.integers(0, 1 << 16, 6000)])
    b = np.concatenate([rng.choice(corners, 40 * len(corners)), rng.integers(0, 1 << 16, 6000)])
    ours = fp_mul(bf16, bf16, a, b, rounding=rounding, sat=False)
    with np.errstate(invalid="ignore", over="ignore"):
        exact = decode(bf16, a) * decode(bf16, b)
    theirs = np.array([encode_float(format_info_bfloat16, round_float(format_info_bfloat16, v, RoundMode[mode]))
                       for v in exact])
    nan = np.isnan(exact)
    assert np.array_equal(ours[nan], np.full(nan.sum(), bf16.nan_code))
    bad = np.flatnonzero((ours != theirs) & ~nan)
    assert not len(bad), [(hex(a[i]), hex(b[i]), hex(ours[i]), hex(theirs[i])) for i in bad[:5]]


@pytest.mark.parametrize("fmt_name", ["bf16", "fp16", "e5m7ieee", "e3m4fnuz"])
@pytest.mark.parametrize("rounding", ["rne", "rtz", "rna", "rup", "rdn"])
def test_tabulated_16bit_multiplier_equals_rounding_the_exact_product(fmt_name, rounding):
    """16-bit operands take a table path (rounded significand products, then exponent, overflow,
    underflow, zeros and specials as whole-array arithmetic): it must equal packing the exact
    product (codec.pack, the one rounding definition) for every output format kind."""
    from arithbench.models.codec import pack, split
    from arithbench.models.mul_table import fp_mul
    from arithbench.vectors import float_corners

    fmt = float_format(fmt_name)
    rng = np.random.default_rng(len(fmt_name))
    corners = float_corners(fmt).astype(np.int64)
    a = np.concatenate([rng.integers(0, 1 << fmt.bits, 200_000), np.repeat(corners, len(corners))])
    b = np.concatenate([rng.integers(0, 1 << fmt.bits, 200_000), np.tile(corners, len(corners))])
    neg_a, sig_a, exp_a, nan_a, inf_a = split(fmt, a)
    neg_b, sig_b, exp_b, nan_b, inf_b = split(fmt, b)
    zero_a, zero_b = (sig_a == 0) & ~(nan_a | inf_a), (sig_b == 0) & ~(nan_b | inf_b)
    nan = nan_a | nan_b | (inf_a & zero_b) | (inf_b & zero_a)
    for out_name in (fmt_name, "e4m3", "fp32", "binary8p3", "e4m3fnuz", "e2m1", "e5m2"):
        out = float_format(out_name)
        for sat in (False, True) if out.has_inf or out.nan_code is not None else (True,):
            got = fp_mul(fmt, out, a, b, rounding=rounding, sat=sat)
            want = pack(out, neg_a ^ neg_b, sig_a * sig_b, exp_a + exp_b, rounding, sat, nan=nan,
                        inf=(inf_a | inf_b) & ~nan)
            bad = np.flatnonzero(got != want)
            assert not len(bad), (out_name, sat, [(hex(a[i]), hex(b[i]), hex(got[i]), hex(want[i])) for i in bad[:3]])


@pytest.mark.parametrize("fmt_name,out_name", [("e4m3", "e4m3"), ("e5m2", "e2m1"), ("binary8p3", "e4m3fnuz")])
@pytest.mark.parametrize("rounding", ["rne", "rtz", "rna", "rup", "rdn"])
def test_the_8bit_table_path_equals_the_reference_on_every_pair(fmt_name, out_name, rounding):
    from arithbench.models import mul_table

    fmt, out = float_format(fmt_name), float_format(out_name)
    a, b = np.repeat(np.arange(256), 256), np.tile(np.arange(256), 256)
    for sat in (True, False) if out.has_inf or out.nan_code is not None else (True,):
        assert np.array_equal(mul_table.fp_mul(fmt, out, a, b, rounding=rounding, sat=sat),
                              fp_mul(fmt, out, a, b, rounding=rounding, sat=sat))
