"""Scaled quantizers (models/scaled.py), NF4, rceil and the NVFP4 variants, against independent
references: gfloat's MX block quantization (floor rule), ml_dtypes' casts, the published NF4 table
and bitsandbytes' quantizer thresholds, NVFP4 blocks worked by hand, and hand-built cases."""

import gfloat
import gfloat.formats as gf
import ml_dtypes
import numpy as np
import pytest
from gfloat.block import compute_scale_amax

import arithbench
from arithbench.errors import UsageError
from arithbench.models.block import mx_element, scale_exponent
from arithbench.models.codec import encode
from arithbench.models.formats import NF4, float_format
from arithbench.models.scaled import CLIP_GRID, element, nearest_codes

#: QLoRA's NF4 values as bitsandbytes publishes them (bitsandbytes/functional.py, get_4bit_type("nf4")).
NF4_PUBLISHED = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
                 -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
                 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                 0.7229568362236023, 1.0]
#: bitsandbytes' dQuantizeNF4 (csrc/kernels.cu) thresholds: code = how many of them x is above.
BNB_NF4_THRESHOLDS = [-0.8480964004993439, -0.6106329262256622, -0.4599952697753906, -0.33967943489551544,
                      -0.23460740596055984, -0.13791173323988914, -0.045525018125772476, 0.03979014977812767,
                      0.1202552504837513, 0.2035212516784668, 0.2920137718319893, 0.3893125355243683,
                      0.5016634166240692, 0.6427869200706482, 0.8614784181118011]

GFLOAT_MX = {"mxfp4": ("e2m1", gf.format_info_mxfp4_e2m1), "mxfp6_e2m3": ("e2m3", gf.format_info_mxfp6_e2m3),
             "mxfp6_e3m2": ("e3m2", gf.format_info_mxfp6_e3m2), "mxfp8_e4m3": ("e4m3", gf.format_info_mxfp8_e4m3),
             "mxfp8_e5m2": ("e5m2", gf.format_info_mxfp8_e5m2), "mxint8": ("int8", gf.format_info_mxint8)}
ML_DTYPES = {"e2m1": ml_dtypes.float4_e2m1fn, "e2m3": ml_dtypes.float6_e2m3fn, "e3m2": ml_dtypes.float6_e3m2fn,
             "e4m3": ml_dtypes.float8_e4m3fn, "e5m2": ml_dtypes.float8_e5m2}


def one_line(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and message
    return message


# -- NF4 -------------------------------------------------------------------------------------------

def test_nf4_is_the_published_table():
    assert list(NF4.values) == NF4_PUBLISHED
    assert arithbench.dequantize(np.arange(16), "nf4").tolist() == NF4_PUBLISHED
    assert NF4.ties == "down"


def test_nf4_nearest_value_on_hand_picked_points():
    points = [0.0, 0.04, -0.04, 0.9, 0.86, 0.5, 0.45, -0.7, -0.95, 1.5, -7.0, np.inf, -np.inf, np.nan, -0.0]
    expected = [7, 8, 7, 15, 14, 12, 12, 1, 0, 15, 0, 15, 0, 7, 7]
    assert arithbench.quantize(points, "nf4").tolist() == expected


def test_nf4_ties_go_to_the_lower_value():
    table = NF4_PUBLISHED
    mids = [(table[i] + table[i + 1]) / 2 for i in range(15)]  # exact: the values are float32
    assert arithbench.quantize(mids, "nf4").tolist() == list(range(15))
    above = [np.nextafter(m, 2.0) for m in mids]
    assert arithbench.quantize(above, "nf4").tolist() == list(range(1, 16))


def test_nf4_agrees_with_bitsandbytes_thresholds_away_from_them():
    x = np.random.default_rng(5).uniform(-1.2, 1.2, 200_000)
    far = np.min(np.abs(x[:, None] - np.array(BNB_NF4_THRESHOLDS)), axis=1) > 1e-6
    bnb = np.sum(x[far, None] > np.array(BNB_NF4_THRESHOLDS), axis=1)
    assert far.sum() > 199_000
    assert np.array_equal(arithbench.quantize(x[far], "nf4"), bnb)


def test_nf4_stochastic_rounding_counts_the_random_bits():
    lo, hi = NF4_PUBLISHED[8], NF4_PUBLISHED[9]
    middle = lo + (hi - lo) / 2
    codes = arithbench.quantize(np.full(16, middle), "nf4", rounding="sr", random=np.arange(16), rbits=4)
    assert sorted(codes.tolist()) == [8] * 8 + [9] * 8
    exact = arithbench.quantize(np.full(16, hi), "nf4", rounding="sr", random=np.arange(16), rbits=4)
    assert set(exact.tolist()) == {9}


def test_nf4_refuses_directed_rounding():
    with pytest.raises(UsageError) as e:
        arithbench.quantize([0.3], "nf4", rounding="rtz")
    assert "lower value" in one_line(e)


@pytest.mark.parametrize("fmt", ["int4", "nvfp4", "llm-fp4"])
def test_plain_quantize_points_scaled_formats_to_quantize_scaled(fmt):
    with pytest.raises(UsageError) as e:
        arithbench.quantize([1.0], fmt)
    assert "quantize_scaled" in one_line(e)


# -- MX (floor) against gfloat, and the other E8M0 rules ---------------------------------------------

def mx_blocks(rng, n=120, k=32):
    x = rng.standard_normal((n, k)) * 2.0 ** rng.integers(-30, 30, (n, 1))
    x[0] = 0.0
    x[1, 5] = 1e4
    x[2] = 3.0
    x[3, :4] = [6.0, -6.0, 5.99, 0.25]
    return x


@pytest.mark.parametrize("preset", list(GFLOAT_MX))
def test_mx_presets_match_gfloat_quantize_block(preset):
    elem, fi = GFLOAT_MX[preset]
    x = mx_blocks(np.random.default_rng(3))
    got = arithbench.quantize_scaled(x, preset)
    assert got.scales.shape == (len(x), 1) and got.scale_format == "e8m0" and got.rule == "floor"
    for row, ours in zip(x, got.values):
        ref = np.asarray(gfloat.quantize_block(fi, row, compute_scale_amax), np.float64)
        assert np.array_equal(ours, ref), (preset, row[:3])


def test_mx_scale_codes_are_biased_exponents():
    x = mx_blocks(np.random.default_rng(4))
    got = arithbench.quantize_scaled(x, "mxfp8_e4m3")
    assert np.array_equal(np.ldexp(1.0, got.scale_codes.astype(np.int64) - 127), got.scales)
    assert got.bits_per_element == 8 + 8 / 32


@pytest.mark.parametrize("elem", ["e2m1", "e4m3", "e5m2"])
def test_rceil_is_the_smallest_power_of_two_that_saturates_nothing(elem):
    largest = float_format(elem).max_normal
    peaks = np.random.default_rng(6).uniform(0.5, 2.0, 5000) * 2.0 ** np.random.default_rng(7).integers(-40, 40, 5000)
    e = scale_exponent(peaks, mx_element(elem), "rceil")
    assert np.all(peaks / np.ldexp(1.0, e.astype(int)) <= largest)
    assert np.all(peaks / np.ldexp(1.0, e.astype(int) - 1) > largest)


def test_rceil_hand_cases():
    e2m1 = mx_element("e2m1")
    peaks = np.array([6.0, np.nextafter(6.0, 7.0), 3.0, np.nextafter(3.0, 4.0), 12.0, 5.0, 0.75, 6.0 * 2.0**10 * (1 + 2.0**-52)])
    assert scale_exponent(peaks, e2m1, "rceil").tolist() == [0, 1, -1, 0, 1, 0, -3, 11]
    assert scale_exponent(np.array([448.0, 449.0, 224.0]), mx_element("e4m3"), "rceil").tolist() == [0, 1, -1]


def test_rule_changes_the_scale_of_a_block_as_stated():
    x = np.zeros((1, 32))
    x[0, 0] = 7.0  # e2m1: floor gives X = 2**(2-2) = 1 (7 saturates to 6); ceil and rceil 2 (7/2 = 3.5)
    scales = {rule: float(arithbench.quantize_scaled(x, "mxfp4", rule=rule).scales[0, 0])
              for rule in ("floor", "ceil", "even", "rceil")}
    assert scales == {"floor": 1.0, "ceil": 2.0, "even": 2.0, "rceil": 2.0}
    x[0, 0] = 6.5  # even: 6.5 = 1.625 * 4 rounds to 1.5 * 4 at one fraction bit: floor's scale
    assert float(arithbench.quantize_scaled(x, "mxfp4", rule="even").scales[0, 0]) == 1.0


def test_e8m0_groups_with_nan_or_inf_get_the_nan_scale():
    x = np.ones((2, 64))
    x[0, 40] = np.nan
    x[1, 3] = -np.inf
    got = arithbench.quantize_scaled(x, "e4m3", group=32, scale="e8m0")
    assert got.scale_codes.tolist() == [[127 - 8, 0xFF], [0xFF, 127 - 8]]
    assert np.isnan(got.values[0, 32:]).all() and np.isnan(got.values[1, :32]).all()
    assert (got.values[0, :32] == 1.0).all() and (got.values[1, 32:] == 1.0).all()


# -- NVFP4, by hand ---------------------------------------------------------------------------------

def test_nvfp4_blocks_by_hand():
    x = np.zeros(32)
    x[:4] = [3.0, -1.0, 0.5, 0.2]  # amax 3: scale 3/6 = 0.5 (an e4m3 value); 6, -2, 1, 0.4 -> 0.5
    x[16:20] = [7.0, 2.0, -0.3, 1.0]  # amax 7: 7/6 = 1.1667 -> e4m3 1.125 (steps of 0.125 in [1, 2))
    got = arithbench.quantize_scaled(x, "nvfp4", tensor_scale=1.0)
    assert got.scales.tolist() == [0.5, 1.125] and got.tensor_scale == 1.0
    # 7/1.125 = 6.2 saturates to 6; 2/1.125 = 1.78 -> 2; -0.3/1.125 = -0.27 -> -0.5; 1/1.125 = 0.89 -> 1
    assert got.values[:4].tolist() == [3.0, -1.0, 0.5, 0.25]
    assert got.values[16:20].tolist() == [6.75, 2.25, -0.5625, 1.125]
    up = arithbench.quantize_scaled(x, "nvfp4", tensor_scale=1.0, scale_rounding="rup")
    # rounded up, 7/6 becomes 1.25: 7/1.25 = 5.6 -> 6, 2/1.25 = 1.6 -> 1.5, -0.24 -> 0 (below 0.25), 0.8 -> 1
    assert up.scales.tolist() == [0.5, 1.25]
    assert up.values[16:20].tolist() == [7.5, 1.875, -0.0, 1.25]
    assert got.bits_per_element == 4 + 8 / 16 + 32 / 32


def test_nvfp4_tensor_scale_recipes():
    x = np.random.default_rng(8).standard_normal((4, 64))
    x[2, 5] = 20.0  # the tensor's amax, in block (2, 0)
    full = arithbench.quantize_scaled(x, "nvfp4")
    assert full.tensor_scale == float(np.float32(20.0) / np.float32(2688.0))
    assert full.scales[2, 0] == 448.0 and full.scale_codes[2, 0] == 0x7E  # amax/(448*6): the top block on 448
    legacy = arithbench.quantize_scaled(x, "nvfp4", tensor_scale="amax/448")
    assert legacy.tensor_scale == float(np.float32(20.0) / np.float32(448.0))
    assert legacy.scales[2, 0] == 72.0  # 448/6 = 74.67 -> e4m3 72 (steps of 8 in [64, 128))
    assert legacy.scales.max() == 72.0
    assert full.scales.shape == (4, 4) and full.bits_per_element == 4 + 8 / 16 + 32 / 256


def test_nvfp4_refuses_other_elements_and_bad_tensor_scales():
    x = np.ones(32)
    with pytest.raises(UsageError) as e:
        arithbench.quantize_scaled(x, "e4m3", group=16, scale="e4m3")
    assert "e2m1" in one_line(e)
    for bad in (0.0, -1.0, np.inf, "amax/6"):
        with pytest.raises(UsageError):
            arithbench.quantize_scaled(x, "nvfp4", tensor_scale=bad)
    with pytest.raises(UsageError) as e:
        arithbench.quantize_scaled(x, "nvfp4", group=32)
    assert "group" in one_line(e)


# -- granularity, round trips, integer ranges, pow2, stochastic rounding -------------------------------

@pytest.mark.parametrize("group,shape,per", [("tensor", (), 3 * 4 * 64), ("channel", (3, 4, 1), 64),
                                             (16, (3, 4, 4), 16), (32, (3, 4, 2), 32), (64, (3, 4, 1), 64)])
def test_granularity_shapes(group, shape, per):
    x = np.random.default_rng(9).standard_normal((3, 4, 64))
    got = arithbench.quantize_scaled(x, "int4", group=group, scale="fp16")
    assert got.codes.shape == x.shape and got.values.shape == x.shape and got.codes.dtype == np.uint64
    assert got.scales.shape == shape and got.scale_codes.shape == shape and got.group == per
    assert got.bits_per_element == 4 + 16 / per
    # fp16 scale codes are fp16 bit patterns of the scales
    assert np.array_equal(got.scale_codes.astype(np.uint16).view(np.float16).astype(np.float64), got.scales)


def test_group_scales_are_amax_over_max_rounded_to_the_scale_format():
    x = np.random.default_rng(10).standard_normal((5, 128))
    got = arithbench.quantize_scaled(x, "e2m1", group=32, scale="fp16")
    amax = np.abs(x.reshape(5, 4, 32)).max(axis=2)
    assert np.array_equal(got.scales, (amax / 6.0).astype(np.float16).astype(np.float64))


@pytest.mark.parametrize("elem", list(ML_DTYPES))
@pytest.mark.parametrize("group", ["tensor", "channel", 32])
def test_float_elements_round_trip_as_ml_dtypes_casts(elem, group):
    x = np.random.default_rng(11).standard_normal((6, 64)) * 3.0
    got = arithbench.quantize_scaled(x, elem, group=group)
    per = {"tensor": x.size, "channel": 64, 32: 32}[group]
    s = np.broadcast_to(got.scales.reshape(-1, 1), (x.size // per, per)).reshape(x.shape)
    largest = float(ml_dtypes.finfo(ML_DTYPES[elem]).max)
    ref = np.clip(x / s, -largest, largest).astype(ML_DTYPES[elem]).astype(np.float64) * s
    assert np.array_equal(got.values, ref)


@pytest.mark.parametrize("elem,top", [("int4", 7), ("int8", 127)])
def test_integer_round_trip_within_half_a_step(elem, top):
    x = np.random.default_rng(12).standard_normal((8, 128))
    got = arithbench.quantize_scaled(x, elem, group=64, scale="fp32")
    step = np.repeat(got.scales, 64, axis=1)
    assert np.all(np.abs(got.values - x) <= step / 2 * (1 + 1e-6))
    signed = got.codes.astype(np.int64) - (got.codes.astype(np.int64) >> (int(elem[3:]) - 1)) * (1 << int(elem[3:]))
    assert signed.max() == top and signed.min() == -top


def test_nf4_group_round_trip_is_the_nearest_table_value():
    x = np.random.default_rng(13).standard_normal((4, 128))
    got = arithbench.quantize_scaled(x, "nf4", group=64)
    s = np.repeat(got.scales, 64, axis=1)
    table = np.array(NF4_PUBLISHED)
    nearest = table[np.argmin(np.abs((x / s)[..., None] - table), axis=-1)] * s
    assert np.array_equal(got.values, nearest)
    assert np.array_equal(got.scales, (np.abs(x.reshape(4, 2, 64)).max(axis=2)).astype(np.float32).astype(np.float64))


def test_int4_ranges():
    x = np.array([[-7.9, 7.9, 1.0, -3.2]])  # e8m0 floor: 2**(floor(log2 7.9) - 2) = 1
    sym = arithbench.quantize_scaled(x, "int4", scale="e8m0")
    full = arithbench.quantize_scaled(x, "int4", scale="e8m0", int_range="full")
    assert sym.values.tolist() == [[-7.0, 7.0, 1.0, -3.0]] and sym.codes.tolist() == [[0x9, 0x7, 0x1, 0xD]]
    assert full.values.tolist() == [[-8.0, 7.0, 1.0, -3.0]] and full.codes.tolist() == [[0x8, 0x7, 0x1, 0xD]]


def test_mxint8_is_int8_in_the_full_range():
    x = np.zeros((1, 32))
    x[0, :2] = [-1.999, 1.999]  # MXINT8 at scale 1: -2 is a value, +1.999 saturates at 127/64
    got = arithbench.quantize_scaled(x, "mxint8")
    assert got.values[0, :2].tolist() == [-2.0, 127 / 64]


def test_pow2_scales_are_the_smallest_powers_of_two_that_saturate_nothing():
    x = np.zeros((3, 32))
    x[0, 0], x[1, 0], x[2, 0] = 5.0, 6.5, 0.3  # /6: 0.833 -> 1, 1.083 -> 2, 0.05 -> 2**-4
    got = arithbench.quantize_scaled(x, "e2m1", group=32, pow2=True)
    assert got.scales[:, 0].tolist() == [1.0, 2.0, 0.0625]
    # 5 is a tie of 4 and 6 (to even: 4); 6.5 / 2 = 3.25 -> 3; 0.3 / 0.0625 = 4.8 -> 4
    assert got.values[:, 0].tolist() == [4.0, 6.0, 0.25]
    plain = arithbench.quantize_scaled(x, "e2m1", group=32)
    assert plain.scales[0, 0] == np.float32(5.0 / 6.0)


def test_stochastic_rounding_is_seeded_and_unbiased():
    x = np.full((1, 20_000), 1.25)
    x[0, 0] = 6.0  # scale 1: 1.25 lies halfway between 1.0 and 1.5
    a = arithbench.quantize_scaled(x, "e2m1", rounding="sr", seed=1)
    b = arithbench.quantize_scaled(x, "e2m1", rounding="sr", seed=1)
    c = arithbench.quantize_scaled(x, "e2m1", rounding="sr", seed=2)
    assert np.array_equal(a.codes, b.codes) and not np.array_equal(a.codes, c.codes)
    assert set(np.unique(a.values[0, 1:])) == {1.0, 1.5}
    assert abs(a.values[0, 1:].mean() - 1.25) < 0.01
    nv = arithbench.quantize_scaled(np.tile(x[:, :32], (1, 1)), "nvfp4", tensor_scale=1.0, rounding="sr", seed=3)
    assert set(np.unique(nv.values[0, 1:16])) <= {1.0, 1.5}


def test_fast_rne_path_equals_the_codec():
    rng = np.random.default_rng(14)
    for name in ("e2m1", "e2m3", "e3m2", "e4m3", "e5m2", "e1m2finite", "e3m0finite", "e4m3fnuz", "binary8p3"):
        fmt = float_format(name)
        values = arithbench.dequantize(np.arange(1 << fmt.bits), fmt)
        values = values[np.isfinite(values)]
        mids = (values[1:] + values[:-1]) / 2
        x = np.concatenate([rng.standard_normal(20_000) * fmt.max_normal / 3, mids, -mids, values,
                            np.nextafter(mids, 0.0), np.nextafter(mids, np.inf), [0.0, -0.0, 1e300, -1e300, 1e-300]])
        assert np.array_equal(nearest_codes(fmt, x), encode(fmt, x, "rne", True)), name


# -- LLM-FP4's search ---------------------------------------------------------------------------------

HAND = {"e2m1": [0, 0.5, 1, 1.5, 2, 3, 4, 6], "e1m2": [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5],
        "e3m0": [0, 0.25, 0.5, 1, 2, 4, 8, 16]}


def test_llm_fp4_picks_the_split_that_fits_each_row():
    x = np.array([[16, -8, 4, 2, -1, 0.5, 0.25, 16],       # powers of two: e3m0 exactly
                  [3.5, -3, 2.5, 2, 1.5, -1, 0.5, 3.5],     # multiples of 0.5: e1m2 exactly
                  [6, -4, 3, 2, 1.5, -1, 0.5, 6]])          # e2m1's values
    got = arithbench.quantize_scaled(x, "llm-fp4", group="channel")
    assert got.element.tolist() == ["e3m0", "e1m2", "e2m1"] and got.clip.tolist() == [1.0, 1.0, 1.0]
    assert np.array_equal(got.values, x)
    assert got.bits_per_element == 4 + 34 / 8 and got.scales.shape == (3, 1)


def test_llm_fp4_search_is_the_least_squared_error():
    rng = np.random.default_rng(15)
    x = rng.standard_normal((1, 256))
    x[0, 7] = 9.0  # an outlier: clipping it pays
    got = arithbench.quantize_scaled(x, "llm-fp4")
    amax = np.abs(x).max()
    best = None
    for name, table in HAND.items():  # an independent brute force over the hand-written tables
        grid = np.array(table)
        for ratio in CLIP_GRID:
            s = ratio * amax / grid[-1]
            q = np.sign(x) * grid[np.argmin(np.abs(np.abs(x / s)[..., None] - grid), axis=-1)] * s
            err = np.sum((q - x) ** 2)
            if best is None or err < best[0] * (1 - 1e-9):
                best = (err, name, ratio)
    assert (got.element, got.clip) == best[1:]
    assert got.clip < 1.0
    assert np.sum((got.values - x) ** 2) == pytest.approx(best[0], rel=1e-6)


def test_llm_fp4_takes_a_grid_of_its_own():
    x = np.random.default_rng(16).standard_normal((2, 64))
    got = arithbench.quantize_scaled(x, "llm-fp4", clips=[1.0])
    assert got.clip == 1.0
    with pytest.raises(UsageError):
        arithbench.quantize_scaled(x, "llm-fp4", clips=[1.5])


# -- bad input: one line each ---------------------------------------------------------------------

BAD = [
    (dict(fmt="int4", group=48), "does not divide"),
    (dict(fmt="int4", group="row"), "group must be"),
    (dict(fmt="int4", scale="bf16"), "unknown scale type"),
    (dict(fmt="e4m3", scale="e4m3", group=16), "e2m1"),
    (dict(fmt="e2m1", rule="floor"), "e8m0"),
    (dict(fmt="e2m1", scale="e8m0", rule="nearest"), "unknown e8m0 scale rule"),
    (dict(fmt="nf4", scale="e8m0", rule="even"), "floor, ceil or rceil"),
    (dict(fmt="e2m1", seed=3), "seed"),
    (dict(fmt="e2m1", rounding="sr"), "needs seed"),
    (dict(fmt="e2m1", rounding="rtz"), "rounding must be"),
    (dict(fmt="mxfp4", scale="fp16"), "mxfp4 is e2m1"),
    (dict(fmt="e2m1", int_range="full"), "integer elements"),
    (dict(fmt="int4", int_range="half"), "int_range must be"),
    (dict(fmt="e2m1", scale="e8m0", pow2=True), "powers of two already"),
    (dict(fmt="e2m1", tensor_scale=1.0), "NVFP4"),
    (dict(fmt="llm-fp4", group=32), "'tensor' or per 'channel'"),
    (dict(fmt="llm-fp4", scale="e8m0"), "fp32"),
    (dict(fmt="e2m1", clips=[0.9]), "clipping"),
    (dict(fmt="e9m9"), "unknown element format"),
    (dict(fmt="uint4"), "signed"),
]


@pytest.mark.parametrize("options,words", BAD, ids=[w for _, w in BAD])
def test_bad_requests_get_one_line(options, words):
    with pytest.raises(UsageError) as e:
        arithbench.quantize_scaled(np.ones((2, 64)), **options)
    assert words in one_line(e)


@pytest.mark.parametrize("scale", ["fp32", "fp16", "e4m3"])
def test_nan_or_inf_data_are_refused_where_the_scale_has_no_answer(scale):
    x = np.ones((2, 32))
    x[1, 3] = np.nan
    with pytest.raises(UsageError) as e:
        arithbench.quantize_scaled(x, "e2m1", group=16, scale=scale)
    assert "NaN or infinite" in one_line(e)
    with pytest.raises(UsageError):
        arithbench.quantize_scaled(np.where(np.isnan(x), np.inf, x), "llm-fp4")


@pytest.mark.parametrize("data", [5.0, [], "abc", None])
def test_data_must_be_an_array_of_numbers(data):
    with pytest.raises(UsageError) as e:
        arithbench.quantize_scaled(data, "e2m1")
    one_line(e)


def test_element_lookup_names_its_choices():
    assert element("int4").largest == 7 and element("nf4").largest == 1.0 and element("e2m1").largest == 6.0
