"""The golden models inside your own cocotb test: drive a unit's vectors into your ``dut``,
compare every output with the model.

::

    import cocotb
    from arithbench.sim.cocotb_check import check

    @cocotb.test()
    async def multiplier_matches_arithbench(dut):
        await check(dut, "int_mul", {"width": 8}, ports={"a": "x", "b": "w", "y": "p"})

``check`` drives one vector at a time (combinational designs: set the inputs, wait
``settle_ns``, read the outputs), so it suits a few thousand vectors inside a larger test; for
exhaustive runs use ``arithbench verify --rtl``, which streams lanes through the simulator.
"""

from __future__ import annotations

import numpy as np

from ..catalog import configure
from ..unit import VectorPlan


async def check(dut, unit: str, params: dict | None = None, *, ports: dict[str, str] | None = None,
                vectors: int = 2_000, seed: int = 1, settle_ns: int = 1) -> int:
    """Drive the unit's plan for ``vectors`` (for two-operand units every pair of corner patterns
    first, then ``vectors`` seeded random ones; other units exactly ``vectors``) into ``dut`` and assert
    that every output equals the golden model's; ``ports`` maps the unit's port names to the
    dut's. Returns the number of vectors checked; raises AssertionError at the first mismatch,
    naming the vector, the inputs, and the expected and actual codes."""
    from cocotb.triggers import Timer

    config = configure(unit, {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in (params or {}).items()})
    if config.sequential:
        raise ValueError(f"{config.module_name} has a clock: check() drives combinational designs")
    names = ports or {}
    inputs = config.vectors(VectorPlan(vectors, seed))
    expected = config.model(inputs)
    count = len(next(iter(inputs.values())))
    for i in range(count):
        for name, codes in inputs.items():
            getattr(dut, names.get(name, name)).value = int(np.asarray(codes[i]).item())
        await Timer(settle_ns, "ns")
        for name, codes in expected.items():
            actual = int(getattr(dut, names.get(name, name)).value)
            want = int(np.asarray(codes[i]).item())
            if actual != want:
                shown = ", ".join(f"{names.get(k, k)}={int(v[i]):#x}" for k, v in inputs.items())
                raise AssertionError(f"vector {i}: {shown}: expected {names.get(name, name)}={want:#x}, "
                                     f"got {actual:#x} ({config.describe()})")
    return count
