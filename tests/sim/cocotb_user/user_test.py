"""A user's own cocotb test, as the README shows it: arithbench's model checks their design."""

import cocotb

from arithbench.sim.cocotb_check import check


@cocotb.test()
async def multiplier_matches_arithbench(dut):
    checked = await check(dut, "int_mul", {"width": 8}, ports={"a": "x", "b": "w", "y": "p"}, vectors=1_000)
    assert checked >= 1_000, checked
    dut._log.info("arithbench checked %d vectors", checked)
