"""Rounding as a value: the mode and, for stochastic rounding, how many random bits it takes.

One value travels from a unit's parameters to its golden model, its RTL, its vectors and its
cost description; each asks it what differs per mode (is it stochastic, which random-bit port,
which vectors, which extra operation) instead of comparing names. What a mode *does* is
written twice and apart, as co-simulation needs: :func:`arithbench.models.codec.rounds_up` (the
decision :func:`~arithbench.models.codec.round_shift` takes) for the models and
:func:`arithbench.rtl.float_logic.round_increment` for the RTL. Each side derives the overflow
direction from its decision, as HardFloat does: a value beyond max goes to infinity exactly when
the mode rounds up a magnitude with its guard and sticky bits set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

#: Random bits per stochastic rounding, unless a unit's ``rbits`` says otherwise.
SR_BITS = 16
#: The random bits a stochastic rounding may take.
RBITS_RANGE = (2, 24)
#: Offset from a run's seed of the random bits' generator, so that they are not drawn from the
#: same stream as the operands.
RANDOM_SEED_OFFSET = 7


class Mode(StrEnum):
    """A rounding mode; equal to its name (``Mode.RNE == "rne"``)."""

    RNE = "rne"  # to nearest, ties to even
    RTZ = "rtz"  # towards zero
    RNA = "rna"  # to nearest, ties away from zero
    RUP = "rup"  # towards +inf
    RDN = "rdn"  # towards -inf
    SR = "sr"  # stochastic: random bits added below the last kept bit, the carry kept


@dataclass(frozen=True)
class Rounding:
    """A mode and its random bits per rounding (``rbits``; 0 for the deterministic modes)."""

    mode: Mode
    rbits: int = 0

    def __post_init__(self):
        object.__setattr__(self, "mode", Mode(self.mode))
        low, high = RBITS_RANGE
        if self.stochastic and not low <= self.rbits <= high:
            raise ValueError(f"stochastic rounding takes {low} to {high} random bits, not {self.rbits}")
        if not self.stochastic and self.rbits:
            raise ValueError(f"{self.mode} rounding takes no random bits")

    @classmethod
    def of(cls, mode: str, rbits: int = SR_BITS) -> "Rounding":
        """``mode`` with ``rbits`` random bits if it is stochastic (``rbits`` is ignored otherwise)."""
        mode = Mode(mode)
        return cls(mode, rbits if mode is Mode.SR else 0)

    @property
    def stochastic(self) -> bool:
        return self.mode is Mode.SR

    def __str__(self) -> str:
        return str(self.mode)

    def ports(self) -> dict[str, int]:
        """Input ports the rounding adds, name to width: ``r`` for stochastic rounding."""
        return {"r": self.rbits} if self.stochastic else {}

    def random(self, inputs: dict) -> np.ndarray | None:
        """The random bits among a unit's ``inputs`` (None for a deterministic mode)."""
        return inputs["r"] if self.stochastic else None

    def ops(self, count: int = 1) -> list[tuple[str, int]]:
        """Reference operations the rounding adds for ``count`` roundings: the random-bit add."""
        return [("int_add", self.rbits)] * count if self.stochastic else []

    def corners(self) -> np.ndarray:
        """Random-bit patterns that decide stochastic rounding at its edges: never round up a
        non-zero fraction (0), round up only the largest fractions (1), the halves, and round up
        any non-zero fraction (all ones)."""
        half = 1 << (self.rbits - 1)
        return np.array(sorted({0, 1, half - 1, half, half + 1, (1 << self.rbits) - 1}), dtype=np.uint64)

    def with_random_bits(self, inputs: dict[str, np.ndarray], exhaustive_plan: bool,
                         seed: int) -> dict[str, np.ndarray]:
        """``inputs`` plus the random-bit port for a stochastic rounding (unchanged otherwise). An
        exhaustive plan repeats every vector with each of :meth:`corners` and as many seeded
        uniform patterns (every input code meets every edge of the rounding); otherwise each
        vector gets a corner pattern or a seeded uniform one, with even odds."""
        if not self.stochastic:
            return inputs
        n = len(next(iter(inputs.values())))
        rng = np.random.default_rng(seed + RANDOM_SEED_OFFSET)
        corners = self.corners()
        if not exhaustive_plan:
            uniform = rng.integers(0, 1 << self.rbits, n, dtype=np.uint64)
            corner = corners[rng.integers(0, len(corners), n)]
            return {**inputs, "r": np.where(rng.random(n) < 0.5, corner, uniform)}
        patterns = np.concatenate([corners, rng.integers(0, 1 << self.rbits, len(corners), dtype=np.uint64)])
        out = {k: np.repeat(v, len(patterns)) for k, v in inputs.items()}
        out["r"] = np.tile(patterns, n)
        return out


#: Every mode's name, in order.
MODES: tuple[str, ...] = tuple(m.value for m in Mode)
#: The deterministic modes' names.
DETERMINISTIC: tuple[str, ...] = tuple(m.value for m in Mode if m is not Mode.SR)
