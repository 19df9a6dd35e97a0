"""The block dequantizer unit's golden model (dequant: k element codes times one scale, each
rounded once to fp16, bf16 or fp32) against ml_dtypes' decoding (NF4: the published table)
and numpy's and ml_dtypes' rounding casts, on hand-worked W4A16/W6A16 cases, and its
component in process."""

import ml_dtypes
import numpy as np
import pytest
from amaranth.sim import Simulator

from arithbench.catalog import configure
from arithbench.errors import UsageError
from arithbench.models.block import split_codes
from arithbench.models.formats import NF4
from arithbench.unit import VectorPlan

DTYPES = {"e2m1": ml_dtypes.float4_e2m1fn, "e2m3": ml_dtypes.float6_e2m3fn, "e3m2": ml_dtypes.float6_e3m2fn,
          "e4m3": ml_dtypes.float8_e4m3fn, "e5m2": ml_dtypes.float8_e5m2, "e8m0": ml_dtypes.float8_e8m0fnu,
          "fp16": np.float16, "bf16": ml_dtypes.bfloat16, "fp32": np.float32}


def _unit(**params):
    return configure("dequant", {k: str(v) for k, v in params.items()})


def _values(codes, name):
    """Codes to float64 by ml_dtypes (MXINT8: the two's complement code over 64)."""
    codes = np.asarray(codes, np.int64)
    if name == "nf4":  # the published table, as float32 values
        return np.array(NF4.values, np.float32).astype(np.float64)[codes]
    if name == "int8":
        return codes.astype(np.uint8).view(np.int8).astype(np.float64) / 64
    dtype = np.dtype(DTYPES[name])
    return codes.astype({1: np.uint8, 2: np.uint16, 4: np.uint32}[dtype.itemsize]).view(dtype).astype(np.float64)


CONFIGS = [dict(elem="e2m1", scale="e8m0", out="bf16"), dict(elem="e3m2", scale="fp16", out="fp16"),
           dict(elem="e2m3", scale="bf16", out="bf16"), dict(elem="e2m1", scale="e4m3", out="fp16"),
           dict(elem="e5m2", scale="e8m0", out="fp16"), dict(elem="int8", scale="fp16", out="fp32"),
           dict(elem="e4m3", scale="e8m0", out="fp32"), dict(elem="nf4", scale="fp16", out="fp16"),
           dict(elem="nf4", scale="bf16", out="bf16")]


@pytest.mark.parametrize("params", CONFIGS, ids=lambda p: "-".join(p.values()))
def test_the_model_is_ml_dtypes_product_cast_once(params):
    """The planned vectors: elements and scale decoded by ml_dtypes, multiplied in float64
    (exact), cast to the output type (round to nearest even, overflow to inf)."""
    config = _unit(k=4, **params)
    inputs = config.vectors(VectorPlan(4000, 5))
    got = split_codes(config.model(inputs)["y"], config.out.bits, 4)
    with np.errstate(invalid="ignore", over="ignore"):
        product = _values(split_codes(inputs["q"], config.element_bits, 4), config.elem) * \
            _values(inputs["s"], config.scale)[:, None]
        want = product.astype(DTYPES[config.out.name])
    got_values = _values(got, config.out.name)
    same = (got_values == want.astype(np.float64)) & (np.signbit(got_values) == np.signbit(want))
    assert np.all(same | (np.isnan(got_values) & np.isnan(want.astype(np.float64)))), params


def test_w4a16_and_w6a16_cases_by_hand():
    """e2m1 3.0 (0x5) under E8M0 2**-3 (124) is 0.375 in bf16 (0x3EC0); e3m2 1.75 (0x0F) times
    the fp16 group scale 0.1 (0x2E66 = 0.0999755859375) is 0.174957275390625, which rounds to
    fp16's 0.1749267578125 (0x3199; the neighbour 0.175048828125 is farther); NaN scale: NaN;
    NF4 code 12 (0.44070982933044434) times the fp16 scale 3 (0x4200) is 1.322129487991333,
    1353.86 steps of 2**-10 above 0: fp16's 1 + 330 * 2**-10 (0x3D4A)."""
    y = _unit(k=1, elem="e2m1", scale="e8m0", out="bf16").model({"q": np.array([5], np.uint64),
                                                                   "s": np.array([124], np.uint64)})["y"]
    assert int(y[0]) == 0x3EC0
    y = _unit(k=1, elem="e3m2", scale="fp16", out="fp16").model({"q": np.array([0x0F, 0x0F], np.uint64),
                                                                   "s": np.array([0x2E66, 0x7E00], np.uint64)})["y"]
    assert int(y[0]) == 0x3199 and int(y[1]) == 0x7E00
    y = _unit(k=1, elem="nf4", scale="fp16", out="fp16").model({"q": np.array([12], np.uint64),
                                                                  "s": np.array([0x4200], np.uint64)})["y"]
    assert int(y[0]) == 0x3D4A


@pytest.mark.parametrize("params", [dict(elem="int4"), dict(scale="fp32"), dict(out="e4m3")],
                         ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()))
def test_refusals(params):
    with pytest.raises(UsageError):
        _unit(**params)


@pytest.mark.parametrize("params", [dict(elem="e3m2", scale="fp16", out="fp16", round="sr", rbits=3),
                                    dict(elem="int8", scale="e4m3", out="bf16", round="rtz", sat="true")],
                         ids=lambda p: "-".join(str(v) for v in p.values()))
def test_component_matches_the_model_in_amaranth_sim(params):
    config = _unit(k=2, **params)
    inputs = config.vectors(VectorPlan(200, 4))
    expected = config.model(inputs)["y"]
    dut = config.component()
    got = []

    async def bench(ctx):
        for i in range(200):
            for name, codes in inputs.items():
                ctx.set(getattr(dut, name), int(codes[i]))
            got.append(ctx.get(dut.y))

    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
    assert got == [int(c) for c in expected]
