"""Mutation testing: does a unit's verification catch faults planted in its Verilog?

Each mutant (:mod:`arithbench.sim.mutants`) is first screened on Icarus with a sample of the
unit's default vectors (Icarus builds in about a second, Verilator in 7-100 s); one mismatch
catches it. A mutant the screen misses runs the unit's whole default verification on the
chosen simulator. A mutant that survives that goes to Yosys's SAT solver
(:mod:`arithbench.sim.equivalence`), which proves it equivalent to the original or shows the
input the bench lacked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..files import make_owned_dir, remove_owned
from ..rtl.emit import design
from ..unit import UnitConfig, VectorPlan
from .equivalence import check
from .lanes import default_lanes
from .mutants import Mutant, mutants
from .runner import simulate
from .toolchain import available
from .verify import mismatches

SCREEN_VECTORS = 4096


@dataclass
class MutantResult:
    mutant: Mutant
    outcome: str  # caught | equivalent | survived | undecided
    how: str  # what caught it, or what the solver said
    counterexample: dict = field(default_factory=dict)

    def row(self) -> dict:
        return {"id": self.mutant.id, "kind": self.mutant.kind, "fault": self.mutant.describe(),
                "outcome": self.outcome, "how": self.how, "counterexample": self.counterexample}


@dataclass
class MutationRecord:
    module: str
    sim: str
    vectors: int
    exhaustive: bool
    seed: int
    results: list[MutantResult]

    @property
    def caught(self) -> int:
        return sum(r.outcome == "caught" for r in self.results)

    @property
    def equivalent(self) -> int:
        return sum(r.outcome == "equivalent" for r in self.results)

    @property
    def score(self) -> float:
        """Caught over the mutants not proved equivalent."""
        live = len(self.results) - self.equivalent
        return self.caught / live if live else 1.0

    def summary(self) -> str:
        plan = "exhaustive" if self.exhaustive else f"{self.vectors:,} vectors, seed {self.seed}"
        return (f"{self.module}: {self.caught}/{len(self.results)} mutants caught, {self.equivalent} proved "
                f"equivalent, score {self.score:.1%} of the rest (default verification on {self.sim}: {plan})")

    def as_dict(self) -> dict:
        out = asdict(self)
        out["results"] = [r.row() for r in self.results]
        out.update(caught=self.caught, equivalent_count=self.equivalent, score=self.score)
        return out


def _subset(inputs: dict, index: np.ndarray) -> dict:
    return {name: codes[index] for name, codes in inputs.items()}


def _first_mismatch(expected: dict, outputs: dict, inputs: dict) -> dict | None:
    where = mismatches(expected, outputs)
    if not len(where):
        return None
    i = int(where[0])
    return {name: hex(int(np.asarray(codes[i]).ravel()[0])) if np.ndim(codes[i]) == 0 else
            [hex(int(w)) for w in codes[i]] for name, codes in inputs.items()}


def mutate(config: UnitConfig, *, count: int = 24, seed: int = 1, sim: str = "verilator",
           root: Path = Path("build"), proof_seconds: int = 180,
           log: Callable[[str], None] = print) -> MutationRecord:
    """Make ``count`` mutants of ``config``'s Verilog and run each through its verification;
    survivors go to :func:`arithbench.sim.equivalence.check` with ``proof_seconds`` per pass."""
    root = Path(root).resolve()
    ours = design(config, root)
    v_path = ours.files[0]
    original = v_path.read_text()
    planned = mutants(original, count, seed)
    lanes = default_lanes(list(ours.ports))
    plan = VectorPlan(config.default_count(), seed)
    inputs = config.vectors(plan)
    vectors = len(next(iter(inputs.values())))
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(vectors, min(SCREEN_VECTORS, vectors), replace=False))
    screen_inputs = _subset(inputs, sample)
    screen_expected = config.model(screen_inputs, lanes)
    screen_sim = "icarus" if available("icarus") else sim
    expected = None  # the full run's, computed when a mutant first needs it
    results = []
    for m in planned:
        where = make_owned_dir(root / "mutants" / config.module_name / f"m{m.id:02d}")
        try:  # an interrupted mutant leaves no folder behind
            mutant = ours.with_files(where / v_path.name, label=f"mutant m{m.id:02d}")
            mutant.files[0].write_text(m.apply(original))
            run = simulate(config, screen_inputs, sim=screen_sim, lanes=lanes, root=where, design=mutant)
            bad = _first_mismatch(screen_expected, run.outputs, screen_inputs)
            if bad is not None:
                result = MutantResult(m, "caught", f"screen ({screen_sim}, {len(sample):,} sampled vectors)", bad)
            else:
                if expected is None:
                    expected = config.model(inputs, lanes)
                run = simulate(config, inputs, sim=sim, lanes=lanes, root=where, design=mutant)
                bad = _first_mismatch(expected, run.outputs, inputs)
                if bad is not None:
                    result = MutantResult(m, "caught", f"default verification ({sim}, {vectors:,} vectors)", bad)
                else:
                    proof = check(config.module_name, v_path, mutant.files[0], clocked=config.sequential,
                                  work=where / "equiv", seconds=proof_seconds, outputs=ours.outputs)
                    outcome = {"equivalent": "equivalent", "differs": "survived"}.get(proof.outcome, "undecided")
                    result = MutantResult(m, outcome, proof.detail, {k: hex(v) for k, v in proof.inputs.items()})
        except BaseException:
            remove_owned(where)
            raise
        if result.outcome in ("caught", "equivalent"):
            remove_owned(where)  # survivors keep their builds for inspection
        log(f"  m{m.id:02d} {m.kind:<12} {result.outcome:<10} {m.describe()}")
        results.append(result)
    return MutationRecord(config.module_name, sim, vectors, plan.count is None, seed, results)
