"""fp_mul against Berkeley SoftFloat (softfloatpy): an independent IEEE 754 oracle.

``arithbench.models.mul.fp_mul`` (non-saturating, IEEE overflow) must give SoftFloat's
``f16_mul`` / ``f32_mul`` result code for code, in all five rounding modes
(rne/rtz/rna/rup/rdn = SoftFloat near_even/minMag/near_maxMag/max/min), on

* the cross product of a list of special patterns (zeros, subnormal and normal extremes, 1.0,
  significands that make exact ties at the result's LSB, exponents that put products at the
  overflow and underflow boundaries, inf, quiet/signalling/negative NaNs);
* exact ties constructed on purpose (normal, subnormal, carry into the next binade, overflow
  boundary), checked to be ties with NumPy's own float16/float32;
* uniform random code pairs, and random pairs biased to exponents whose product lands in the
  subnormal or overflow range.

NaN results: SoftFloat returns its default NaN (or propagates an operand's payload), the model
its canonical NaN ``float_format(...).nan_code``; both must be NaN and the model's code must be
exactly the canonical NaN. Every other result must be the identical code.

bf16: softfloatpy 1.2.3.post1 has no bf16 arithmetic (only ``bf16_to_f32``, ``f32_to_bf16``
and bf16 classification), so there is no bf16 multiply to compare with: going through
f32/f64 would round twice in bf16's subnormal range, which is not an oracle. bf16 is skipped.

Tininess detection (before/after rounding) changes only SoftFloat's underflow flag, never its
result, so it does not matter here; flags are not compared (fp_mul has none).
"""

from __future__ import annotations

import numpy as np
import pytest
from softfloat_oracle import MODES, VECTORS, as_float, compare, is_nan, softfloat, vectors

from arithbench.models.formats import float_format
from arithbench.models.mul import fp_mul


# -- tests ------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("kind", list(VECTORS))
@pytest.mark.parametrize("name", ["fp16", "fp32"])
def test_fp_mul_matches_softfloat(name, kind, mode):
    fmt = float_format(name)
    a, b, _ = vectors(name, kind)
    ref = softfloat(name, kind, mode)
    ours = fp_mul(fmt, fmt, a, b, rounding=mode, sat=False)
    assert ours.shape == ref.shape
    problems = compare(name, mode, a, b, ours, ref)
    assert not problems, "\n".join(problems)


# -- the vectors do what they claim (else a pass would mean little) ---------------------------
@pytest.mark.parametrize("name", ["fp16", "fp32"])
def test_tie_vectors_are_exact_ties(name):
    """Checked with NumPy's float16/float32 and SoftFloat's rtz and rna results: the exact
    product (float64, exact here) is exactly half-way between them, or rna overflowed."""
    fmt = float_format(name)
    a, b, _ = vectors(name, "ties")
    p = np.abs(as_float(name, a) * as_float(name, b))
    lo = np.abs(as_float(name, softfloat(name, "ties", "rtz")))
    hi = np.abs(as_float(name, softfloat(name, "ties", "rna")))
    over = np.isinf(hi)
    assert np.all((lo < p) & (p < hi)), "a constructed tie is exact or not between rtz and rna"
    assert np.all((p - lo == hi - p) | over), "a constructed pair is not an exact tie"
    assert over.sum() >= 4 and np.all(lo[over] == fmt.max_normal)
    rne = softfloat(name, "ties", "rne")
    assert (rne != softfloat(name, "ties", "rtz")).any() and (rne == softfloat(name, "ties", "rtz")).any()
    assert (lo < fmt.min_normal).sum() > len(p) // 4, "too few subnormal ties"
    assert (lo >= fmt.min_normal).sum() > len(p) // 4, "too few normal ties"
    odd = np.asarray(softfloat(name, "ties", "rtz")) & 1 == 1
    assert odd.sum() > len(p) // 10 and (~odd).sum() > len(p) // 10, "ties of one LSB parity only"
    assert ((lo == 0) & (hi == fmt.min_subnormal)).any(), "no tie between 0 and the min subnormal"
    assert ((hi == fmt.min_normal) & (lo < fmt.min_normal)).any(), "no subnormal-to-normal carry tie"
    assert ((lo >= fmt.min_normal) & (np.frexp(hi)[1] > np.frexp(lo)[1])).any(), "no binade-carry tie"


@pytest.mark.parametrize("name", ["fp16", "fp32"])
def test_patterns_reach_the_boundaries(name):
    """The pattern cross product hits overflow (inf in rne, max in rtz), underflow to zero and
    to the min subnormal, subnormal-to-normal carries, ties, inf x 0 and NaN operands."""
    fmt = float_format(name)
    a, b, _ = vectors(name, "patterns")
    rne, rtz = softfloat(name, "patterns", "rne"), softfloat(name, "patterns", "rtz")
    rup = softfloat(name, "patterns", "rup")
    finite_in = ~np.isinf(as_float(name, a)) & ~np.isinf(as_float(name, b)) & ~is_nan(name, a) & ~is_nan(name, b)
    with np.errstate(invalid="ignore"):
        p = as_float(name, a) * as_float(name, b)

    def mag(codes):
        return np.asarray(codes, np.int64) & ~fmt.sign_mask

    assert (finite_in & (mag(rne) == fmt.inf_code) & (mag(rtz) == fmt.max_code)).any()
    assert (finite_in & (np.abs(p) == fmt.max_normal)).any()
    assert (finite_in & (p != 0) & (mag(rne) == 0)).any()
    assert (finite_in & (p > 0) & (p < fmt.min_subnormal) & (rup == 1)).any()
    assert (finite_in & (np.abs(p) < fmt.min_normal) & (mag(rne) == 1 << fmt.man_bits)).any()
    assert (is_nan(name, rne) & ~is_nan(name, a) & ~is_nan(name, b)).any()  # inf x 0
    assert (is_nan(name, a) | is_nan(name, b)).any()


def test_a_planted_error_is_reported():
    """The comparison is able to fail, and says where."""
    name = "fp16"
    a, b, _ = vectors(name, "patterns")
    ref = softfloat(name, "patterns", "rne")
    ours = fp_mul(float_format(name), float_format(name), a, b, rounding="rtz", sat=False)
    problems = compare(name, "rne", a, b, ours, ref)
    assert problems and "mode=rne" in problems[1] and "softfloat=0x" in problems[1]
    nan_model = ours.copy()
    nan_model[is_nan(name, ref)] = float_format(name).nan_code | 1  # a NaN, but not the canonical one
    assert compare(name, "rne", a, b, nan_model, np.where(is_nan(name, ref), ref, nan_model))
