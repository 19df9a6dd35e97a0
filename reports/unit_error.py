"""Error of one unit configuration against exact arithmetic on the same input codes.

The reference is the exact result of the decoded input codes (``UnitConfig.exact``), so the
figures measure the unit's own arithmetic (rounding, approximation), not input quantization.
Relative errors are relative to ``|exact|``, for accumulating units (role ``mac``) to the
terms' magnitude ``|c| + sum |a_i * b_i|`` (:func:`magnitude`).
Two input data sets:

``uniform codes``
    every input code combination for 8-bit operands, else seeded uniform random codes;
``normal``
    N(0,1) samples quantized to each input's format (floats: RNE, saturating; integers:
    symmetric per-tensor scale ``max|x| / max_int``, RNE).
"""

from __future__ import annotations

import numpy as np

from ..models.codec import value
from ..unit import UnitConfig, VectorPlan
from .error import quantize, sample, stats

DATASETS = ("uniform codes", "normal")


def inputs_for(config: UnitConfig, dataset: str, n: int, seed: int, output: str = "y") -> dict[str, np.ndarray]:
    formats = config.port_formats()
    if dataset == "uniform codes":
        return config.vectors(VectorPlan(config.default_count() and n, seed))
    if dataset == "normal" and config.block_inputs is not None:
        rng = np.random.default_rng(seed)
        x, y = (rng.standard_normal((n, config.macs())) for _ in "xy")
        return config.block_inputs(x, y)
    if dataset == "normal":
        ins = [p for p in formats if p != output]
        return {p: quantize(formats[p], sample("normal", n, seed + i))[0] for i, p in enumerate(ins)}
    raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, not {dataset!r}")


def unit_error(config: UnitConfig, dataset: str, n: int = 100_000, seed: int = 1,
               output: str = "y") -> tuple[dict, np.ndarray]:
    """Statistics and the finite relative errors of ``config``'s golden model on ``dataset``."""
    formats = config.port_formats()
    inputs = inputs_for(config, dataset, n, seed, output)
    # Ports without a format (packed blocks) reach ``exact`` as raw codes.
    values = {p: value(formats[p], codes).astype(np.float64) if p in formats else codes
              for p, codes in inputs.items()}
    finite = np.logical_and.reduce([np.isfinite(v) for p, v in values.items() if p in formats]
                                   or [np.ones(len(next(iter(inputs.values()))), bool)])
    with np.errstate(invalid="ignore", over="ignore"):
        exact = config.exact(values)[finite]
    approx = value(formats[output], config.model(inputs)[output]).astype(np.float64)[finite]
    scale = magnitude(config, values)[finite] if config.role == "mac" else np.abs(exact)
    row = stats(approx, exact, formats[output], scale)
    keep = np.isfinite(exact) & (scale != 0)
    with np.errstate(invalid="ignore", over="ignore"):
        rel = (approx[keep] - exact[keep]) / scale[keep]
    return row, rel[np.isfinite(rel)]


def magnitude(config: UnitConfig, values: dict[str, np.ndarray]) -> np.ndarray:
    """``|c| + sum |a_i * b_i|`` of an accumulating step: what its error is relative to, so that
    a sum that cancels to almost nothing does not make the relative error explode."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.abs(config.exact({p: np.abs(v) for p, v in values.items()}))
