"""Property tests (Hypothesis) of the golden models, over generated formats and values."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from arithbench.models.block import (MX_ELEMENTS, BFPFormat, mx_element, bfp_dequantize, bfp_quantize, mx_dequantize,
                                     mx_elements, mx_quantize)
from arithbench.models.codec import DETERMINISTIC, decode, encode
from arithbench.models.formats import FloatFormat
from arithbench.models.intmac import int8_mac, int16_fma

SYMMETRIC = ("rne", "rtz", "rna")


@st.composite
def formats(draw, max_bits=12):
    """Any ExMy float format of at most ``max_bits`` bits, with any special-value policy."""
    policy = draw(st.sampled_from(["ieee", "fn", "fnuz", "finite"]))
    e = draw(st.integers(2 if policy == "ieee" else 1, 8))
    m = draw(st.integers(1 if policy == "ieee" else 0, max(1, min(7, max_bits - 1 - e))))
    bias = (1 << (e - 1)) - 1 + (policy == "fnuz")
    return FloatFormat(f"e{e}m{m}{policy}", e, m, bias, policy)


def finite_values(fmt):
    return st.floats(-4 * fmt.max_normal, 4 * fmt.max_normal, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(formats())
def test_decode_then_encode_is_the_identity_on_every_code(fmt):
    codes = np.arange(1 << fmt.bits)
    values = decode(fmt, codes)
    back = encode(fmt, values, "rne")
    nan = np.isnan(values)
    assert np.array_equal(back[~nan], codes[~nan])
    assert np.all(back[nan] == fmt.nan_code)


@settings(max_examples=80, deadline=None)
@given(formats(), st.sampled_from(DETERMINISTIC), st.booleans(), st.data())
def test_rounding_is_monotonic(fmt, rounding, sat, data):
    xs = np.sort(np.array(data.draw(st.lists(finite_values(fmt), min_size=2, max_size=50))))
    ys = decode(fmt, encode(fmt, xs, rounding, sat))
    ys = ys[~np.isnan(ys)]  # overflow to NaN, in formats without inf, is not ordered
    assert np.all(ys[1:] >= ys[:-1])


@settings(max_examples=80, deadline=None)
@given(formats(), st.sampled_from(SYMMETRIC), st.booleans(), st.data())
def test_symmetric_roundings_are_sign_symmetric(fmt, rounding, sat, data):
    xs = np.array(data.draw(st.lists(finite_values(fmt), min_size=1, max_size=50)))
    pos, neg = decode(fmt, encode(fmt, xs, rounding, sat)), decode(fmt, encode(fmt, -xs, rounding, sat))
    both = ~np.isnan(pos) & ~np.isnan(neg)
    assert np.array_equal(pos[both], -neg[both])
    up, down = decode(fmt, encode(fmt, xs, "rup", sat)), decode(fmt, encode(fmt, -xs, "rdn", sat))
    both = ~np.isnan(up) & ~np.isnan(down)
    assert np.array_equal(up[both], -down[both])


@settings(max_examples=60, deadline=None)
@given(formats().filter(lambda f: f.man_bits > 0), st.data())
def test_ties_go_where_the_mode_says(fmt, data):
    """Between two neighbours (the even one has the even code: an even last mantissa bit)."""
    values = np.unique(decode(fmt, np.arange(1 << fmt.bits)))
    values = values[np.isfinite(values) & (values >= 0)]
    i = data.draw(st.integers(0, len(values) - 2))
    lo, hi = values[i], values[i + 1]
    tie = (lo + hi) / 2
    rne = decode(fmt, encode(fmt, np.array([tie]), "rne"))[0]
    lo_code = encode(fmt, np.array([lo]), "rne")[0]
    even = lo if lo_code % 2 == 0 else hi
    assert rne == even
    assert decode(fmt, encode(fmt, np.array([tie]), "rtz"))[0] == lo
    assert decode(fmt, encode(fmt, np.array([tie]), "rna"))[0] == hi
    assert decode(fmt, encode(fmt, np.array([tie]), "rup"))[0] == hi
    assert decode(fmt, encode(fmt, np.array([tie]), "rdn"))[0] == lo


@settings(max_examples=80, deadline=None)
@given(formats(), st.sampled_from(DETERMINISTIC), st.data())
def test_saturation_never_exceeds_the_largest_finite_value(fmt, rounding, data):
    xs = np.array(data.draw(st.lists(st.floats(allow_nan=False), min_size=1, max_size=50)))
    ys = decode(fmt, encode(fmt, xs, rounding, sat=True))
    assert np.all(np.abs(ys) <= fmt.max_normal)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([2, 4, 8, 16, 32]), st.sampled_from([3, 4, 6, 8]), st.sampled_from(["rne", "rtz"]),
       st.integers(-100, 100), st.integers(0, 2**32 - 1))
def test_bfp_round_trip_stays_within_one_step(k, p, rounding, scale, seed):
    fmt = BFPFormat(k, p)
    x = np.random.default_rng(seed).standard_normal((4, k)) * 2.0**scale
    e, m = bfp_quantize(x, fmt, rounding)
    step = np.repeat(np.ldexp(1.0, (e - (p - 2)).astype(np.int32)), k, axis=-1).reshape(x.shape)
    error = np.abs(bfp_dequantize(e, m, fmt).reshape(x.shape) - x)
    # Half a step for rne (a whole one for rtz), and one step more where the block maximum
    # rounded up past the largest mantissa and was clamped.
    assert np.all(error <= step * (0.5 if rounding == "rne" else 1.0) + step * (np.abs(m.reshape(x.shape)) == 2 ** (p - 1) - 1))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(MX_ELEMENTS + ("binary8p3", "binary8p5")), st.integers(-120, 120), st.integers(0, 2**32 - 1))
def test_mx_round_trip_is_nearest_or_saturated(elem, scale, seed):
    x = np.random.default_rng(seed).standard_normal((4, 32)) * 2.0**scale
    s, c = mx_quantize(x.ravel(), elem)
    back = mx_dequantize(s, c, elem).reshape(x.shape)
    scaled = x / np.ldexp(1.0, (s - 127).astype(np.int32))[:, None]
    grid = np.unique(mx_elements(np.arange(1 << mx_element(elem).bits), elem))
    grid = grid[np.isfinite(grid)]
    nearest = np.min(np.abs(scaled[..., None] - grid), axis=-1)
    got = np.abs(back / np.ldexp(1.0, (s - 127).astype(np.int32))[:, None] - scaled)
    assert np.allclose(got, nearest, rtol=0, atol=0)  # no code of the element format is closer


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 0xFFFF), min_size=4, max_size=4), st.integers(0, 2**32 - 1),
       st.integers(0, 0xFF), st.integers(0, 0xFF))
def test_wrap_and_saturate_agree_without_overflow(operands, c, a8, b8):
    args = [np.array([v], np.uint64) for v in operands] + [np.array([c], np.uint64)]
    wrap, wovf = int16_fma(*args, sat=False)
    sat, sovf = int16_fma(*args, sat=True)
    assert wovf[0] == sovf[0]
    if not wovf[0]:
        assert wrap[0] == sat[0]
    wrap, wovf = int8_mac(np.array([a8], np.uint64), np.array([b8], np.uint64), np.array([c], np.uint64))
    sat, _ = int8_mac(np.array([a8], np.uint64), np.array([b8], np.uint64), np.array([c], np.uint64), sat=True)
    assert wovf[0] or wrap[0] == sat[0]
