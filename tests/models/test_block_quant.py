"""The block quantizer unit's golden model (block_quant: MX by four scale rules, NVFP4 with a
tensor scale) against an exact reference written here with fractions, gfloat's MX block
quantization (floor rule), a float32 emulation of torchao's NVFP4 recipe and hand-worked
blocks; and its refusals. Its component is checked against it in tests/sim/test_quant_units.py
and, in process, by tests/rtl/test_units_in_process.py."""

import math
from fractions import Fraction

import gfloat
import gfloat.formats as gf
import ml_dtypes
import numpy as np
import pytest
from gfloat.block import compute_scale_amax

from arithbench.catalog import configure
from arithbench.errors import UsageError
from arithbench.models.block import (join_codes, mx_dequantize, mx_element, mx_scale_exponent,
                                     nvfp4_quantize, nvfp4_quantize_scaled, split_codes)
from arithbench.models.codec import decode, encode
from arithbench.models.formats import float_format
from arithbench.unit import VectorPlan

GFLOAT_MX = {"e4m3": gf.format_info_mxfp8_e4m3, "e5m2": gf.format_info_mxfp8_e5m2, "e2m3": gf.format_info_mxfp6_e2m3,
             "e3m2": gf.format_info_mxfp6_e3m2, "e2m1": gf.format_info_mxfp4_e2m1, "int8": gf.format_info_mxint8}
FP32, E4M3, E2M1 = float_format("fp32"), float_format("e4m3"), float_format("e2m1")


def _unit(**params):
    return configure("block_quant", {k: str(v) for k, v in params.items()})


def _run(config, x, t=None):
    """The unit's model on rows of input values (and NVFP4 tensor scales): (scale codes, (n, k) element codes)."""
    x = np.atleast_2d(np.asarray(x, np.float64))
    inputs = {"x": join_codes(encode(config.fmt, x), config.fmt.bits)}
    if t is not None:
        inputs["t"] = encode(FP32, np.broadcast_to(np.asarray(t, np.float64), len(x))).astype(np.uint64)
    out = config.model(inputs)
    return out["s"].astype(np.int64), split_codes(out["q"], config.element_bits, config.k)


# -- an exact reference ----------------------------------------------------------------------

def _nearest(value: Fraction, grid: list[tuple[Fraction, int]]) -> int:
    """The code of ``grid``'s (value, code) nearest to ``value`` (non-negative), ties to the even
    code; beyond the last value, the last (saturation)."""
    best = min(grid, key=lambda vc: (abs(vc[0] - value), vc[1] % 2))
    return best[1]


def _grid(elem: str) -> list[tuple[Fraction, int]]:
    """(value, code) of the element format's non-negative finite values (MXINT8: integers in
    steps of 2**-6, ties to even integers)."""
    if elem == "int8":
        return [(Fraction(i, 64), i) for i in range(129)]
    codes = range(1 << (float_format(elem).bits - 1))
    return [(Fraction(float(v)), c) for c, v in zip(codes, decode(float_format(elem), np.array(codes)))
            if np.isfinite(v)]


def _log2_floor(v: Fraction) -> int:
    e = v.numerator.bit_length() - v.denominator.bit_length()
    return e if v >= Fraction(2) ** e else e - 1


def _mx_reference(row: np.ndarray, elem: str, rule: str) -> tuple[int, list[int]]:
    """OCP MX v1.0 conversion of one block, from the definitions, in exact arithmetic."""
    element, bits = mx_element(elem), mx_element(elem).bits
    if not np.all(np.isfinite(row)):
        return 0xFF, [0] * len(row)
    amax = max(abs(Fraction(float(v))) for v in row)
    if amax == 0:
        x = -127
    elif rule == "floor":
        x = _log2_floor(amax) - element.emax
    elif rule in ("ceil", "rceil"):
        x = _log2_floor(amax / Fraction(element.largest))
        x += Fraction(2) ** x < amax / Fraction(element.largest)  # the smallest power of two >= the ratio
    else:  # even: amax to the element's mantissa bits, half up, then floor
        e = _log2_floor(amax)
        quantum = Fraction(2) ** (e - element.man_bits)
        x = _log2_floor(math.floor(amax / quantum + Fraction(1, 2)) * quantum) - element.emax
    x = min(max(x, -127), 127)
    grid, codes = _grid(elem), []
    for v in row:
        p = Fraction(float(v)) / Fraction(2) ** x
        magnitude = _nearest(abs(p), grid)
        negative = math.copysign(1.0, v) < 0
        if elem == "int8":
            magnitude = min(magnitude, 128 if negative else 127)
            codes.append((-magnitude if negative else magnitude) & 0xFF)
        else:
            codes.append(magnitude | (1 << (bits - 1)) * negative)
    return x + 127, codes


def _nvfp4_reference(row: np.ndarray, t: float, scale_rounding: str = "rne") -> tuple[int, list[int]]:
    """NVFP4 of one block, from the definition: y = x * t in IEEE float32 arithmetic (numpy's
    multiply), then the nearest e4m3 to amax/6 (``rup``: the smallest e4m3 at or above it;
    saturating), the nearest e2m1 to y / scale."""
    with np.errstate(invalid="ignore", over="ignore"):
        y = np.float32(row.astype(np.float32)) * np.float32(t)
    if np.any(np.isnan(y)):
        return 0x7F, [0] * len(row)
    scales = [(Fraction(float(v)), c) for c, v in enumerate(decode(E4M3, np.arange(0x7F)))]
    amax = max(abs(float(v)) for v in y)
    if math.isinf(amax):
        scale = 0x7E
    elif scale_rounding == "rup":
        scale = min((c for v, c in scales if v >= Fraction(amax) / 6), default=0x7E)
    else:
        scale = _nearest(Fraction(amax) / 6, scales)
    divisor = Fraction(float(decode(E4M3, scale)))
    if divisor == 0:
        return scale, [0] * len(row)
    grid, codes = _grid("e2m1"), []
    for v in y:
        magnitude = 7 if math.isinf(v) else _nearest(abs(Fraction(float(v))) / divisor, grid)
        codes.append(magnitude | 8 * (math.copysign(1.0, v) < 0))
    return scale, codes


CONFIGS = [dict(elem="e4m3", rule="floor"), dict(elem="e2m1", rule="ceil", fmt="fp16"),
           dict(elem="e5m2", rule="even", fmt="fp32"), dict(elem="int8", rule="rceil"),
           dict(elem="e3m2", rule="even"), dict(elem="e2m3", rule="ceil", fmt="fp32"),
           dict(elem="int8", rule="floor", fmt="fp16"), dict(scale="nvfp4"), dict(scale="nvfp4", fmt="fp32"),
           dict(scale="nvfp4", fmt="fp16", rule="rup"), dict(scale="nvfp4", tensor="false", fmt="fp32"),
           dict(scale="nvfp4", tensor="false", rule="rup")]


@pytest.mark.parametrize("params", CONFIGS, ids=lambda p: "-".join(p.values()))
def test_the_model_is_the_exact_definition_on_the_planned_vectors(params):
    """The unit's own vectors (N(0,1) blocks, corners, scale-rule and tie edges, raw codes;
    NVFP4 with its tensor scales) through the model and through the fraction reference."""
    config = _unit(k=4, **params)
    inputs = config.vectors(VectorPlan(400, 11))
    out = config.model(inputs)
    rows = decode(config.fmt, split_codes(inputs["x"], config.fmt.bits, 4))
    codes = split_codes(out["q"], config.element_bits, 4)
    for i, row in enumerate(rows):
        if config.scale == "nvfp4":
            want = _nvfp4_reference(row, float(decode(FP32, inputs["t"][i])) if "t" in inputs else 1.0, config.rule)
        else:
            want = _mx_reference(row, config.elem, config.rule)
        assert (int(out["s"][i]), codes[i].tolist()) == (want[0], want[1]), (params, row, i)


def test_rceil_is_ceil_and_both_are_the_smallest_unsaturating_power_of_two():
    rng = np.random.default_rng(3)
    for elem in ("e4m3", "e5m2", "e2m3", "e3m2", "e2m1", "int8"):
        largest = mx_element(elem).largest
        peaks = np.concatenate([rng.uniform(1, 2, 300) * 2.0 ** rng.integers(-120, 120, 300),
                                largest * 2.0 ** np.arange(-5, 5)]).astype(np.float32).astype(np.float64)
        peaks = np.concatenate([peaks, np.nextafter(peaks.astype(np.float32), np.float32(np.inf)).astype(np.float64)])
        rceil, ceil = mx_scale_exponent(peaks, elem, "rceil"), mx_scale_exponent(peaks, elem, "ceil")
        assert np.array_equal(rceil, ceil), elem
        assert np.all(peaks / 2.0**rceil <= largest) and np.all(peaks / 2.0 ** (rceil - 1) > largest)


@pytest.mark.parametrize("elem", list(GFLOAT_MX))
def test_floor_blocks_match_gfloat(elem):
    config = _unit(elem=elem, k=8)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((300, 8)) * 2.0 ** rng.integers(-60, 60, (300, 1))
    x[0], x[1, 3], x[2] = 0.0, 3e4, 2.0**-128
    x = decode(config.fmt, encode(config.fmt, x))  # bf16 values
    scales, codes = _run(config, x)
    ours = mx_dequantize(scales[:, None], codes[:, None], elem).reshape(x.shape)
    for row, got in zip(x, ours):
        ref = np.asarray(gfloat.quantize_block(GFLOAT_MX[elem], row, compute_scale_amax), np.float64)
        assert np.array_equal(got, ref), (elem, row)


def test_the_scale_rules_on_a_hand_worked_block():
    """bf16 blocks (k = 4) into e4m3: amax 480 = 1.875 * 2**8 and 504 = 1.96875 * 2**8.
    floor: X = 8 - 8 = 0 (480 saturates to 448, 0x7E; -3 is 0xC4, 0.5 0x30); ceil and rceil:
    480 / 448 = 1.07 rounds up to 2**1 (240 = 1.875 * 2**7 is 0x77, -1.5 0xBC, 0.25 0x28); even:
    1.875 keeps its 3 mantissa bits (X = 0), 1.96875 rounds up to 2 (X = 1)."""
    block = [480.0, -3.0, 0.5, 0.0]
    expect = {"floor": (127, [0x7E, 0xC4, 0x30, 0]), "ceil": (128, [0x77, 0xBC, 0x28, 0]),
              "rceil": (128, [0x77, 0xBC, 0x28, 0]), "even": (127, [0x7E, 0xC4, 0x30, 0])}
    for rule, (scale, codes) in expect.items():
        got = _run(_unit(k=4, rule=rule), block)
        assert (got[0][0], got[1][0].tolist()) == (scale, codes), rule
    assert _run(_unit(k=4, rule="even"), [504.0, 0, 0, 0])[0][0] == 128
    assert _run(_unit(k=4, rule="floor"), [504.0, 0, 0, 0])[0][0] == 127


def test_nvfp4_on_a_hand_worked_block():
    """amax 5: 5/6 = 0.8333 is nearest to e4m3's 0.8125 (0x35; 0.875 is farther); the elements
    over 0.8125: 5 -> 6.15, saturates to 6 (7); 1 -> 1.23, to 1 (2); -2.5 -> -3.08, to -3 (0xD);
    0.2 -> 0.246, to 0 (0); 0.4 -> 0.49, to 0.5 (1); the rest zero. With the tensor scale
    t = 2**-3 the same block an eighth as large gets the scale 0.8125 / 8 (0x1D), the same
    elements; t = 3 (not a power of two) makes y = 3x, amax 15: 2.5 is e4m3 (0x42), and
    3 / 2.5 = 1.2 -> 1 (2), 0.6 / 2.5 = 0.24 -> 0, 1.2 / 2.5 = 0.48 -> 0.5 (1), -7.5 / 2.5 = -3."""
    config = _unit(scale="nvfp4", k=16)
    block = [5.0, 1.0, -2.5, 0.2, 0.4] + [0.0] * 11
    elements = [7, 2, 0xD, 0, 1] + [0] * 11
    for t, scale in ((1.0, 0x35), (0.125, 0x1D), (3.0, 0x42)):
        got = _run(config, block, t)
        assert (got[0][0], got[1][0].tolist()) == (scale, elements), t
    assert float(decode(E4M3, 0x35)) == 0.8125 and float(decode(E4M3, 0x42)) == 2.5
    # rup (cuDNN): 5/6 rounds up to 0.875 (0x36), so 5 -> 5.71 -> 6 no longer saturates; 1 -> 1.14
    # -> 1; -2.5 -> -2.86 -> -3; 0.2 -> 0.23 -> 0; 0.4 -> 0.46 -> 0.5.
    got = _run(_unit(scale="nvfp4", k=16, rule="rup"), block, 1.0)
    assert (got[0][0], got[1][0].tolist()) == (0x36, elements)


def _torchao_nvfp4(x: np.ndarray, per_tensor_scale: float | None) -> tuple[np.ndarray, np.ndarray]:
    """torchao's ``_nvfp4_quantize`` (torchao.prototype.mx_formats.nvfp4_tensor) step by step in
    float32: block scale amax / 6, divided by the tensor scale, clamped to [2**-6, 448], cast to
    e4m3 (RNE); elements x / (tensor scale * e4m3 scale), clamped to +-6, cast to e2m1 (RNE)."""
    x = x.astype(np.float32)
    block_scale = np.max(np.abs(x), axis=-1) / np.float32(6.0)
    if per_tensor_scale is not None:
        block_scale = block_scale / np.float32(per_tensor_scale)
    scale = np.clip(block_scale, np.float32(2.0**-6), np.float32(448.0)).astype(ml_dtypes.float8_e4m3fn)
    total = scale.astype(np.float32) * np.float32(1.0 if per_tensor_scale is None else per_tensor_scale)
    data = np.clip(x / total[:, None], np.float32(-6), np.float32(6))
    return scale.view(np.uint8).astype(np.int64), data.astype(ml_dtypes.float4_e2m1fn).view(np.uint8).astype(np.int64)


@pytest.mark.parametrize("per_tensor", [None, 2.0**-5, 2.0**3])
def test_nvfp4_is_torchaos_recipe_for_power_of_two_tensor_scales(per_tensor):
    """With a power-of-two tensor scale (and none), the unit's one fp32 rounding of x * t and
    torchao's divisions give the same codes, except where torchao clamps a block scale up to
    2**-6 (blocks whose amax / 6 is below it are left out here)."""
    config = _unit(scale="nvfp4", k=16)
    rng = np.random.default_rng(4)
    scale = 1.0 if per_tensor is None else per_tensor
    x = rng.standard_normal((400, 16)) * 2.0 ** rng.integers(-3, 6, (400, 1)) * scale
    # amax 4.5: the block scale 0.75, and every e2m1 tie under it
    ties = np.array([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5])
    x[0, :] = 0.75 * scale * np.concatenate([[6], ties, -ties, [0]])
    x = decode(config.fmt, encode(config.fmt, x))
    keep = np.max(np.abs(x), axis=1) / 6 / scale >= 2.0**-6
    want = _torchao_nvfp4(x[keep], per_tensor)
    got = _run(config, x[keep], 1.0 / scale)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert keep.mean() > 0.9


def test_nvfp4_with_tensor_scale_one_is_nvfp4_quantize():
    rng = np.random.default_rng(9)
    x = decode(float_format("bf16"), encode(float_format("bf16"), rng.standard_normal(16 * 50) * 40))
    assert all(np.array_equal(a, b) for a, b in zip(nvfp4_quantize_scaled(x, 1.0), nvfp4_quantize(x)))


def test_nvfp4_specials():
    """NaN anywhere (or 0 x inf from the tensor scale): scale NaN 0x7F, elements +0; an infinite
    element: scale 448 (0x7E), +-6 for it; a block whose scale rounds to zero: +0 elements."""
    config = _unit(scale="nvfp4", k=4)
    cases = [([1.0, np.nan, 2.0, -3.0], 1.0, 0x7F, [0, 0, 0, 0]),
             ([0.0, 1.0, 2.0, -3.0], np.inf, 0x7F, [0, 0, 0, 0]),
             ([-np.inf, 1.0, 2.0, -3.0], 1.0, 0x7E, [0xF, 0, 0, 0x8]),
             ([2.0**-12, -2.0**-12, 0.0, 0.0], 1.0, 0x00, [0, 0, 0, 0]),
             ([-0.0, 6.0, 0.0, -6.0], 1.0, 0x38, [0x8, 0x7, 0x0, 0xF])]
    for block, t, scale, codes in cases:
        got = _run(config, block, t)
        assert (got[0][0], got[1][0].tolist()) == (scale, codes), block


def test_mx_specials_and_mxint8():
    """A NaN or inf element: the NaN scale 0xFF and zero elements; an all-zero block: 2**-127;
    MXINT8 saturates at 127/64 and reaches -2 (0x80)."""
    config = _unit(k=4, elem="int8")
    assert _run(config, [1.0, np.inf, 0, 0])[0][0] == 0xFF and not _run(config, [1.0, np.nan, 0, 0])[1].any()
    assert _run(config, [0.0, -0.0, 0, 0])[0][0] == 0
    # amax 2: X = 1; 1.9921875 (bf16's 1.99) / 2 * 64 = 63.75 rounds to 64.
    scale, codes = _run(config, [-2.0, 1.99, 1.0, -1.0])
    assert scale[0] == 128 and codes[0].tolist() == [0xC0, 64, 32, 0xE0]
    # amax 1.9921875: X = 0; +-127.5 round to +-128 (even): -128 is a code, 128 saturates to 127.
    scale, codes = _run(config, [-1.99, 1.99, 0.5, 0])
    assert scale[0] == 127 and codes[0].tolist() == [0x80, 0x7F, 32, 0]


@pytest.mark.parametrize("params", [dict(scale="nvfp4", elem="e4m3"), dict(scale="nvfp4", k=32),
                                    dict(scale="nvfp4", rule="ceil"), dict(rule="rup"), dict(tensor="false"),
                                    dict(fmt="e4m3"), dict(elem="binary8p3"), dict(rule="up")],
                         ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()))
def test_refusals(params):
    with pytest.raises(UsageError):
        _unit(**params)
