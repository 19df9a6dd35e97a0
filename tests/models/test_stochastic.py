"""Stochastic rounding (``round=sr``) in the models: the same codes as gfloat's
``StochasticFastest`` mode (an independent implementation of "add the random bits below the
LSB, keep the carry"), and the expected value over every random pattern is the input
truncated to ``rbits`` fraction bits."""

import numpy as np
import pytest
from gfloat import RoundMode, round_float
from gfloat.formats import format_info_ocp_e4m3, format_info_ocp_e5m2

from arithbench.models.codec import decode, encode
from arithbench.models.formats import float_format
from arithbench.models.mul import fp_mul

GFLOAT = {"e4m3": format_info_ocp_e4m3, "e5m2": format_info_ocp_e5m2}


@pytest.mark.parametrize("name", ["e4m3", "e5m2"])
@pytest.mark.parametrize("sat", [True, False])
@pytest.mark.parametrize("rbits", [2, 5, 16])
def test_encode_sr_matches_gfloat(name, sat, rbits):
    fmt, info = float_format(name), GFLOAT[name]
    rng = np.random.default_rng(rbits)
    x = rng.standard_normal(3000) * 2.0 ** rng.integers(fmt.emin - fmt.man_bits - 2, fmt.emax + 2, 3000)
    r = rng.integers(0, 1 << rbits, len(x))
    ours = decode(fmt, encode(fmt, x, "sr", sat, r, rbits))
    theirs = np.array([round_float(info, v, RoundMode.StochasticFastest, sat, int(b), rbits) for v, b in zip(x, r)])
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    assert same.all(), [(x[i], r[i], ours[i], theirs[i]) for i in np.flatnonzero(~same)[:5]]


@pytest.mark.parametrize("rbits", [3, 8])
def test_sr_is_unbiased_over_every_random_pattern(rbits):
    fmt = float_format("fp16")
    rng = np.random.default_rng(3)
    x = rng.uniform(1, 2, 200) * rng.choice([-1, 1], 200)
    x = np.round(x * 2**(10 + rbits)) / 2**(10 + rbits)  # rbits bits below fp16's LSB (2**-10 in [1, 2))
    patterns = np.arange(1 << rbits)
    rounded = decode(fmt, encode(fmt, x[:, None], "sr", False, patterns[None, :], rbits))
    assert np.array_equal(rounded.mean(axis=1), x)
    down, up = decode(fmt, encode(fmt, x, "rtz")), decode(fmt, encode(fmt, x, "rtz") + 1)  # magnitude + 1 ulp
    assert np.all((rounded == down[:, None]) | (rounded == up[:, None]))  # one of the two neighbours


def test_sr_overflows_to_inf_only_when_rounded_up_past_max():
    fmt = float_format("fp16")
    x = np.array([65504.0 + 16.0, 65504.0 + 16.0])  # half-way between max and the next step
    y = encode(fmt, x, "sr", False, np.array([0, (1 << 16) - 1]))
    assert y.tolist() == [0x7BFF, fmt.inf_code]


def test_fp_mul_sr_needs_random_bits():
    fmt = float_format("e4m3")
    with pytest.raises(ValueError, match="random bits"):
        fp_mul(fmt, fmt, np.array([0x38]), np.array([0x39]), rounding="sr")
