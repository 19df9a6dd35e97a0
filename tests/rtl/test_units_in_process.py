"""Every catalog unit's component against its golden model in an in-process Amaranth simulation
(no Verilog, no simulator build): 100 vectors of each unit's own plan, for its default
configuration, every configuration the report shows and every rounding mode. The fast tier's RTL coverage; the
simulator runs (tests/sim) check the generated Verilog exhaustively or at length."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from arithbench.catalog import configure, shown, units
from arithbench.unit import VectorPlan

VECTORS = 100


def _roundings():
    """Every rounding mode of every unit that takes one (block units at k = 4, bfp_dot with its
    fp32 result): each mode's RTL against the model's."""
    for name, spec in units().items():
        params = {p.name: p for p in spec.parameters()}
        if "round" not in params:
            continue
        small = {"k": "4"} if "k" in params else {}
        for mode in params["round"].choices:
            yield configure(name, {**small, "round": str(mode)})


def _configs():
    configs = {configure(name) for name in units()} | set(shown()) | set(_roundings())
    return sorted(configs, key=lambda c: c.module_name)


def _as_int(codes, i):
    """Vector ``i`` of a port's codes as a Python int (rows of 64-bit words for wide ports)."""
    row = codes[i]
    if np.ndim(row):
        return sum(int(word) << (64 * j) for j, word in enumerate(row))
    return int(row)


@pytest.mark.parametrize("config", _configs(), ids=lambda c: c.module_name)
def test_component_matches_the_model_in_amaranth_sim(config):
    plan = VectorPlan(VECTORS, 3)
    inputs = config.vectors(plan)
    count = len(next(iter(inputs.values())))
    picks = np.random.default_rng(5).choice(count, min(VECTORS, count), replace=False)
    inputs = {k: v[picks] for k, v in inputs.items()}
    expected = config.model(inputs)
    dut = config.component()
    got = {name: [] for name in expected}

    async def bench(ctx):
        for i in range(len(picks)):
            for name, codes in inputs.items():
                ctx.set(getattr(dut, name), _as_int(codes, i))
            for name in expected:
                got[name].append(ctx.get(getattr(dut, name)))

    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
    for name, codes in expected.items():
        want = [_as_int(codes, i) for i in range(len(picks))]
        bad = [i for i in range(len(picks)) if got[name][i] != want[i]]
        assert not bad, (config.module_name, name, [({k: hex(_as_int(v, i)) for k, v in inputs.items()},
                                                      hex(got[name][i]), hex(want[i])) for i in bad[:3]])
