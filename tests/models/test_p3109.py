"""P3109 binary8 formats (signed, extended domain) code by code against gfloat's P3109
definitions: every code's value, and the rounding of values into every format in every
deterministic mode, saturating or not."""

import numpy as np
import pytest
from gfloat import RoundMode, decode_float, encode_float, round_float
from gfloat.formats import format_info_p3109
from gfloat.types import Domain, Signedness

from arithbench.errors import UsageError
from arithbench.models.codec import decode, encode
from arithbench.models.formats import float_format

PRECISIONS = range(1, 8)
MODES = {"rne": RoundMode.TiesToEven, "rtz": RoundMode.TowardZero, "rna": RoundMode.TiesToAway,
         "rup": RoundMode.TowardPositive, "rdn": RoundMode.TowardNegative}


def info(p):
    return format_info_p3109(8, p, Signedness.Signed, Domain.Extended)


@pytest.mark.parametrize("p", PRECISIONS)
def test_every_code_decodes_as_gfloat_says(p):
    fmt, fi = float_format(f"binary8p{p}"), info(p)
    ours = decode(fmt, np.arange(256))
    theirs = np.array([decode_float(fi, c).fval for c in range(256)])
    assert np.array_equal(ours, theirs, equal_nan=True)
    assert fmt.nan_code == 0x80 and fmt.inf_code == 0x7F and not fmt.has_negative_zero


@pytest.mark.parametrize("sat", [False, True])
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("p", PRECISIONS)
def test_rounding_into_p3109_matches_gfloat(p, mode, sat):
    fmt, fi = float_format(f"binary8p{p}"), info(p)
    rng = np.random.default_rng(p)
    finite = decode(fmt, np.arange(256))
    finite = finite[np.isfinite(finite)]
    midpoints = (np.sort(finite)[1:] + np.sort(finite)[:-1]) / 2  # every tie
    x = np.concatenate([midpoints, rng.standard_normal(2000) * 2.0 ** rng.integers(-70, 70, 2000),
                        [0.0, -0.0, np.inf, -np.inf, np.nan, fmt.max_normal * 1.5, -fmt.max_normal * 3,
                         fmt.min_subnormal / 3, -fmt.min_subnormal / 2]])
    ours = encode(fmt, x, mode, sat)
    theirs = np.array([encode_float(fi, round_float(fi, v, MODES[mode], sat)) for v in x])
    bad = np.flatnonzero(ours != theirs)
    assert not len(bad), [(x[i], hex(ours[i]), hex(theirs[i])) for i in bad[:5]]


def test_precision_out_of_range_is_one_clear_error():
    with pytest.raises(UsageError, match="precision must be 1 to 7"):
        float_format("binary8p8")
