"""Dynamic Fixed Point (Das et al. 2018): INT16 tensors with one shared exponent per tensor,
and their dot product on ``int16_fma`` semantics.

Choices the paper leaves open, as parameters:

``exponent``
    ``"max"`` (default): the smallest shared exponent ``e`` with ``max|x| <= (2**15 - 1) * 2**e``,
    so nothing clips; or an explicit integer.
``rounding``
    ``rne`` (nearest, ties to even) or ``sr`` (stochastic, as every unit does it: 16 random
    bits per value, drawn from ``seed`` so runs repeat).
``bound``
    the INT32 partial sum is moved out to an fp32 accumulator after ``bound`` FMA steps (two
    products each); 0 means never.
"""

from __future__ import annotations

import numpy as np

from .codec import SR_BITS, round_signed
from .intmac import int16_fma
from .rounding import Mode

QMAX = (1 << 15) - 1


def shared_exponent(x: np.ndarray, exponent: str | int = "max") -> int:
    if exponent != "max":
        return int(exponent)
    peak = float(np.max(np.abs(x)))
    if peak == 0:
        return 0
    e = int(np.ceil(np.log2(peak / QMAX)))
    return e if peak <= QMAX * 2.0**e else e + 1


def quantize(x: np.ndarray, *, exponent: str | int = "max", rounding: str = Mode.RNE,
             seed: int = 0) -> tuple[np.ndarray, int]:
    """fp values to (INT16 values as int64, shared exponent)."""
    e = shared_exponent(x, exponent)
    scaled = np.asarray(x, np.float64) / 2.0**e
    if rounding not in (Mode.RNE, Mode.SR):
        raise ValueError(f"rounding must be rne or sr, not {rounding!r}")
    random = np.random.default_rng(seed).integers(0, 1 << SR_BITS, scaled.shape) if rounding == Mode.SR else None
    q = round_signed(scaled, rounding, random)
    return np.clip(q, -QMAX - 1, QMAX).astype(np.int64), e


def dequantize(q: np.ndarray, e: int) -> np.ndarray:
    return q.astype(np.float64) * 2.0**e


def dot(qx: np.ndarray, ex: int, qy: np.ndarray, ey: int, *, bound: int = 0) -> np.ndarray:
    """Dot products along the last axis: pairs of products per ``int16_fma`` step (wrapping
    INT32 accumulator), partial sums spilled to float32 every ``bound`` steps, scaled at the end.
    """
    n = qx.shape[-1]
    if n % 2:
        qx, qy = np.pad(qx, [(0, 0)] * (qx.ndim - 1) + [(0, 1)]), np.pad(qy, [(0, 0)] * (qy.ndim - 1) + [(0, 1)])
    code = lambda v: (v & 0xFFFF).astype(np.uint64)  # noqa: E731
    acc = np.zeros(qx.shape[:-1], np.uint64)
    total = np.zeros(qx.shape[:-1], np.float32)
    steps = qx.shape[-1] // 2
    for s in range(steps):
        acc, _ = int16_fma(code(qx[..., 2 * s]), code(qy[..., 2 * s]), code(qx[..., 2 * s + 1]),
                           code(qy[..., 2 * s + 1]), acc)
        if (bound and (s + 1) % bound == 0) or s == steps - 1:
            total = total + acc.astype(np.uint32).view(np.int32).astype(np.float32)
            acc = np.zeros_like(acc)
    return total.astype(np.float64) * 2.0 ** (ex + ey)
