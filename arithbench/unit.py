"""What a unit is: the base class every unit derives from (:class:`UnitConfig`), the vector plan
it answers (:class:`VectorPlan`) and :func:`register`, which checks a class's contract and adds it
to the registry. Unit modules import this module, never :mod:`arithbench.catalog`, which imports
them to find them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable, ClassVar

import numpy as np
from amaranth.lib import wiring

from .checks import MAX_VECTORS_ONE_PROCESS
from .errors import UsageError
from .models.formats import float_format
from .models.rounding import RANDOM_SEED_OFFSET, SR_BITS, Rounding
from .params import STAGES, Param

Inputs = dict[str, np.ndarray]


@dataclass(frozen=True)
class VectorPlan:
    """``count`` None means exhaustive."""

    count: int | None
    seed: int


class UnitConfig(ABC):
    """A unit with every parameter fixed: the thing that is generated, simulated and costed.

    Each catalog unit is a subclass, registered with :func:`register`, that declares its
    ``name``, ``doc`` and ``params`` and implements :meth:`compute` (the golden model of one
    combinational step, on dicts of uint64 code arrays keyed by port name), :meth:`circuit`
    (its Amaranth component), :meth:`make_vectors` and :meth:`default_count`. An instance holds
    the resolved parameters as typed attributes (``self.fmt`` is a FloatFormat for a format
    parameter, ``self.k`` an int, ``self.sat`` a bool), made by :meth:`configure`, the one
    place they are parsed and checked; :meth:`check` adds checks across parameters.

    Optional parts: ``role`` says how the unit is compared with others (``"multiplier"``:
    ``y = a*b``; ``"mac"``: ``y = c + sum(a_i*b_i)``, chained into dot products; ``"block"``: a
    dot product of two blocks), :meth:`macs` how many multiply-accumulates one operation does,
    so that costs compare per multiply-accumulate. ``shown`` lists the parameter sets the
    comparison report shows by default, ``studies`` the report's studies the unit calls for
    beyond its role's (``"lmul_error"``; MACs bring the dot-product studies). :meth:`exact`
    gives the exact result (float64) of decoded input values, the reference of error tables;
    :meth:`block_inputs` converts two ``(n, macs)`` float64 arrays into the inputs of ``n``
    operations, for units whose inputs are blocks; :meth:`port_formats` maps port names to
    formats, so counterexamples show values as well as codes; :meth:`grid` gives the input
    widths when the exhaustive plan is every combination of the input codes, so that sharded
    runs can make any slice of the space (:func:`arithbench.vectors.grid_slice`); :meth:`ops`
    describes the unit as reference operations for the energy model. Units without an exact
    reference or block inputs leave ``exact`` or ``block_inputs`` None.
    """

    name: ClassVar[str]
    doc: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()
    role: ClassVar[str | None] = None
    shown: ClassVar[tuple[dict, ...]] = ()
    studies: ClassVar[tuple[str, ...]] = ()
    exact: ClassVar[Callable | None] = None
    block_inputs: ClassVar[Callable | None] = None
    #: Units with the ``clocked`` parameter set it; others never accumulate.
    clocked: bool = False

    def __init__(self, values: dict):
        self.items = tuple(values.items())
        kinds = {p.name: p.kind for p in self.parameters()}
        for key, value in values.items():
            setattr(self, key, float_format(value) if kinds[key] == "format" else value)

    # -- what each unit implements ------------------------------------------------------

    @abstractmethod
    def compute(self, inputs: Inputs) -> Inputs:
        """Golden outputs of one combinational step."""

    @abstractmethod
    def circuit(self) -> wiring.Component:
        """The combinational Amaranth component."""

    @abstractmethod
    def make_vectors(self, plan: VectorPlan) -> Inputs:
        """The plan's input vectors: dicts of uint64 code arrays by port."""

    @abstractmethod
    def default_count(self) -> int | None:
        """Vectors when the user gives no count (None: exhaustive)."""

    def check(self) -> None:
        """Checks across parameters (each parameter is checked on its own when parsed)."""

    def port_formats(self) -> dict:
        return {}

    def macs(self) -> int:
        """Multiply-accumulates per operation (a block dot product of k elements does k)."""
        return 1

    def ops(self) -> list[tuple[str, int]]:
        """Reference operations ``(kind, bits)`` whose measured energies price the unit (none:
        the unit has no operation-table energy)."""
        return []

    def input_grid(self) -> dict[str, int] | None:
        """Input widths when the exhaustive plan is every combination of the input codes."""
        return None

    # -- the same for every unit ----------------------------------------------------------

    @classmethod
    def parameters(cls) -> tuple[Param, ...]:
        """The unit's parameters and the ``stages`` every unit takes."""
        return (*cls.params, STAGES)

    @classmethod
    def configure(cls, assignments: dict[str, str]) -> "UnitConfig":
        """Resolve ``key=value`` strings against the declared parameters (defaults filled in)."""
        params = cls.parameters()
        known = {p.name: p for p in params}
        for key in assignments:
            if key not in known:
                raise UsageError(f"{cls.name} has no parameter {key!r}: its parameters are {', '.join(known)}")
        values: dict[str, object] = {}
        for p in params:
            if p.name in assignments:
                values[p.name] = p.parse(cls.name, assignments[p.name])
            elif p.default_from is not None:
                values[p.name] = values[p.default_from]
            elif p.default_rule is not None:
                values[p.name] = p.default_rule(values)
            else:
                values[p.name] = p.default
        for p in params:
            if p.check_values is not None:
                p.check_values(values)
            # Stating the default is harmless (describe() and shards pass every parameter).
            if p.only_with and p.name in assignments and values[p.name] != p.default \
                    and values[p.only_with[0]] != p.only_with[1]:
                key, value = p.only_with
                raise UsageError(f"{cls.name}: parameter {p.name} applies only with {key}={value}, "
                                 f"not {key}={values[key]}")
        if values["stages"] and values.get("clocked"):
            raise UsageError(f"{cls.name}: stages pipelines the combinational unit; with clocked=true the "
                             "accumulator register is the only stage")
        config = cls(values)
        config.check()
        return config

    @property
    def values(self) -> dict:
        """The parameters as given (format names, not objects)."""
        return dict(self.items)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.items == self.items

    def __hash__(self) -> int:
        return hash((type(self).name, self.items))

    def __repr__(self) -> str:
        return f"<{self.describe()}>"

    def __reduce__(self):
        """Pickled as its class (by reference) and parameters, for worker processes."""
        return type(self).configure, (self.assignments(),)

    @property
    def module_name(self) -> str:
        """Deterministic per configuration, e.g. ``fp_mul_e4m3_rne_sat``."""
        tokens = [self.name]
        values = self.values
        for p in self.parameters():
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
    def rounding(self) -> Rounding:
        """The unit's rounding as a value, from its ``round`` and ``rbits`` parameters (round to
        nearest even for a unit without them)."""
        values = self.values
        return Rounding.of(values.get("round", "rne"), values.get("rbits", SR_BITS))

    def random_inputs(self, n: int, seed: int) -> Inputs:
        """``n`` seeded uniform codes for each input a stochastic rounding adds (``r``, at its
        port's full width), as a free-running random source gives them; none for other units."""
        from .vectors import uniform_codes

        names = self.rounding.ports()
        return {p["name"]: uniform_codes(p["width"], n, seed + RANDOM_SEED_OFFSET)
                for p in (self.ports() if names else ()) if p["name"] in names}

    @property
    def sequential(self) -> bool:
        """Has a clock and reset (``clk``, ``rst``): accumulating or pipelined."""
        return bool(self.clocked) or self.stages > 0

    def component(self) -> wiring.Component:
        """The generated module's component: the circuit, accumulating or pipelined."""
        if self.clocked:
            from .rtl.clocked import Accumulating

            return Accumulating(self.circuit(), self.values.get("bound", 0))
        if self.stages:
            from .rtl.pipelined import Pipelined

            return Pipelined(self.circuit(), self.stages)
        return self.circuit()

    def ports(self) -> list[dict]:
        """``[{"name", "dir", "width"}]`` of the generated module."""
        from .rtl.emit import ports

        component = self.component()
        for built in (component, getattr(component, "unit", None)):  # a wrapper's circuit too
            if built is not None:
                built._MustUse__silence = True  # built for its signature only: no unused-elaboratable warning
        described = ports(component)
        if self.sequential:
            described = [{"name": "clk", "dir": "in", "width": 1}, {"name": "rst", "dir": "in", "width": 1}] + described
        return described

    def vectors_per_process(self) -> int:
        """The most vectors one process makes, simulates and checks: 2**25 for a unit of a few
        integer ports; a block unit (one with :attr:`block_inputs`, or a port wider than 64
        bits) whose inputs pass 64 bits holds its vectors' elements as rows while it makes
        them, about 16 bytes per input bit and vector (measured on 2026-12-06: dot k=32 and
        k=64, 100,000 vectors, 0.7 and 1.0 GB), so it gets what fits :data:`VECTOR_MEMORY`
        bytes."""
        inputs = [p["width"] for p in self.ports() if p["dir"] == "in" and p["name"] not in ("clk", "rst")]
        block = self.block_inputs is not None or max(inputs) > 64
        if not block or sum(inputs) <= 64:
            return MAX_VECTORS_ONE_PROCESS
        return max(1024, min(MAX_VECTORS_ONE_PROCESS, VECTOR_MEMORY // (16 * sum(inputs))))

    def model(self, inputs: Inputs, lanes: int = 1) -> Inputs:
        """Golden outputs; a clocked unit's depend on how vectors are dealt to ``lanes``. A
        combinational unit's model runs on :data:`MODEL_CHUNK` vectors at a time, so that its
        temporaries stay in the CPU caches (three to five times faster on 2**24 vectors)."""
        if self.clocked:
            from .models.stream import accumulate_stream

            return accumulate_stream(self.compute, inputs, lanes, self.values.get("bound", 0))
        count = len(next(iter(inputs.values())))
        if count <= MODEL_CHUNK:
            return self.compute(inputs)
        parts = [self.compute({k: v[start:start + MODEL_CHUNK] for k, v in inputs.items()})
                 for start in range(0, count, MODEL_CHUNK)]
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}

    def vectors(self, plan: VectorPlan) -> Inputs:
        if self.clocked:
            from .models.stream import stream_vectors

            return stream_vectors(self.make_vectors(plan), plan.seed)
        return self.make_vectors(plan)

    def grid(self) -> dict[str, int] | None:
        """Input widths when the exhaustive plan is every combination of the input codes (see
        :meth:`input_grid`), else None (accumulating units stream their own vectors)."""
        return None if self.clocked else self.input_grid()

    def assignments(self) -> dict[str, str]:
        """Every parameter as text: ``configure(name, assignments())`` makes this again."""
        return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in self.items}

    def describe(self) -> str:
        """The unit and its parameters as ``arithbench verify`` arguments."""
        return f"{self.name} " + " ".join(f"-p {k}={v}" for k, v in self.assignments().items())


#: The memory (bytes) a wide unit's vectors may take in one process (see
#: :meth:`UnitConfig.vectors_per_process`).
VECTOR_MEMORY = 4 << 30

#: Vectors per call of a combinational unit's model (see :meth:`UnitConfig.model`).
MODEL_CHUNK = 1 << 15

#: Comparison roles, in the order reports show them.
ROLES = ("multiplier", "mac", "block")

#: The registered units by name, filled by :func:`register`; :func:`arithbench.catalog.units`
#: imports the package's units and reads it.
_UNITS: dict[str, type[UnitConfig]] = {}


#: Members of every unit that a parameter's value, set as an attribute, would hide.
_RESERVED = frozenset(dir(UnitConfig)) - {"clocked"} | {"items"}


def register(cls: type[UnitConfig]) -> type[UnitConfig]:
    """Class decorator: add a unit to the catalog, once its contract is checked (the required
    methods, a name and a doc, parameter names that hide nothing of the class)."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name.isidentifier() or not isinstance(getattr(cls, "doc", None), str):
        raise TypeError(f"{cls.__qualname__}: a unit declares name (an identifier) and doc (a sentence)")
    if cls.__abstractmethods__:
        raise TypeError(f"unit {name}: implement {', '.join(sorted(cls.__abstractmethods__))}")
    names = [p.name for p in cls.parameters()]
    hidden = sorted(set(names) & _RESERVED)
    if hidden:
        raise TypeError(f"unit {name}: parameter {', '.join(hidden)} would hide UnitConfig's member of that name: "
                        "choose another name")
    if len(set(names)) != len(names):
        raise TypeError(f"unit {name}: a parameter is declared twice ({', '.join(names)})")
    if cls.role not in (None, *ROLES):
        raise TypeError(f"unit {name}: role must be one of {', '.join(ROLES)} or None, not {cls.role!r}")
    _UNITS[name] = cls
    return cls
