"""Dynamic Fixed Point: quantization bounds, stochastic rounding, the int16_fma dot product."""

import numpy as np

from arithbench.models import dfp


def test_shared_exponent_never_clips_and_error_is_half_a_step():
    x = np.random.default_rng(2).standard_normal(10_000) * 37.0
    q, e = dfp.quantize(x)
    assert np.max(np.abs(q)) <= dfp.QMAX and np.max(np.abs(q)) > dfp.QMAX // 2
    assert np.max(np.abs(dfp.dequantize(q, e) - x)) <= 2.0 ** (e - 1)


def test_stochastic_rounding_is_unbiased_and_seeded():
    x = np.full(200_000, 0.3) * 2.0**-10
    q1, e = dfp.quantize(x, exponent=-12, rounding="sr", seed=4)
    q2, _ = dfp.quantize(x, exponent=-12, rounding="sr", seed=4)
    assert np.array_equal(q1, q2)
    assert set(np.unique(q1)) == {1, 2}
    assert abs(dfp.dequantize(q1, e).mean() - x[0]) < 0.01 * x[0]


def test_dot_matches_exact_integer_dot_when_nothing_overflows():
    rng = np.random.default_rng(3)
    qx, qy = rng.integers(-300, 300, (5, 63)), rng.integers(-300, 300, (5, 63))
    exact = np.sum(qx * qy, axis=1) * 2.0 ** (-4 + -6)
    assert np.array_equal(dfp.dot(qx, -4, qy, -6), exact)
    assert np.array_equal(dfp.dot(qx, -4, qy, -6, bound=3), exact)


def test_without_a_bound_the_int32_accumulator_wraps():
    q = np.full((1, 64), dfp.QMAX)
    wrapped = dfp.dot(q, 0, q, 0, bound=0)[0]
    spilled = dfp.dot(q, 0, q, 0, bound=1)[0]
    assert spilled == np.float32(64 * dfp.QMAX**2) and wrapped != spilled
