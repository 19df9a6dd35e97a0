"""Golden model of a clocked accumulate unit (``arithbench.rtl.clocked.Accumulating``).

Vector ``i`` is the operand pair of lane ``i % lanes`` at clock ``i // lanes``: each lane is an
independent accumulator fed the vectors assigned to it, in order. Outputs are the registered
values after each clock edge.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def accumulate_stream(step: Callable[[dict], dict], inputs: dict[str, np.ndarray], lanes: int,
                      bound: int = 0) -> dict[str, np.ndarray]:
    """Scan ``step`` (the combinational unit's model: inputs with ``c`` -> outputs with ``y``)."""
    n = len(inputs["valid"])
    steps = -(-n // lanes)
    padded = {k: np.pad(np.asarray(v, np.uint64), (0, steps * lanes - n)) for k, v in inputs.items()}
    acc = np.zeros(lanes, np.uint64)
    count = np.zeros(lanes, np.int64)
    spill = np.zeros(lanes, np.uint64)
    flags: dict[str, np.ndarray] = {}
    record: dict[str, list] = {"y": []}
    if bound:
        record.update(spill=[], spill_valid=[])
    for t in range(steps):
        part = {k: v[t * lanes:(t + 1) * lanes] for k, v in padded.items() if k != "valid"}
        valid = padded["valid"][t * lanes:(t + 1) * lanes] == 1
        out = step({**part, "c": acc})
        for name, value in out.items():
            if name != "y":
                flags[name] = np.where(valid, value, flags.get(name, np.zeros(lanes, np.uint64)))
                record.setdefault(name, [])
        if bound:
            hit = valid & (count == bound - 1)
            spill = np.where(hit, out["y"], spill)
            record["spill_valid"].append(hit.astype(np.uint64))
            acc = np.where(hit, 0, np.where(valid, out["y"], acc)).astype(np.uint64)
            count = np.where(hit, 0, np.where(valid, count + 1, count))
            record["spill"].append(spill)
        else:
            acc = np.where(valid, out["y"], acc).astype(np.uint64)
        record["y"].append(acc)
        for name in flags:
            record[name].append(flags[name])
    return {k: np.concatenate(v)[:n].astype(np.uint64) for k, v in record.items()}


def stream_vectors(comb: dict[str, np.ndarray], seed: int) -> dict[str, np.ndarray]:
    """A clocked unit's vectors from its combinational ones: ``c`` dropped (the register takes
    its place) and ``valid`` high nine times in ten."""
    rng = np.random.default_rng(seed)
    out = {k: v for k, v in comb.items() if k != "c"}
    out["valid"] = (rng.random(len(comb["c"])) < 0.9).astype(np.uint64)
    return out
