"""The unit catalog: every unit is one class (:class:`arithbench.unit.UnitConfig`) that pairs a
golden model, an Amaranth component, its vectors and its cost description under one set of
typed parameters. This module finds the units (importing :mod:`arithbench.units` registers
them) and configures them; everything else iterates over the catalog.
"""

from __future__ import annotations

from .errors import UsageError
from .unit import _UNITS, ROLES, UnitConfig


def units() -> dict[str, type[UnitConfig]]:
    from . import units as _  # noqa: F401  (registers the entries)
    return dict(_UNITS)


def unit(name: str) -> type[UnitConfig]:
    catalog = units()
    if name not in catalog:
        raise UsageError(f"unknown unit {name!r}: choose one of {', '.join(catalog)} (see `arithbench units`)")
    return catalog[name]


def configure(name: str, assignments: dict[str, str] | None = None) -> UnitConfig:
    return unit(name).configure(assignments or {})


def shown() -> list[UnitConfig]:
    """The configurations the comparison report shows by default, multipliers first, then MACs
    and block units."""
    specs = sorted((s for s in units().values() if s.shown), key=lambda s: ROLES.index(s.role))
    return [s.configure(params) for s in specs for params in s.shown]
