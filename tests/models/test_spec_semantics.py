"""What the specifications fix, case by case: IEEE 754 signed zeros and infinities inside MX dot
products (OCP MX v1.0 defines the dot product on the element values in IEEE arithmetic), and
IEEE overflow by default for IEEE formats. Expected codes come from the spec's text."""

import numpy as np
import pytest

from arithbench.catalog import configure
from arithbench.models.block import BFPFormat, bfp_dot_fp32, join_codes, mx_dot, mx_element
from arithbench.models.formats import float_format

FP32_NEG_ZERO, FP32_POS_INF, FP32_NEG_INF, FP32_NAN = 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000
ONE = {"e4m3": 0x38, "e5m2": 0x3C, "e2m3": 0x08, "e3m2": 0x0C, "e2m1": 0x2, "int8": 0x40}


def block(codes):
    return np.array([codes], dtype=np.int64)


CASES = [
    # (element, a codes, b codes, expected fp32 code)
    *[(e, [1 << (mx_element(e).bits - 1)] * 8, [ONE[e]] * 8, FP32_NEG_ZERO)  # every product -0
      for e in ("e4m3", "e5m2", "e2m3", "e3m2", "e2m1")],
    ("e4m3", [0x80] * 7 + [0x00], [0x38] * 8, 0),  # one +0 product: +0
    ("e4m3", [0x38, 0xB8] + [0x80] * 6, [0x38] * 8, 0),  # 1 - 1 cancels exactly: +0
    ("int8", [0x00] * 8, [0xC0] * 8, FP32_NEG_ZERO),  # 0 x -1 is -0 in IEEE arithmetic
    ("e5m2", [0x7C] + [0] * 7, [0x3C] + [0] * 7, FP32_POS_INF),  # +inf x 1
    ("e5m2", [0x7C] + [0] * 7, [0xBC] + [0] * 7, FP32_NEG_INF),  # +inf x -1
    ("e5m2", [0x7C] + [0x3C] * 7, [0x3C] * 8, FP32_POS_INF),  # inf plus finite
    ("e5m2", [0x7C] + [0] * 7, [0x00] * 8, FP32_NAN),  # inf x 0
    ("e5m2", [0x7C, 0xFC] + [0] * 6, [0x3C, 0x3C] + [0] * 6, FP32_NAN),  # +inf + -inf
    ("e5m2", [0x7D] + [0] * 7, [0x3C] + [0] * 7, FP32_NAN),  # a NaN element
]


@pytest.mark.parametrize("elem,a,b,expected", CASES)
def test_mx_dot_model_follows_ieee_arithmetic_on_the_elements(elem, a, b, expected):
    scale = np.array([0x7F])
    assert int(mx_dot(scale, block(a), scale, block(b), elem)[0]) == expected


def test_a_nan_scale_makes_the_block_nan_even_with_infinite_elements():
    assert int(mx_dot(np.array([0xFF]), block([0x7C] + [0] * 7), np.array([0x7F]), block([0x3C] * 8), "e5m2")[0]) \
        == FP32_NAN


#: Exact zero sums rounded towards negative: -0 unless every product is +0 (IEEE 754 6.3).
RDN_CASES = [
    ("e4m3", [0x38, 0xB8] + [0x00] * 6, [0x38] * 8, FP32_NEG_ZERO),  # 1 - 1
    ("e4m3", [0x80] + [0x00] * 7, [0x38] * 8, FP32_NEG_ZERO),  # -0 + +0
    ("e4m3", [0x00] * 8, [0x38] * 8, 0),  # every product +0
    ("int8", [0x40, 0xC0] + [0] * 6, [0x40] * 8, FP32_NEG_ZERO),  # 1 - 1
]


@pytest.mark.parametrize("elem,a,b,expected", RDN_CASES)
def test_mx_dot_zero_sums_rounded_down_are_negative_unless_every_product_is_positive_zero(elem, a, b, expected):
    scale = np.array([0x7F])
    assert int(mx_dot(scale, block(a), scale, block(b), elem, "rdn")[0]) == expected


@pytest.mark.parametrize("rounding,ma,expected", [("rne", [1, -1], 0), ("rdn", [1, -1], FP32_NEG_ZERO),
                                                  ("rdn", [0, 0], 0), ("rup", [3, -3], 0)])
def test_bfp_dot_zero_sums_are_positive_but_cancellation_rounded_down(rounding, ma, expected):
    fmt = BFPFormat(2, 4)
    e = np.array([0])
    assert int(bfp_dot_fp32(e, np.array([ma]), e, np.array([[1, 1]]), fmt, rounding)[0]) == expected


@pytest.mark.sim
def test_mx_dot_rtl_matches_the_spec_cases(build_root):
    from arithbench.sim.runner import simulate

    for elem in sorted({c[0] for c in CASES}):
        cases = [c for c in CASES if c[0] == elem]
        w = mx_element(elem).bits
        inputs = {"sa": np.full(len(cases), 0x7F, np.uint64), "sb": np.full(len(cases), 0x7F, np.uint64),
                  "a": join_codes(np.array([c[1] for c in cases]), w), "b": join_codes(np.array([c[2] for c in cases]), w)}
        run = simulate(configure("mx_dot", {"elem": elem, "k": "8"}), inputs, lanes=4, root=build_root)
        assert [int(y) for y in run.outputs["y"]] == [c[3] for c in cases], elem
    for elem, a, b, expected in RDN_CASES:
        w = mx_element(elem).bits
        inputs = {"sa": np.array([0x7F], np.uint64), "sb": np.array([0x7F], np.uint64),
                  "a": join_codes(block(a), w), "b": join_codes(block(b), w)}
        run = simulate(configure("mx_dot", {"elem": elem, "k": "8", "round": "rdn"}), inputs, lanes=1,
                       root=build_root)
        assert int(run.outputs["y"][0]) == expected, (elem, a)


@pytest.mark.parametrize("fmt,sat", [("fp16", False), ("bf16", False), ("fp32", False), ("e3m4ieee", False),
                                     ("e4m3", True), ("e5m2", True), ("e4m3fnuz", True), ("e3m2", True)])
def test_ieee_formats_default_to_ieee_overflow_and_ocp_formats_saturate(fmt, sat):
    for unit in ("fp_mul", "lmul"):
        if unit == "lmul" and float_format(fmt).bits > 16:
            continue
        assert configure(unit, {"fmt": fmt}).values["sat"] is sat
    assert configure("fp_mul", {"fmt": fmt, "sat": "true"}).values["sat"] is True


def test_an_ieee_fp16_multiplier_overflows_to_inf():
    config = configure("fp_mul", {"fmt": "fp16"})
    fp16 = float_format("fp16")
    got = config.model({"a": np.array([0x5734], np.uint64), "b": np.array([fp16.inf_code], np.uint64)})["y"]
    assert int(got[0]) == fp16.inf_code  # +115.25 x +inf = +inf, not 0x7bff
