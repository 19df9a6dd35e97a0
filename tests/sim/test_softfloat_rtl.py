"""The generated fp_mul RTL against Berkeley SoftFloat directly (no golden model in between).

fp16 and fp32, non-saturating (IEEE overflow), all five rounding modes, on the special-pattern
cross product and the constructed exact ties of ``tests/models/test_softfloat_oracle.py``
(made in ``tests/softfloat_oracle.py``). The RTL is run through
:func:`arithbench.sim.runner.simulate` (Verilator, cached builds under ``build/``).
NaN results: the RTL must give the format's canonical NaN wherever SoftFloat gives a NaN;
every other output must be SoftFloat's code.
"""

from __future__ import annotations

import numpy as np
import pytest

import softfloat_oracle as oracle

from arithbench.catalog import configure
from arithbench.sim.runner import simulate

pytestmark = pytest.mark.sim


@pytest.mark.parametrize("mode", list(oracle.MODES))
@pytest.mark.parametrize("name", ["fp16", "fp32"])
def test_fp_mul_rtl_matches_softfloat(name, mode, build_root):
    a_pat, b_pat, _ = oracle.vectors(name, "patterns")
    a_tie, b_tie, _ = oracle.vectors(name, "ties")
    a, b = np.concatenate([a_pat, a_tie]), np.concatenate([b_pat, b_tie])
    ref = np.concatenate([oracle.softfloat(name, "patterns", mode), oracle.softfloat(name, "ties", mode)])
    config = configure("fp_mul", {"fmt": name, "round": mode, "sat": "false"})
    run = simulate(config, {"a": a.astype(np.uint64), "b": b.astype(np.uint64)}, root=build_root)
    rtl = np.asarray(run.outputs["y"]).astype(np.int64)
    assert rtl.shape == ref.shape
    problems = oracle.compare(name, mode, a, b, rtl, ref)
    assert not problems, "RTL vs SoftFloat:\n" + "\n".join(problems).replace("model=", "rtl=")
