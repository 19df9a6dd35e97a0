"""Verification: RTL outputs against the golden model, bit for bit, on every vector."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..models.codec import value
from ..unit import UnitConfig, VectorPlan
from .runner import Progress, simulate
from ..rtl.emit import Design, design as own_rtl
from .lanes import default_lanes

#: How many counterexamples a failing run shows.
SHOWN = 5


@dataclass
class Verdict:
    """The outcome of one verification run."""

    module: str
    sim: str
    lanes: int
    vectors: int
    exhaustive: bool
    seed: int
    mismatches: int
    counterexamples: list[dict] = field(default_factory=list)
    sim_seconds: float = 0.0
    wall_seconds: float = 0.0
    build_seconds: float = 0.0
    waves: str | None = None
    only: int | None = None  # the one vector of the plan checked, if only one was
    hint: int | None = None  # a latency at which a failing clocked design would match

    @property
    def passed(self) -> bool:
        return self.mismatches == 0

    @property
    def rate(self) -> float:
        """Vectors per second of simulation (the bench's drive/step/read loop)."""
        return self.vectors / self.sim_seconds if self.sim_seconds else 0.0

    def summary(self) -> str:
        kind = "exhaustive" if self.exhaustive else f"seed {self.seed}"
        lanes = "1 lane" if self.lanes == 1 else f"{self.lanes} lanes"
        status = "PASS" if self.passed else "FAIL"
        what = f"vector {self.only:,} of the plan" if self.only is not None else f"{self.vectors:,} vectors"
        return (f"{status} {self.module} on {self.sim}: {what} ({kind}), "
                f"{self.mismatches:,} mismatches, {self.rate:,.0f} vectors/s "
                f"({lanes}, {self.sim_seconds:.2f} s simulated, {self.wall_seconds:.1f} s wall, "
                f"{f'{self.build_seconds:.1f} s build' if self.build_seconds else 'build cached'})")


def code_at(codes: np.ndarray, i: int) -> int:
    """Vector ``i``'s code as an int (rows of little-endian 64-bit words for wide ports)."""
    row = codes[i]
    if np.ndim(row) == 0:
        return int(row)
    return sum(int(w) << (64 * j) for j, w in enumerate(row))


def _show(fmt, code: int) -> str:
    if fmt is None:
        return f"{code:#x}"
    v = value(fmt, np.array([code], dtype=np.uint64))[0]
    return f"{code:#x} ({float(v)!r})" if isinstance(v, np.floating) else f"{code:#x} ({int(v)})"


def counterexamples(config: UnitConfig, inputs, expected, actual, where: np.ndarray) -> list[dict]:
    """The first failing vectors, with each port as code and decoded value."""
    formats = config.port_formats()
    shown = []
    for i in where[:SHOWN]:
        row = {"index": int(i)}
        for name, codes in inputs.items():
            row[name] = _show(formats.get(name), code_at(codes, i))
        for name in expected:
            row[f"expected {name}"] = _show(formats.get(name), code_at(expected[name], i))
            row[f"actual {name}"] = _show(formats.get(name), code_at(actual[name], i))
        shown.append(row)
    return shown


def mismatches(expected: dict, outputs: dict) -> np.ndarray:
    """Indices of the vectors where any output differs (wide ports: any of their words)."""
    vectors = len(next(iter(outputs.values())))
    bad = np.zeros(vectors, dtype=bool)
    for name, exp in expected.items():
        bad |= (np.asarray(exp, dtype=np.uint64) != outputs[name]).reshape(vectors, -1).any(axis=1)
    return np.flatnonzero(bad)


def verify(config: UnitConfig, *, sim: str = "verilator", count: int | None | str = "default",
           seed: int = 1, lanes: int | None = None, root: Path = Path("build"), waves: bool = False,
           progress: Progress | None = None, inputs: dict | None = None,
           model: Callable[[dict], dict] | None = None, design: Design | None = None) -> Verdict:
    """Simulate ``config`` on its vectors and compare every output with the golden model.

    ``count``: ``"default"`` (the unit's choice), None (exhaustive) or a number of vectors;
    ``inputs``, when given, are that plan's vectors already made.
    ``design`` replaces arithbench's own RTL, e.g. the cell-mapped netlist of the same module or
    the user's design behind its adapter; its simulator builds go under ``root`` as usual.
    ``model`` replaces the golden model (tests use it to plant a wrong one). ``lanes`` None:
    :func:`arithbench.sim.lanes.default_lanes`.
    """
    if lanes is None:
        lanes = default_lanes(list((design or own_rtl(config, Path(root).resolve())).ports))
    if count == "default":
        count = config.default_count()
    if inputs is None:
        inputs = config.vectors(VectorPlan(count, seed))
    expected = model(inputs) if model else config.model(inputs, lanes)
    run = simulate(config, inputs, sim=sim, lanes=lanes, root=root, waves=waves, progress=progress,
                   design=design)
    where = mismatches(expected, run.outputs)
    return Verdict(
        module=config.module_name + (f" ({design.label})" if design is not None and design.label else ""),
        sim=sim, lanes=lanes, vectors=run.vectors,
        exhaustive=count is None, seed=seed, mismatches=len(where),
        counterexamples=counterexamples(config, inputs, expected, run.outputs, where),
        sim_seconds=run.sim_seconds, wall_seconds=run.wall_seconds,
        build_seconds=run.build_seconds, waves=str(run.waves) if run.waves else None,
    )
