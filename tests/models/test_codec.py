"""decode/encode against ml_dtypes (every code; dense float32 samples) and gfloat (saturation)."""

import gfloat
import gfloat.formats as gf
import ml_dtypes
import numpy as np
import pytest

from arithbench.models.codec import DETERMINISTIC, decode, encode
from arithbench.models.formats import FLOAT_FORMATS, float_format

ML_DTYPES = {
    "e4m3": ml_dtypes.float8_e4m3fn,
    "e5m2": ml_dtypes.float8_e5m2,
    "e4m3fnuz": ml_dtypes.float8_e4m3fnuz,
    "e5m2fnuz": ml_dtypes.float8_e5m2fnuz,
    "e2m3": ml_dtypes.float6_e2m3fn,
    "e3m2": ml_dtypes.float6_e3m2fn,
    "e2m1": ml_dtypes.float4_e2m1fn,
    "e8m0": ml_dtypes.float8_e8m0fnu,
    "bf16": ml_dtypes.bfloat16,
    "fp16": np.float16,
}

GFLOAT = {
    "e4m3": gf.format_info_ocp_e4m3,
    "e5m2": gf.format_info_ocp_e5m2,
    "e2m3": gf.format_info_ocp_e2m3,
    "e3m2": gf.format_info_ocp_e3m2,
    "e2m1": gf.format_info_ocp_e2m1,
    "bf16": gf.format_info_bfloat16,
    "fp16": gf.format_info_binary16,
}


def all_codes(fmt):
    return np.arange(1 << fmt.bits, dtype=np.int64)


def ref_decode(name, codes):
    dtype = np.dtype(ML_DTYPES[name])
    raw = codes.astype(np.uint16 if dtype.itemsize == 2 else np.uint8)
    return raw.view(dtype).astype(np.float64)


def dense_sample(fmt):
    """Every code's value, every midpoint between neighbours (the ties), nudges either side,
    values around the overflow threshold and below the smallest subnormal."""
    v = decode(fmt, all_codes(fmt))
    v = np.unique(v[np.isfinite(v)])
    mids = (v[:-1] + v[1:]) / 2
    pts = np.concatenate([v, mids])
    pts = np.concatenate([pts, np.nextafter(pts.astype(np.float32), np.float32(np.inf)),
                          np.nextafter(pts.astype(np.float32), np.float32(-np.inf))])
    top = fmt.max_normal
    step = top - np.max(v[v < top])
    extra = [top + step / 2, top + step / 2 * 0.999, top + step / 2 * 1.001, top * 4, fmt.min_subnormal / 2,
             fmt.min_subnormal / 4, fmt.min_subnormal * 0.75]
    pts = np.concatenate([pts, extra])
    pts = np.concatenate([pts, -pts]).astype(np.float32)
    return pts.astype(np.float64)


@pytest.mark.parametrize("name", ML_DTYPES)
def test_decode_matches_ml_dtypes_on_every_code(name):
    fmt = FLOAT_FORMATS[name]
    codes = all_codes(fmt)
    ours, ref = decode(fmt, codes), ref_decode(name, codes)
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    both = ~np.isnan(ours)
    assert np.array_equal(ours[both], ref[both])
    assert np.array_equal(np.signbit(ours[both]), np.signbit(ref[both]))


@pytest.mark.parametrize("name", ML_DTYPES)
def test_encode_matches_ml_dtypes_rne_nonsaturating(name):
    fmt = FLOAT_FORMATS[name]
    x = dense_sample(fmt)
    if name == "e8m0":
        # No sign in e8m0: we map every non-positive value to NaN. ml_dtypes rounds float32
        # subnormal inputs (below 2**-126) up to 2**-126 even below the midpoint; we round them
        # correctly (gfloat agrees), so those inputs are left out here.
        x = x[x >= 2.0**-126]
    ours = encode(fmt, x, "rne", sat=False)
    ref = np.asarray(x, np.float32).astype(ML_DTYPES[name])
    ref_codes = ref.view(np.uint16 if ref.dtype.itemsize == 2 else np.uint8).astype(np.int64)
    ref_nan = np.isnan(ref.astype(np.float64))
    assert np.array_equal(np.isnan(decode(fmt, ours)), ref_nan)
    assert np.array_equal(ours[~ref_nan], ref_codes[~ref_nan])


def test_encode_fp32_matches_numpy_cast():
    fmt = FLOAT_FORMATS["fp32"]
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.standard_normal(100_000) * 10.0 ** rng.integers(-45, 39, 100_000),
                        [3.4028235677973366e38, 3.4028235e38 * 1.0000001, 1e-46, 7e-46, 2**-149 * 1.5]])
    ours = encode(fmt, x)
    ref = x.astype(np.float32).view(np.uint32).astype(np.int64)
    assert np.array_equal(ours, ref)


@pytest.mark.parametrize("name", GFLOAT)
@pytest.mark.parametrize("rounding", ["rne", "rtz", "rna", "rup", "rdn"])
def test_encode_matches_gfloat_saturating(name, rounding):
    fmt = FLOAT_FORMATS[name]
    mode = {"rne": gfloat.RoundMode.TiesToEven, "rtz": gfloat.RoundMode.TowardZero,
            "rna": gfloat.RoundMode.TiesToAway, "rup": gfloat.RoundMode.TowardPositive,
            "rdn": gfloat.RoundMode.TowardNegative}[rounding]
    x = np.concatenate([dense_sample(fmt), [np.inf, -np.inf]])
    ours = decode(fmt, encode(fmt, x, rounding, sat=True))
    ref = gfloat.round_ndarray(GFLOAT[name], x, mode, sat=True)
    assert np.array_equal(ours, ref)
    assert np.array_equal(np.signbit(ours), np.signbit(ref))


@pytest.mark.parametrize("name", sorted(FLOAT_FORMATS))
@pytest.mark.parametrize("rounding", DETERMINISTIC)
def test_decode_then_encode_is_identity(name, rounding):
    fmt = FLOAT_FORMATS[name]
    if fmt.bits > 16:
        codes = np.random.default_rng(0).integers(0, 1 << fmt.bits, 1 << 16)
    else:
        codes = all_codes(fmt)
    values = decode(fmt, codes)
    keep = ~np.isnan(values)
    assert np.array_equal(encode(fmt, values[keep], rounding)[:], codes[keep])


def test_rup_rdn_and_rtz_overflow_to_max_or_inf():
    e5m2 = FLOAT_FORMATS["e5m2"]
    big = np.array([1e6, -1e6])
    assert decode(e5m2, encode(e5m2, big, "rtz")).tolist() == [57344.0, -57344.0]
    assert decode(e5m2, encode(e5m2, big, "rup")).tolist() == [np.inf, -57344.0]
    assert decode(e5m2, encode(e5m2, big, "rdn")).tolist() == [57344.0, -np.inf]


def test_spelled_format_needs_policy_and_exponent():
    from arithbench.errors import UsageError
    assert float_format("e3m4ieee").bias == 3
    with pytest.raises(UsageError, match="needs a special-value policy"):
        float_format("e3m4")
    with pytest.raises(UsageError, match="at least 1 exponent bit"):
        float_format("e0m3fn")
    with pytest.raises(UsageError, match="exponent bits must be 1..8"):
        float_format("e9m3ieee")


def test_nan_into_a_format_without_nan_is_plus_zero_whatever_its_sign():
    """The codec's stated policy (and the RTL rounder's): a NaN result in a format with no NaN
    encoding (e2m1, finite) is +0, not -0, even from a negative NaN or a NaN product of
    operands of different signs."""
    from arithbench.models.mul import fp_mul

    e2m1, e4m3 = float_format("e2m1"), float_format("e4m3")
    assert encode(e2m1, np.array([np.nan, -np.nan])).tolist() == [0, 0]
    nan, minus_one = 0x7F, 0xB8  # e4m3 NaN and -1.0
    assert fp_mul(e4m3, e2m1, np.array([nan, minus_one]), np.array([minus_one, nan])).tolist() == [0, 0]


def test_a_rounding_is_a_value_that_knows_its_random_bits():
    from arithbench.models.rounding import Mode, Rounding

    sr, rne = Rounding.of("sr", 8), Rounding.of("rne", 8)
    assert sr.stochastic and sr.rbits == 8 and sr.ports() == {"r": 8} and sr.ops(2) == [("int_add", 8)] * 2
    assert not rne.stochastic and rne.rbits == 0 and rne.ports() == {} and rne.ops() == []
    assert rne.mode is Mode.RNE and rne.mode == "rne" and str(sr) == "sr"
    assert sr.corners().tolist() == [0, 1, 127, 128, 129, 255]
    inputs = {"a": np.arange(3, dtype=np.uint64)}
    assert rne.with_random_bits(inputs, True, 1) is inputs
    crossed = sr.with_random_bits(inputs, True, 1)
    assert len(crossed["a"]) == 3 * 12 and set(sr.corners().tolist()) <= set(crossed["r"][:12].tolist())
    assert (sr.with_random_bits(inputs, False, 1)["r"] < 256).all()
    with pytest.raises(ValueError, match="takes 2 to 24 random bits"):
        Rounding(Mode.SR, 40)
    with pytest.raises(ValueError, match="takes no random bits"):
        Rounding(Mode.RTZ, 8)
    with pytest.raises(ValueError):
        Rounding.of("up")
