"""The block quantizer (block_quant) and dequantizer (dequant) co-simulated against their
golden models. The quantizer: each scale mode (MX floor, ceil or its other name rceil, even;
NVFP4 with its tensor scale) once on Verilator and once on Icarus, and NVFP4 with the tensor
scale outside (tensor=false), its scale rounded up (cuDNN's rule) and its elements rounded
stochastically, on Verilator. fp16 blocks of one element are exhaustive (NVFP4: crossed with
eleven tensor scales); the others run the unit's plan of N(0,1) blocks, corner codes, blocks on
the scale rules' and the elements' rounding edges and raw codes. Verilator runs 4 lanes: its
builds of these wide datapaths grow with the lanes faster than the runs shrink."""

import pytest

from arithbench.catalog import configure
from arithbench.sim.verify import verify

def _name(p):
    return "-".join(p.values()) if isinstance(p, dict) else str(p)


VERILATOR = [({"fmt": "fp16", "k": "1", "elem": "e4m3", "rule": "floor"}, None),
             ({"k": "2", "elem": "e2m1", "rule": "ceil", "round": "sr", "rbits": "4"}, 30_000),
             ({"fmt": "fp32", "k": "2", "elem": "int8", "rule": "even", "round": "sr", "rbits": "5"}, 30_000),
             ({"fmt": "fp16", "k": "1", "scale": "nvfp4"}, None),
             ({"fmt": "fp32", "k": "2", "scale": "nvfp4", "tensor": "false", "rule": "rup", "round": "sr"}, 30_000)]


@pytest.mark.sim
@pytest.mark.parametrize("params,count", VERILATOR, ids=_name)
def test_block_quant_on_verilator(params, count, build_root):
    verdict = verify(configure("block_quant", params), count=count, lanes=4, root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples
    assert verdict.exhaustive == (count is None) and verdict.vectors >= (count or 65_536)


ICARUS = [({"fmt": "fp16", "k": "2", "elem": "e5m2", "rule": "floor"}, 2_000),
          ({"k": "2", "elem": "int8", "rule": "rceil"}, 2_000),
          ({"fmt": "fp32", "k": "2", "elem": "e3m2", "rule": "even"}, 2_000),
          ({"k": "2", "scale": "nvfp4"}, 600)]


@pytest.mark.sim
@pytest.mark.parametrize("params,count", ICARUS, ids=_name)
def test_block_quant_on_icarus(params, count, build_root):
    verdict = verify(configure("block_quant", params), sim="icarus", count=count, lanes=16, root=build_root)
    assert verdict.vectors == count and verdict.mismatches == 0, verdict.counterexamples


DEQUANT = [("verilator", {"elem": "e2m1", "scale": "e8m0", "out": "bf16", "k": "2"}, None),  # MXFP4 to bf16
           ("verilator", {"elem": "e3m2", "scale": "fp16", "out": "fp16", "k": "4"}, 30_000),  # W6A16
           ("verilator", {"elem": "nf4", "scale": "bf16", "out": "bf16", "k": "4"}, 30_000),  # QLoRA's W4A16
           ("icarus", {"elem": "e2m1", "scale": "e4m3", "out": "fp16", "k": "2"}, 2_000)]  # NVFP4 to fp16


@pytest.mark.sim
@pytest.mark.parametrize("sim,params,count", DEQUANT, ids=_name)
def test_dequant(sim, params, count, build_root):
    """The dequantizer: every pair of e2m1 codes with every E8M0 scale, then random and corner
    codes with fp16 and e4m3 scales (their zeros, infinities and NaN crossed with the elements')."""
    verdict = verify(configure("dequant", params), sim=sim, count=count, lanes=4 if sim == "verilator" else 16,
                     root=build_root)
    assert verdict.mismatches == 0, verdict.counterexamples
    assert verdict.exhaustive == (count is None) and verdict.vectors == (count or 65_536)
