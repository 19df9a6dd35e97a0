"""The unit catalog: every unit pairs a golden model, an Amaranth component, its vectors and
its cost description under one set of parameters. Everything else iterates over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from amaranth.lib import wiring

from .errors import UsageError
from .params import STAGES, Param

Inputs = dict[str, np.ndarray]


@dataclass(frozen=True)
class VectorPlan:
    """``count`` None means exhaustive."""

    count: int | None
    seed: int


@dataclass(frozen=True)
class UnitSpec:
    """One catalog entry.

    ``model(cfg, inputs) -> outputs`` and ``vectors(cfg, plan) -> inputs`` work on dicts of
    uint64 code arrays keyed by port name; ``component(cfg)`` builds the Amaranth component;
    ``cfg`` is the dict of resolved parameter values. ``default_vectors(cfg)`` is the plan's
    count when the user gives none (None: exhaustive). ``port_formats(cfg)`` maps port names
    to formats, so counterexamples can show values as well as codes. ``exact(cfg, values)``
    gives the exact result (float64) of decoded input values: the reference of error tables.
    ``block_inputs(cfg, x, y)`` converts two ``(n, macs)`` float64 arrays into the inputs of
    ``n`` operations, for units whose inputs are blocks rather than plain per-port formats.
    ``role`` says how the unit is compared with others (``"multiplier"``: ``y = a*b``;
    ``"mac"``: ``y = c + sum(a_i*b_i)``, chained into dot products; ``"block"``: a dot product
    of two blocks), and ``macs(cfg)`` how many multiply-accumulates one operation does, so
    that costs compare per multiply-accumulate. ``shown`` lists the parameter sets the
    comparison report shows by default, ``studies`` the report's studies the unit calls for
    beyond its role's (``"lmul_error"``; MACs bring the dot-product studies). ``grid(cfg)``, for units whose exhaustive plan is
    every combination of their input codes, gives those inputs' widths, so that sharded runs
    can make any slice of the space (:func:`arithbench.vectors.grid_slice`), or None for
    configurations whose plan is not such a grid.
    """

    name: str
    doc: str
    params: tuple[Param, ...]
    model: Callable[[dict, Inputs], Inputs]
    component: Callable[[dict], wiring.Component]
    vectors: Callable[[dict, VectorPlan], Inputs]
    default_vectors: Callable[[dict], int | None]
    port_formats: Callable[[dict], dict] = lambda cfg: {}
    exact: Callable[[dict, dict], np.ndarray] | None = None
    block_inputs: Callable[[dict, np.ndarray, np.ndarray], dict] | None = None
    role: str | None = None
    macs: Callable[[dict], int] = lambda cfg: 1
    shown: tuple[dict, ...] = ()
    studies: tuple[str, ...] = ()
    costs: dict = field(default_factory=dict)
    check: Callable[[dict], None] | None = None
    grid: Callable[[dict], dict[str, int]] | None = None

    def __post_init__(self):  # every unit can be pipelined
        object.__setattr__(self, "params", (*self.params, STAGES))

    def configure(self, assignments: dict[str, str]) -> "UnitConfig":
        """Resolve ``key=value`` strings against the declared parameters (defaults filled in)."""
        known = {p.name: p for p in self.params}
        for key in assignments:
            if key not in known:
                allowed = ", ".join(known) or "none"
                raise UsageError(f"{self.name} has no parameter {key!r}: its parameters are {allowed}")
        values: dict[str, object] = {}
        for p in self.params:
            if p.name in assignments:
                values[p.name] = p.parse(self.name, assignments[p.name])
            elif p.default_from is not None:
                values[p.name] = values[p.default_from]
            elif p.default_rule is not None:
                values[p.name] = p.default_rule(values)
            else:
                values[p.name] = p.default
        for p in self.params:
            if p.check_values is not None:
                p.check_values(values)
            # Stating the default is harmless (describe() and shards pass every parameter).
            if p.only_with and p.name in assignments and values[p.name] != p.default \
                    and values[p.only_with[0]] != p.only_with[1]:
                key, value = p.only_with
                raise UsageError(f"{self.name}: parameter {p.name} applies only with {key}={value}, "
                                 f"not {key}={values[key]}")
        if self.check is not None:
            self.check(values)
        if values["stages"] and values.get("clocked"):
            raise UsageError(f"{self.name}: stages pipelines the combinational unit; with clocked=true the "
                             "accumulator register is the only stage")
        return UnitConfig(self, tuple(values.items()))


@dataclass(frozen=True)
class UnitConfig:
    """A unit with every parameter fixed: the thing that is generated, simulated and costed."""

    spec: UnitSpec
    items: tuple[tuple[str, object], ...]

    @property
    def values(self) -> dict:
        return dict(self.items)

    @property
    def module_name(self) -> str:
        """Deterministic per configuration, e.g. ``fp_mul_e4m3_rne_sat``."""
        tokens = [self.spec.name]
        values = self.values
        for p in self.spec.params:
            v = values[p.name]
            if p.default_from is not None and v == values[p.default_from]:
                continue
            if p.quiet_default and v == p.default:
                continue
            if p.kind == "bool":
                tokens.append(p.choices[int(v)] if p.choices else (p.name if v else f"no{p.name}"))
            elif p.kind == "int":
                tokens.append(f"{p.name}{v}")
            else:
                tokens.append(str(v))
        return "_".join(tokens)

    @property
    def clocked(self) -> bool:
        """An accumulating unit: a register holds the sum of a stream (its model is the stream's)."""
        return bool(self.values.get("clocked"))

    @property
    def stages(self) -> int:
        """Pipeline register stages: outputs appear this many cycles after their inputs."""
        return self.values["stages"]

    @property
    def sequential(self) -> bool:
        """Has a clock and reset (``clk``, ``rst``): accumulating or pipelined."""
        return self.clocked or self.stages > 0

    def component(self) -> wiring.Component:
        if self.clocked:
            from .rtl.clocked import Accumulating

            comb = self.spec.component(self.values)
            return Accumulating(comb, self.values.get("bound", 0))
        if self.stages:
            from .rtl.pipelined import Pipelined

            return Pipelined(self.spec.component(self.values), self.stages)
        return self.spec.component(self.values)

    def ports(self) -> list[dict]:
        """``[{"name", "dir", "width"}]`` of the generated module."""
        from .rtl.emit import ports

        component = self.component()
        component._MustUse__silence = True  # built for its signature only: no unused-elaboratable warning
        described = ports(component)
        if self.sequential:
            described = [{"name": "clk", "dir": "in", "width": 1}, {"name": "rst", "dir": "in", "width": 1}] + described
        return described

    def model(self, inputs: Inputs, lanes: int = 1) -> Inputs:
        """Golden outputs; a clocked unit's depend on how vectors are dealt to ``lanes``. A
        combinational unit's model runs on :data:`MODEL_CHUNK` vectors at a time, so that its
        temporaries stay in the CPU caches (three to five times faster on 2**24 vectors)."""
        if self.clocked:
            from .models.stream import accumulate_stream

            return accumulate_stream(lambda v: self.spec.model(self.values, v), inputs, lanes,
                                     self.values.get("bound", 0))
        count = len(next(iter(inputs.values())))
        if count <= MODEL_CHUNK:
            return self.spec.model(self.values, inputs)
        parts = [self.spec.model(self.values, {k: v[start:start + MODEL_CHUNK] for k, v in inputs.items()})
                 for start in range(0, count, MODEL_CHUNK)]
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}

    def vectors(self, plan: VectorPlan) -> Inputs:
        if self.clocked:
            from .models.stream import stream_vectors

            return stream_vectors(self.spec.vectors(self.values, plan), plan.seed)
        return self.spec.vectors(self.values, plan)

    def port_formats(self) -> dict:
        return self.spec.port_formats(self.values)

    def grid(self) -> dict[str, int] | None:
        """Input widths when the exhaustive plan is every combination of the input codes (see
        ``UnitSpec.grid``), else None."""
        return None if self.spec.grid is None or self.clocked else self.spec.grid(self.values)

    def macs(self) -> int:
        """Multiply-accumulates per operation (a block dot product of k elements does k)."""
        return self.spec.macs(self.values)

    def default_count(self) -> int | None:
        return self.spec.default_vectors(self.values)

    def assignments(self) -> dict[str, str]:
        """Every parameter as text: ``configure(spec.name, assignments())`` makes this again."""
        return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in self.items}

    def describe(self) -> str:
        """The unit and its parameters as ``arithbench verify`` arguments."""
        return f"{self.spec.name} " + " ".join(f"-p {k}={v}" for k, v in self.assignments().items())

    def __reduce__(self):
        """Pickled as its name and parameters (the spec holds functions), for worker processes."""
        return configure, (self.spec.name, self.assignments())


#: Vectors per call of a combinational unit's model (see :meth:`UnitConfig.model`).
MODEL_CHUNK = 1 << 15

_UNITS: dict[str, UnitSpec] = {}


def register(spec: UnitSpec) -> UnitSpec:
    _UNITS[spec.name] = spec
    return spec


def units() -> dict[str, UnitSpec]:
    from . import units as _  # noqa: F401  (registers the entries)
    return dict(_UNITS)


def unit(name: str) -> UnitSpec:
    catalog = units()
    if name not in catalog:
        raise UsageError(f"unknown unit {name!r}: choose one of {', '.join(catalog)} (see `arithbench units`)")
    return catalog[name]


def configure(name: str, assignments: dict[str, str] | None = None) -> UnitConfig:
    return unit(name).configure(assignments or {})


#: Comparison roles, in the order reports show them.
ROLES = ("multiplier", "mac", "block")


def shown() -> list[UnitConfig]:
    """The configurations the comparison report shows by default, multipliers first, then MACs
    and block units."""
    specs = sorted((s for s in units().values() if s.shown), key=lambda s: ROLES.index(s.role))
    return [s.configure(params) for s in specs for params in s.shown]
