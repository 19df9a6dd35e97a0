"""Area of the block quantizer and dequantizer from the standard-cell flow, at k = 1 (the k = 32
and k = 16 figures in the README take minutes each)."""

import pytest

from arithbench.catalog import configure
from arithbench.reports.area import synthesize


@pytest.mark.synth
def test_block_quantizer_and_dequantizer_areas(build_root):
    """The NVFP4 quantizer (an fp32 multiplier and rounder per element, two small dividers) is
    larger than the MX one of the same k; every configuration maps to cells and is timed. The
    dequantizers are W6A16's e3m2 x fp16 and the default e2m1 x E8M0 into bf16, whose product
    has fewer bits than the output: its constant output bits are written one per assignment
    (write_verilog -simple-lhs), which OpenSTA reads."""
    figures = {name: synthesize(configure(unit, params), root=build_root)
             for name, (unit, params) in {"mx": ("block_quant", {"k": "1"}),
                                          "nvfp4": ("block_quant", {"k": "1", "scale": "nvfp4"}),
                                          "dequant": ("dequant", {"k": "1", "elem": "e3m2", "scale": "fp16",
                                                                  "out": "fp16"}),
                                          "narrow": ("dequant", {"k": "1"})}.items()}
    areas = {name: f["area_um2"] for name, f in figures.items()}
    assert all(area > 0 for area in areas.values()) and all(f["delay_ns"] > 0 for f in figures.values()), figures
    assert areas["nvfp4"] > 2 * areas["mx"], areas
