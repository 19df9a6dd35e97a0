"""The issue's acceptance runs: exhaustive co-simulation of the 8-bit multipliers."""

import pytest

from arithbench.catalog import configure
from arithbench.sim.verify import verify

#: Kept in the fast tier (`make test-fast`): one multiplier, one MAC, one block unit.
SMOKE = pytest.mark.smoke

CONFIGS = [
    pytest.param("fp_mul", {"fmt": "e4m3", "sat": "true"}, marks=SMOKE),
    ("fp_mul", {"fmt": "e4m3", "sat": "false"}),
    ("fp_mul", {"fmt": "e5m2", "sat": "true"}),
    ("fp_mul", {"fmt": "e5m2", "sat": "false"}),
    ("int_mul", {"width": "8", "signed": "true"}),
    ("int_mul", {"width": "8", "signed": "false"}),
]


@pytest.mark.sim
@pytest.mark.parametrize("sim", ["verilator", "icarus"])
@pytest.mark.parametrize("unit,params", CONFIGS, ids=lambda x: x if isinstance(x, str) else "-".join(x.values()))
def test_exhaustive_8bit(unit, params, sim, build_root):
    verdict = verify(configure(unit, params), sim=sim, root=build_root)
    assert verdict.exhaustive and verdict.vectors == 65536
    assert verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
@pytest.mark.parametrize("fmt", ["bf16", "fp16"])
def test_wide_formats_random_and_corners(fmt, build_root):
    verdict = verify(configure("fp_mul", {"fmt": fmt}), count=200_000, root=build_root)
    assert verdict.vectors >= 200_000 and verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
def test_mixed_formats_and_directed_rounding(build_root):
    verdict = verify(configure("fp_mul", {"fmt": "e4m3", "out": "e5m2", "round": "rup", "sat": "false"}),
                     root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
def test_nan_products_into_a_format_without_nan(build_root):
    """e4m3 NaN (and inf times zero) into e2m1, which has no NaN: +0 in RTL and model alike,
    whatever the product's sign (the model gave -0 before 2026-11-30)."""
    verdict = verify(configure("fp_mul", {"fmt": "e4m3", "out": "e2m1"}), root=build_root)
    assert verdict.exhaustive and verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
def test_stochastic_rounding_exhaustive_over_a_and_b_crossed_with_random_bits(build_root):
    verdict = verify(configure("fp_mul", {"fmt": "e4m3", "round": "sr"}), root=build_root)
    assert verdict.exhaustive and verdict.vectors == 65536 * 12
    assert verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
def test_stochastic_rounding_into_fp16_with_8_random_bits(build_root):
    verdict = verify(configure("fp_mul", {"fmt": "fp16", "round": "sr", "rbits": "8"}), count=100_000,
                     root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples


P3109 = [
    ("fp_mul", {"fmt": "binary8p1"}),
    ("fp_mul", {"fmt": "binary8p3", "round": "rdn", "sat": "true"}),
    ("fp_mul", {"fmt": "e4m3", "out": "binary8p1"}),  # ties to the even code: an exponent's last bit
    ("fp_mul", {"fmt": "binary8p4", "out": "binary8p7", "round": "sr"}),
    ("lmul", {"fmt": "binary8p4"}),
]


@pytest.mark.sim
@pytest.mark.parametrize("unit,params", P3109, ids=lambda x: x if isinstance(x, str) else "-".join(x.values()))
def test_p3109_formats_exhaustive(unit, params, build_root):
    verdict = verify(configure(unit, params), root=build_root)
    assert verdict.exhaustive and verdict.vectors >= 65536
    assert verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
def test_mx_dot_with_p3109_elements(build_root):
    for elem, k in (("binary8p4", "8"), ("binary8p1", "4")):
        verdict = verify(configure("mx_dot", {"elem": elem, "k": k}), count=20_000, root=build_root)
        assert verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
@pytest.mark.parametrize("sim", ["verilator", "icarus"])
@pytest.mark.parametrize("fmt", ["e4m3", "e5m2"])
def test_lmul_exhaustive(fmt, sim, build_root):
    verdict = verify(configure("lmul", {"fmt": fmt}), sim=sim, root=build_root)
    assert verdict.exhaustive and verdict.vectors == 65536
    assert verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
@pytest.mark.parametrize("fmt", ["bf16", "fp16"])
def test_lmul_wide_formats_a_million_vectors(fmt, build_root):
    verdict = verify(configure("lmul", {"fmt": fmt}), root=build_root)
    assert verdict.vectors >= 1_000_000 and verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
def test_lmul_other_policies(build_root):
    for params in ({"fmt": "e5m2", "sub": "raw", "sat": "false"}, {"fmt": "e4m3", "offset": "0", "sat": "false"}):
        verdict = verify(configure("lmul", params), root=build_root)
        assert verdict.mismatches == 0, (params, verdict.counterexamples)


@pytest.mark.sim
@pytest.mark.parametrize("sat", ["false", "true"])
@pytest.mark.parametrize("unit", ["int16_fma", "int8_mac"])
def test_integer_macs_default_vectors_on_verilator(unit, sat, build_root):
    verdict = verify(configure(unit, {"sat": sat}), root=build_root)
    assert verdict.vectors >= 1_000_000 and verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
@pytest.mark.parametrize("sat", ["false", "true"])
@pytest.mark.parametrize("unit", ["int16_fma", "int8_mac"])
def test_integer_macs_on_icarus(unit, sat, build_root):
    verdict = verify(configure(unit, {"sat": sat}), sim="icarus", count=100_000, lanes=256, root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples


FP_MACS = [
    pytest.param("fp8_mac", {"fmt": "e4m3", "acc": "fp32"}, marks=SMOKE),
    ("fp8_mac", {"fmt": "e5m2", "acc": "fp32"}),
    ("fp8_mac", {"fmt": "e4m3", "acc": "fp16"}),
    ("fp8_mac", {"fmt": "e5m2", "acc": "fp16", "sat": "true"}),
    ("lmul_mac", {"fmt": "e4m3", "acc": "fp32"}),
    ("lmul_mac", {"fmt": "e5m2", "acc": "fp16"}),
    ("fp8_mac", {"fmt": "e4m3", "acc": "fp32", "round": "sr"}),  # 16 random bits below fp32's LSB
    ("fp8_mac", {"fmt": "e5m2", "acc": "fp16", "round": "sr", "rbits": "24"}),
    ("lmul_mac", {"fmt": "e4m3", "acc": "fp32", "round": "sr", "rbits": "5"}),
]


@pytest.mark.sim
@pytest.mark.parametrize("unit,params", FP_MACS, ids=lambda x: x if isinstance(x, str) else "-".join(x.values()))
def test_float_macs_every_operand_pair_on_verilator(unit, params, build_root):
    verdict = verify(configure(unit, params), root=build_root)
    assert verdict.vectors >= 65536 * 15 and verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
@pytest.mark.parametrize("unit,params", FP_MACS, ids=lambda x: x if isinstance(x, str) else "-".join(x.values()))
def test_float_macs_on_icarus(unit, params, build_root):
    verdict = verify(configure(unit, params), sim="icarus", count=20_000, lanes=256, root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples


CLOCKED = [
    ("int16_fma", {"clocked": "true", "bound": "16"}),
    ("int16_fma", {"clocked": "true", "sat": "true"}),
    ("int8_mac", {"clocked": "true"}),
    ("int8_mac", {"clocked": "true", "sat": "true"}),
    ("fp8_mac", {"clocked": "true", "fmt": "e4m3", "acc": "fp32"}),
    ("fp8_mac", {"clocked": "true", "fmt": "e5m2", "acc": "fp16"}),
    ("lmul_mac", {"clocked": "true"}),
    ("fp8_mac", {"clocked": "true", "round": "sr"}),
]


@pytest.mark.sim
@pytest.mark.parametrize("sim", ["verilator", "icarus"])
@pytest.mark.parametrize("unit,params", CLOCKED, ids=lambda x: x if isinstance(x, str) else "-".join(x.values()))
def test_clocked_accumulators(unit, params, sim, build_root):
    count = "default" if sim == "verilator" else 20_000
    verdict = verify(configure(unit, params), sim=sim, count=count, lanes=64 if sim == "verilator" else 256,
                     root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
def test_clocked_model_depends_on_lane_dealing_and_a_wrong_one_is_caught(build_root):
    config = configure("int8_mac", {"clocked": "true"})
    verdict = verify(config, count=50_000, model=lambda inputs: config.model(inputs, 32), root=build_root)
    assert verdict.mismatches > 0


MX = [(elem, k) for elem in ("e4m3", "e5m2", "e2m3", "e3m2", "e2m1", "int8") for k in (8, 32)]


@pytest.mark.sim
@pytest.mark.parametrize("elem,k", [(e, k) for e, k in MX if k == 32 or e == "e4m3"])  # k=8: all on Icarus below
def test_mx_dot_every_element_format_on_verilator(elem, k, build_root):
    verdict = verify(configure("mx_dot", {"elem": elem, "k": str(k)}), root=build_root)
    assert verdict.vectors >= 100_000 and verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
@pytest.mark.parametrize("elem,k", MX[::2] + MX[1::4])
def test_mx_dot_on_icarus(elem, k, build_root):
    verdict = verify(configure("mx_dot", {"elem": elem, "k": str(k)}), sim="icarus", count=5_000 if k == 8 else 2_000,
                     root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples


BFP = [({"k": "8", "p": "4", "out": "int"}), ({"k": "32", "p": "8", "out": "fp32"}), ({"k": "16", "p": "4", "out": "fp32"}),
       ({"k": "32", "p": "4", "out": "int"}), ({"k": "16", "p": "4", "out": "fp32", "round": "sr"})]


@pytest.mark.sim
@pytest.mark.parametrize("sim", ["verilator", "icarus"])
@pytest.mark.parametrize("params", BFP, ids=lambda p: "-".join(p.values()))
def test_bfp_dot(params, sim, build_root):
    count = "default" if sim == "verilator" else 10_000
    verdict = verify(configure("bfp_dot", params), sim=sim, count=count, lanes=64 if sim == "verilator" else 256,
                     root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples


BLOCK_EXHAUSTIVE = [pytest.param("mx_dot", {"elem": "e2m1", "k": "2"}, marks=SMOKE), ("bfp_dot", {"k": "2", "p": "4", "out": "int"}),
                    ("bfp_dot", {"k": "2", "p": "4", "out": "fp32"}),
                    ("bfp_dot", {"k": "2", "p": "4", "out": "fp32", "round": "rdn"}),
                    ("mx_dot", {"elem": "e2m1", "k": "2", "round": "rdn"}),
                    ("mx_dot", {"elem": "e2m1", "k": "2", "round": "sr", "rbits": "4"})]


@pytest.mark.sim
@pytest.mark.parametrize("unit,params", BLOCK_EXHAUSTIVE, ids=lambda p: p if isinstance(p, str) else "-".join(p.values()))
def test_small_block_units_exhaustive_on_verilator(unit, params, build_root):
    """k = 2 with 4-bit elements: every element pair, crossed with the unit's listed scales."""
    verdict = verify(configure(unit, params), root=build_root)
    assert verdict.exhaustive and verdict.vectors >= 1 << 16 and verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
def test_small_mx_dot_on_icarus(build_root):
    verdict = verify(configure("mx_dot", {"elem": "e2m1", "k": "2"}), sim="icarus", count=50_000, lanes=256,
                     root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples


QUANT = [{"k": "8", "round": "rne"}, {"k": "8", "round": "rtz"}, {"k": "8", "round": "sr"},
         {"k": "32", "round": "rne"}, {"k": "32", "round": "sr", "p": "4"}, {"k": "8", "fmt": "fp16", "p": "6"}]


@pytest.mark.sim
@pytest.mark.parametrize("params", QUANT, ids=lambda p: "-".join(p.values()))
def test_bfp_quant_on_verilator(params, build_root):
    verdict = verify(configure("bfp_quant", params), root=build_root)
    assert verdict.vectors >= 100_000 and verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
@pytest.mark.parametrize("params", [{"fmt": "e4m3", "k": "2", "round": "rne"}, {"fmt": "e4m3", "k": "2", "round": "sr"},
                                    {"fmt": "e2m1", "k": "2", "round": "sr", "p": "4"}],
                         ids=lambda p: "-".join(p.values()))
def test_bfp_quant_exhaustive_small_blocks(params, build_root):
    verdict = verify(configure("bfp_quant", params), root=build_root)
    assert verdict.exhaustive and verdict.mismatches == 0, verdict.counterexamples


@pytest.mark.sim
@pytest.mark.parametrize("params", [{"k": "8", "round": "sr"}, {"k": "32", "round": "rne"},
                                    {"k": "4", "round": "sr", "rbits": "5"}],  # 5 random bits per element
                         ids=lambda p: "-".join(p.values()))
def test_bfp_quant_on_icarus(params, build_root):
    verdict = verify(configure("bfp_quant", params), sim="icarus", count=2_000, root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples
