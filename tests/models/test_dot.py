"""The dot-product unit's golden model against its definition: hand-computed cases (window edge,
cancellation, signed zeros, inf x 0, scales) and an independent reference in exact fractions,
rounded by NumPy's and ml_dtypes' float conversions."""

from fractions import Fraction
from math import floor

import ml_dtypes
import numpy as np
import pytest

from arithbench.catalog import configure
from arithbench.unit import VectorPlan
from arithbench.errors import UsageError
from arithbench.models.block import join_codes, split_codes
from arithbench.models.codec import decode, encode, int_value
from arithbench.models.dot import INT_ELEMENTS, dot, element, exact_width
from arithbench.models.formats import NF4, float_format
from arithbench.models.rounding import Mode, Rounding

FP32 = float_format("fp32")


def codes(fmt, values):
    return encode(float_format(fmt), np.array(values, np.float64), Mode.RNE, False)


def run(a, b, c, fmt="e4m3", acc="fp32", **kw):
    """The model on one vector of values (a and b: k values each), decoded."""
    y = dot(codes(fmt, [a]), codes(fmt, [b]), encode(float_format(acc), np.array([c], np.float64)),
            a_fmt=fmt, b_fmt=fmt, acc=acc, **kw)
    return decode(float_format(acc), y)[0]


# -- hand-computed cases --------------------------------------------------------------------

def test_exact_sum_rounds_once():
    # 1 + 2**-24 + 2**-24 in fp32: each alone would round away, together they make 2**-23.
    assert run([1.0, 2.0 ** -12, 2.0 ** -12], [1.0, 2.0 ** -12, 2.0 ** -12], 0.0, fmt="fp16") == 1 + 2.0 ** -23


def test_window_keeps_w_bits_below_the_largest_term():
    # Largest term 3 (E = 1); W = 3 keeps multiples of 2**-1: 0.375 -> 0 (trunc), 0.5 stays.
    assert run([3.0, 0.375], [1.0, 1.0], 0.0, window=3) == 3.0
    assert run([3.0, 0.5], [1.0, 1.0], 0.0, window=3) == 3.5
    assert run([3.0, 0.375], [1.0, 1.0], 0.0, window=3, align="rne") == 3.5  # 0.75 quanta rounds up
    assert run([3.0, 0.25], [1.0, 1.0], 0.0, window=3, align="rne") == 3.0  # a tie goes to the even multiple (0)
    assert run([3.0, 0.75], [1.0, 1.0], 0.0, window=3, align="rne") == 4.0  # 1.5 quanta: a tie, up to 2


def test_the_readmes_worked_example():
    """README, "Dot products": terms 3, 3*2**-7, -1, 3*2**-8 and c = 0.5; W = 8 keeps multiples
    of 2**-6 below E = 1."""
    a, b = [1.5, 0.375, -2.0, 0.01171875], [2.0, 0.0625, 0.5, 1.0]
    assert run(a, b, 0.5) == 2.53515625
    assert run(a, b, 0.5, window=8) == 2.515625  # 1.5 and 0.75 quanta truncate to 1 and 0
    assert run(a, b, 0.5, window=8, align="rne") == 2.546875  # 1.5 ties to 2, 0.75 rounds to 1


def test_window_edge_one_bit_either_side():
    # E = 0 (the term 1); W = 8: quantum 2**-7. A term of exactly 2**-7 stays, 2**-8 is dropped.
    assert run([1.0, 2.0 ** -7], [1.0, 1.0], 0.0, window=8) == 1 + 2.0 ** -7
    assert run([1.0, 2.0 ** -8], [1.0, 1.0], 0.0, window=8) == 1.0
    assert run([1.0, 2.0 ** -6], [1.0, 1.0], 0.0, window=8) == 1 + 2.0 ** -6


def test_truncation_is_towards_zero_for_negative_terms():
    # -(2**-7 + 2**-9) loses 2**-9 towards zero: 1 - 2**-7.
    assert run([1.0, -(2.0 ** -7 + 2.0 ** -9)], [1.0, 1.0], 0.0, window=8) == 1 - 2.0 ** -7


def test_accumulator_is_a_term_of_the_window():
    # c = 2**10 dominates: E = 10, W = 8 keeps multiples of 2**3; the products (1 + 1) are dropped.
    assert run([1.0, 1.0], [1.0, 1.0], 1024.0, window=8) == 1024.0
    assert run([1.0, 1.0], [1.0, 1.0], 1024.0) == 1026.0


def test_cancellation_and_signed_zeros():
    assert np.signbit(run([1.0, -1.0], [1.0, 1.0], 0.0)) == False  # noqa: E712  (+0: non-zero terms cancel)
    assert np.signbit(run([1.0, -1.0], [1.0, 1.0], 0.0, rounding=Rounding(Mode.RDN)))  # -0 rounding down
    assert np.signbit(run([-0.0, 0.0], [1.0, -1.0], -0.0))  # every term -0: -0
    assert not np.signbit(run([-0.0, 0.0], [1.0, 1.0], -0.0))  # a +0 among them: +0
    assert np.signbit(run([-0.0, 0.0], [1.0, 1.0], 0.0, rounding=Rounding(Mode.RDN)))  # rdn: any -0 gives -0
    assert not np.signbit(run([1.0, -1.0], [1.0, 1.0], -0.0, window=4))  # cancelling terms with c = -0: +0


def test_special_values():
    assert np.isnan(run([np.inf, 1.0], [0.0, 1.0], 0.0, fmt="e5m2"))  # inf x 0
    assert np.isnan(run([np.inf, np.inf], [1.0, -1.0], 0.0, fmt="e5m2"))  # inf - inf
    assert np.isnan(run([np.inf, 1.0], [1.0, 1.0], -np.inf, fmt="e5m2"))  # inf + c = -inf
    assert run([np.inf, 1.0], [-1.0, 1.0], 5.0, fmt="e5m2") == -np.inf
    assert run([np.inf, 1.0], [-1.0, 1.0], 5.0, fmt="e5m2", sat=True) == -FP32.max_normal
    assert np.isnan(run([1.0, 1.0], [1.0, 1.0], np.nan))


def test_mx_scales_and_nan_scale():
    a, b = codes("e4m3", [[1.5, 2.0]]), codes("e4m3", [[2.0, 0.25]])  # 3 + 0.5
    c = encode(FP32, np.array([0.0]))
    y = dot(a, b, c, a_fmt="e4m3", b_fmt="e4m3", acc="fp32", scale="mx", sa=np.array([130]), sb=np.array([125]))
    assert decode(FP32, y)[0] == 3.5 * 2.0 ** (3 - 2)
    y = dot(a, b, c, a_fmt="e4m3", b_fmt="e4m3", acc="fp32", scale="mx", sa=np.array([255]), sb=np.array([127]))
    assert np.isnan(decode(FP32, y)[0])


def test_mxint8_elements_are_steps_of_a_64th():
    y = dot(np.array([[64, 32]]), np.array([[64, 0xC0]]), encode(FP32, np.array([0.0])), a_fmt="int8",
            b_fmt="int8", acc="fp32", scale="mx", sa=np.array([127]), sb=np.array([127]))
    assert decode(FP32, y)[0] == 1.0 * 1.0 + 0.5 * -1.0


def test_nvfp4_scales_multiply_and_a_zero_scale_gives_zero():
    a, b = codes("e2m1", [[6.0, 0.5]]), codes("e2m1", [[1.5, -3.0]])  # 9 - 1.5
    c = encode(FP32, np.array([0.0]))
    scales = encode(float_format("e4m3"), np.array([0.75, -0.0]))
    y = dot(a, b, c, a_fmt="e2m1", b_fmt="e2m1", acc="fp32", scale="nvfp4", sa=scales[:1], sb=scales[:1])
    assert decode(FP32, y)[0] == 7.5 * 0.75 * 0.75
    y = dot(a, b, c, a_fmt="e2m1", b_fmt="e2m1", acc="fp32", scale="nvfp4", sa=scales[:1], sb=scales[1:])
    assert decode(FP32, y)[0] == 0.0  # terms +-0 of mixed signs with c = +0: +0


def test_integer_accumulator_wraps_or_saturates():
    a = np.array([[0x7F, 0x80]])  # 127, -128
    b = np.array([[0x7F, 0x80]])
    c = np.array([0x7FFFFFFF])
    for sat, expected in ((False, (0x7FFFFFFF + 127 * 127 + 128 * 128) & 0xFFFFFFFF), (True, 0x7FFFFFFF)):
        assert dot(a, b, c, a_fmt="int8", b_fmt="int8", acc="int32", sat=sat)[0] == expected


def test_exact_width():
    e4m3 = element("e4m3")
    # 448 = 14 * 2**5 and the smallest step is 2**-9: 448 is 229,376 steps; 4 products of 2**-18 steps.
    assert e4m3.largest_steps == 448 * 2 ** 9
    assert exact_width(e4m3, e4m3, 4) == (4 * (448 * 2 ** 9) ** 2).bit_length()
    assert exact_width(element("int4"), element("int4"), 1) == 7  # (-8)(-8) = 64
    # NF4's smallest non-zero magnitude, 0.0795802995... as a float32, lies in [2**-4, 2**-3):
    # its LSB, 2**-27, is the element's step, and 1.0 is 2**27 steps.
    nf4 = element("nf4")
    assert (nf4.lsb_exp, nf4.largest_steps, nf4.sig_bits) == (-27, 2 ** 27, 24)


def test_nf4_elements_are_the_tables_float32_values():
    """Codes 0 (-1.0) and 8 (the table's 0.0795802995...) times e4m3 1.5 and 1.0, plus c = 0.25:
    the exact sum rounded once to fp32; code 7 is the table's 0.0 and gives a signed zero sum."""
    b = encode(float_format("e4m3"), np.array([[1.5, 1.0]]))
    c = encode(FP32, np.array([0.25]))
    y = dot(np.array([[0, 8]]), b, c, a_fmt="nf4", b_fmt="e4m3", acc="fp32")
    exact = Fraction(-3, 2) + Fraction(float(np.float32(0.07958029955625534))) + Fraction(1, 4)
    assert Fraction(float(exact)) == exact  # 28 significant bits: a float64 holds the sum exactly
    assert decode(FP32, y)[0] == np.float32(float(exact))  # so this is the one rounding to fp32
    zero = dot(np.array([[7, 7]]), b, encode(FP32, np.array([-0.0])), a_fmt="nf4", b_fmt="e4m3", acc="fp32")
    assert zero[0] == 0  # +0 * 1.5 + +0 * 1.0 + -0 = +0 under RNE


# -- an independent reference: exact fractions ------------------------------------------------

def _fraction_value(fmt: str, code: int, scale: str) -> tuple[Fraction | float, float]:
    """The value as a fraction (a float when not finite), and as a float (which keeps -0)."""
    if fmt in INT_ELEMENTS:
        v = int(int_value(INT_ELEMENTS[fmt], np.array([code]))[0])
        exact = Fraction(v, 64) if scale == "mx" and fmt == "int8" else Fraction(v)
        return exact, float(exact)
    if fmt == "e8m0":
        return (float("nan"), float("nan")) if code == 255 else (Fraction(2) ** (code - 127), 2.0 ** (code - 127))
    if fmt == "nf4":  # the published table's value, a float32
        x = float(np.float32(NF4.values[code]))
        return Fraction(x), x
    x = float(decode(float_format(fmt), np.array([code]))[0])
    return (x if not np.isfinite(x) else Fraction(x)), x


def _to_float64_odd(s: Fraction) -> float:
    """``s`` rounded to 53 bits by round-to-odd: converting that once more (RNE, to 24 bits or
    fewer) gives the correctly rounded ``s``."""
    if s == 0:
        return 0.0
    m = abs(s)
    e = floor(m.numerator.bit_length() - m.denominator.bit_length())
    while Fraction(2) ** e > m:
        e -= 1
    while Fraction(2) ** (e + 1) <= m:
        e += 1
    scaled = m * Fraction(2) ** (52 - e)
    n = floor(scaled)
    if n != scaled:
        n |= 1
    return float(n * Fraction(2) ** (e - 52)) * (1 if s > 0 else -1)


def reference(cfg, v) -> np.ndarray:
    """``y`` by the definition's text, on fractions, for round-to-nearest-even units."""
    wa, wb = cfg.widths
    a, b = split_codes(v["a"], wa, cfg.k), split_codes(v["b"], wb, cfg.k)
    acc = float_format(cfg.acc)
    to_acc = {"fp32": np.float32, "fp16": np.float16, "bf16": ml_dtypes.bfloat16}[cfg.acc]
    out = []
    for i in range(len(a)):
        terms, signs = [], []
        (sa, fsa), (sb, fsb) = (Fraction(1), 1.0), (Fraction(1), 1.0)
        if cfg.scale != "none":
            fmt = "e8m0" if cfg.scale == "mx" else "e4m3"
            (sa, fsa), (sb, fsb) = (_fraction_value(fmt, int(v[s][i]), cfg.scale) for s in ("sa", "sb"))
        for j in range(cfg.k):
            (x, fx), (y, fy) = (_fraction_value(cfg.a, int(a[i, j]), cfg.scale),
                                _fraction_value(cfg.b, int(b[i, j]), cfg.scale))
            with np.errstate(invalid="ignore", over="ignore"):
                signs.append(np.signbit(fx * fy * fsa * fsb))  # IEEE signs of zeros
                terms.append(x * y * sa * sb if all(isinstance(t, Fraction) for t in (x, y, sa, sb))
                             else float(x) * float(y) * float(sa) * float(sb))
        c = float(decode(acc, np.array([v["c"][i]]))[0])
        values = terms + [Fraction(c) if np.isfinite(c) else c]
        floats = [t for t in values if isinstance(t, float)]
        if floats:
            total = sum(floats)  # NaN and infinities: IEEE arithmetic on them
            if cfg.sat and np.isinf(total):
                total = np.sign(total) * acc.max_normal
            out.append(to_acc(total))
            continue
        if cfg.sum == "window":
            live = [t for t in values if t != 0]
            if live:
                e = max(floor(abs(t).numerator.bit_length() - abs(t).denominator.bit_length()) for t in live)
                e = max(x for x in range(e - 2, e + 3) if Fraction(2) ** x <= max(abs(t) for t in live))
                q = Fraction(2) ** (e - cfg.window + 1)
                cut = []
                for t in values:
                    n = abs(t) / q
                    kept = floor(n)
                    if cfg.align == "rne" and (n - kept > Fraction(1, 2) or (n - kept == Fraction(1, 2) and kept % 2)):
                        kept += 1
                    cut.append(kept * q * (1 if t >= 0 else -1))
                values = cut
        total = sum(values, Fraction(0))
        if total == 0:
            all_zero = all(t == 0 for t in [*terms, Fraction(c)])
            y = -0.0 if all_zero and all([*signs, np.signbit(c)]) else 0.0
        else:
            y = _to_float64_odd(total)
        with np.errstate(over="ignore"):
            rounded = to_acc(y)
        if cfg.sat and np.isinf(rounded):
            rounded = to_acc(np.sign(y) * acc.max_normal)
        out.append(rounded)
    return np.array([np.asarray(x, to_acc).view(np.uint16 if acc.bits == 16 else np.uint32) for x in out],
                    np.uint64)


CONFIGS = [
    {"a": "e4m3", "k": "4"},
    {"a": "e4m3", "k": "4", "sum": "window", "window": "10"},
    {"a": "e4m3", "k": "8", "sum": "window", "window": "20", "align": "rne"},
    {"a": "e2m1", "b": "e4m3", "k": "16", "sum": "window", "window": "24"},
    {"a": "e2m1", "k": "16", "scale": "nvfp4"},
    {"a": "e2m1", "k": "8", "scale": "nvfp4", "sum": "window", "window": "12"},
    {"a": "e5m2", "b": "e4m3", "k": "4", "scale": "mx", "acc": "bf16"},
    {"a": "int8", "b": "e2m3", "k": "4", "scale": "mx", "acc": "fp16", "sum": "window", "window": "9"},
    {"a": "int4", "b": "e4m3", "k": "2", "acc": "fp16", "sat": "true"},
    {"a": "fp16", "k": "2", "sum": "window", "window": "30"},
    {"a": "binary8p3", "b": "e4m3fnuz", "k": "3"},
    {"a": "nf4", "b": "e4m3", "k": "8"},
    {"a": "nf4", "k": "4", "acc": "bf16", "sum": "window", "window": "20"},
    {"a": "fp16", "b": "nf4", "k": "2", "sum": "window", "window": "16", "align": "rne"},
]


@pytest.mark.parametrize("params", CONFIGS, ids=lambda p: " ".join(f"{k}={v}" for k, v in p.items()))
def test_model_agrees_with_exact_fractions(params):
    cfg = configure("dot", params)
    v = cfg.make_vectors(VectorPlan(400, 3))
    y = cfg.compute(v)["y"]
    expected = reference(cfg, v)
    acc = float_format(cfg.acc)
    nan = np.isnan(decode(acc, expected))
    assert np.isnan(decode(acc, y))[nan].all()
    bad = np.flatnonzero((y != expected) & ~nan)
    assert not len(bad), f"{len(bad)} differ, first at {bad[0]}: model {y[bad[0]]:#x}, fractions {expected[bad[0]]:#x}"


def test_vectors_reach_the_window_edge_and_cancel():
    """The random plan's edge, cancellation and signed-zero kinds do what they say: some vectors
    lose terms to the window, and some sum to exactly zero, as +0 and as -0."""
    cfg = configure("dot", {"a": "e4m3", "k": "4", "sum": "window", "window": "10"})
    exact = configure("dot", {"a": "e4m3", "k": "4"})
    v = cfg.make_vectors(VectorPlan(2000, 1))
    windowed, full = cfg.compute(v)["y"], exact.compute(v)["y"]
    assert (windowed != full).mean() > 0.05
    assert (decode(FP32, full) == 0).mean() > 0.02
    assert (full == 0x80000000).mean() > 0.01 and (full == 0).mean() > 0.01  # zero sums of both signs


@pytest.mark.parametrize("params,message", [
    ({"a": "e4m3", "acc": "int32"}, "acc=int32 takes integer elements"),
    ({"a": "e4m3", "scale": "nvfp4"}, "scale=nvfp4 takes e2m1 elements"),
    ({"a": "e2m1", "scale": "nvfp4", "k": "32"}, "k must be a divisor of 16"),
    ({"a": "e2m1", "scale": "mx", "k": "12"}, "k must be a divisor of 32"),
    ({"a": "int4", "scale": "mx"}, "scale=mx takes MX elements"),
    ({"a": "nf4", "scale": "mx"}, "scale=mx takes MX elements"),
    ({"a": "nf4", "b": "int8", "acc": "int32"}, "acc=int32 takes integer elements"),
    ({"k": "65"}, "k must be 1 to 64"),
    ({"sum": "window", "window": "0"}, "window must be 1 to"),
    ({"sum": "window", "window": "500"}, "window must be 1 to"),
    ({"align": "rne"}, "applies only with sum=window"),
    ({"window": "8"}, "applies only with sum=window"),
    ({"a": "bf16"}, "needs"),
    ({"a": "e8m0"}, "signed float format"),
    ({"a": "int8", "round": "rtz"}, "never rounds"),
])
def test_bad_configurations_get_one_line(params, message):
    with pytest.raises(UsageError, match=message) as err:
        configure("dot", params)
    assert "\n" not in str(err.value)
