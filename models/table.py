"""Lookup tables for two-operand models on narrow codes.

A model of two operands of at most 8 bits has at most 65,536 distinct inputs: computing it
once for every pair and indexing the table is exact (it *is* the model) and several times
faster than recomputing it, which is what the golden-model throughput target needs.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

#: Widest operand for which two-operand models are tabulated.
TABLE_BITS = 8


_TABLES: dict[tuple, np.ndarray] = {}


def _table(compute: Callable, bits: int, key: tuple) -> np.ndarray:
    if (key, bits) not in _TABLES:
        a, b = (g.ravel() for g in np.meshgrid(np.arange(1 << bits), np.arange(1 << bits), indexing="ij"))
        table = np.asarray(compute(a, b), dtype=np.int64)
        table.flags.writeable = False
        _TABLES[key, bits] = table
    return _TABLES[key, bits]


def lookup(compute: Callable, bits: int, key: tuple, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``compute(a, b)`` through a table built once per ``key``, which must identify ``compute``
    and all of its parameters."""
    index = (np.asarray(a, dtype=np.intp) << bits) | np.asarray(b, dtype=np.intp)
    return _table(compute, bits, key)[index]
