"""Error end to end: real-valued data quantized into a unit's input formats, put through the
unit's golden model, against exact arithmetic on the unquantized data. This is what choosing
the unit costs in accuracy, input quantization included (the per-unit tables of
:mod:`.unit_error` measure the arithmetic alone, so exact units such as int_mul show 0 there).

Units are compared within their role (``UnitConfig.role``), each with its own measure:

multiplier
    ``N_PRODUCTS`` operand pairs, relative error ``|approx - x*y| / |x*y|``;
mac
    ``TRIALS`` dot products of length ``LENGTH``, built by chaining the unit's model from a zero
    accumulator (one step takes as many elements as the unit has ``a`` ports), error
    ``|approx - x.y| / (||x|| ||y||)``;
block
    ``N_BLOCKS`` dot products of one block pair (``k`` elements, the unit's own block conversion:
    shared exponent or E8M0 scale), the same normalised error.

Quantization into an input format: floats round to nearest even and saturate (the OCP
formats' practice); integers take a symmetric scale ``max|x| / max_int``, per tensor for the
multipliers and per vector for the MACs, where ``max_int`` leaves the accumulator headroom
(:func:`headroom`: no partial sum can overflow). Non-finite results count as infinite error.
Data: ``normal`` N(0,1), ``student_t3`` (heavy-tailed), or the user's values, from which both
operands are drawn at random (seeded) with replacement.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np

from ..errors import UsageError
from ..models.codec import value
from ..models.formats import IntFormat
from ..unit import UnitConfig
from .dot_error import normalised_error
from .error import DISTRIBUTIONS, quantize, sample

N_PRODUCTS = 100_000
LENGTH, TRIALS = 256, 1024
N_BLOCKS = 20_000


@dataclass(frozen=True)
class Data:
    """A named data set: one of :data:`DISTRIBUTIONS`, or ``values`` given by the user."""

    name: str
    values: np.ndarray | None = None

    def digest(self) -> str | None:
        """Identifies the user's values (for caching), None for the synthetic sets."""
        if self.values is None:
            return None
        return hashlib.sha256(np.ascontiguousarray(self.values, np.float64).tobytes()).hexdigest()[:16]

    def draw(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        n = int(np.prod(shape))
        if self.values is None:
            return sample(self.name, n, seed).reshape(shape)
        return np.random.default_rng(seed).choice(self.values, n).reshape(shape)


SYNTHETIC = tuple(Data(d) for d in DISTRIBUTIONS)


#: Magnitudes of the user's values whose products, and sums of products, stay exact-ish in float64.
USER_RANGE = (2.0**-480, 2.0**480)
#: The share of non-zero values below which random products are almost all zero.
MIN_NONZERO = 0.05


def user_data(name: str, values) -> Data:
    """The user's values (any shape, flattened) as a data set; refuses what cannot be studied."""
    values = np.asarray(values)
    if values.dtype.kind not in "fiu":
        raise UsageError(f"{name}: the array holds {values.dtype}, not numbers")
    values = values.astype(np.float64).ravel()
    if values.size < 2 or not np.isfinite(values).all() or not values.any():
        raise UsageError(f"{name}: need at least two finite values, not all zero "
                         f"({values.size} values, {int((~np.isfinite(values)).sum())} not finite)")
    magnitude = np.abs(values[values != 0])
    outside = int(((magnitude < USER_RANGE[0]) | (magnitude > USER_RANGE[1])).sum())
    if outside:
        raise UsageError(f"{name}: {outside:,} values lie outside {USER_RANGE[0]:g} to {USER_RANGE[1]:g} in magnitude, "
                         "where exact products and dot products of them would overflow or underflow float64: "
                         "scale the data into that range")
    if magnitude.size < MIN_NONZERO * values.size:
        raise UsageError(f"{name}: only {magnitude.size:,} of {values.size:,} values are not zero: products drawn "
                         f"from them are almost all exactly zero; give data with at least {MIN_NONZERO:.0%} non-zero")
    return Data(name, values)


def comparison_class(config: UnitConfig) -> str:
    """The class a unit is compared within: multipliers, MACs into one accumulator format, or
    block dot products."""
    role = config.role
    if role == "mac":
        return f"MACs into {config.port_formats()['y'].name}"
    return {"multiplier": "multipliers", "block": "block dot products"}.get(role, "")


def measure(config: UnitConfig) -> str:
    """What the error figure of ``config``'s class is, in words."""
    return {"multiplier": "relative error per product",
            "mac": f"dot products of length {LENGTH}, |error| / (||x|| ||y||)",
            "block": f"one block ({config.macs()} elements), |error| / (||x|| ||y||)"}[config.role]


def bits_per_element(config: UnitConfig) -> float:
    """Input bits per element of one operand (shared exponents and scales included)."""
    bits = sum(p["width"] for p in config.ports() if p["dir"] == "in" and p["name"] not in ("c", "r", "clk", "rst"))
    return bits / 2 / config.macs()


def errors(config: UnitConfig, data: Data, seed: int = 1) -> tuple[np.ndarray, np.ndarray | None]:
    """The end-to-end error of every product or dot product (see the module docstring), and
    for MACs with an overflow flag (``ovf``), whether it was raised on the way."""
    formats, role, model = config.port_formats(), config.role, config.compute
    if role == "multiplier":
        x, y = data.draw((N_PRODUCTS,), seed), data.draw((N_PRODUCTS,), seed + 1)
        (qa, sa), (qb, sb) = quantize(formats["a"], x, None), quantize(formats["b"], y, None)
        out = model({"a": qa, "b": qb, **config.random_inputs(len(x), seed)})["y"]
        with np.errstate(invalid="ignore", over="ignore"):
            approx = value(formats["y"], out).astype(np.float64) * sa * sb
        exact = x * y
        keep = exact != 0
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            err = np.abs(approx[keep] - exact[keep]) / np.abs(exact[keep])
        return np.where(np.isfinite(err), err, np.inf), None
    if role == "mac":
        a_ports = sorted(p for p in formats if p.startswith("a"))
        b_ports = sorted(p for p in formats if p.startswith("b"))
        x, y = data.draw((TRIALS, LENGTH), seed), data.draw((TRIALS, LENGTH), seed + 1)
        limit = headroom(formats[a_ports[0]], formats["y"])
        (qa, sa), (qb, sb) = quantize(formats[a_ports[0]], x, 1, limit), quantize(formats[b_ports[0]], y, 1, limit)
        acc = np.zeros(TRIALS, np.uint64)  # the code of +0 in every accumulator format
        overflowed = None
        for step in range(0, LENGTH, len(a_ports)):
            inputs = {p: qa[:, step + j] for j, p in enumerate(a_ports)}
            inputs |= {p: qb[:, step + j] for j, p in enumerate(b_ports)}
            out = model({**inputs, "c": acc, **config.random_inputs(TRIALS, seed + step)})
            acc = out["y"]
            if "ovf" in out:
                overflowed = (out["ovf"] != 0) | (False if overflowed is None else overflowed)
        with np.errstate(invalid="ignore", over="ignore"):
            approx = value(formats["y"], acc).astype(np.float64) * np.ravel(sa * sb)
        return _normalised(approx, x, y), overflowed
    if role == "block":
        x, y = data.draw((N_BLOCKS, config.macs()), seed), data.draw((N_BLOCKS, config.macs()), seed + 1)
        inputs = config.block_inputs(x, y)
        out = model({**inputs, **config.random_inputs(N_BLOCKS, seed)})["y"]
        with np.errstate(invalid="ignore", over="ignore"):
            approx = value(formats["y"], out).astype(np.float64)
        return _normalised(approx, x, y), None
    raise ValueError(f"{config.name} has no comparison role")


def headroom(operand, accumulator) -> int | None:
    """For integer operands, the largest code magnitude ``q`` whose dot products of
    :data:`LENGTH` cannot overflow the accumulator (``LENGTH * q**2`` within its range), as a
    deployment keeps partial sums in range: int8 into int32 uses its full 127, int16 2,896 of
    32,767 (about 11.5 bits). None for float operands."""
    if not isinstance(operand, IntFormat):
        return None
    return min(operand.max_value, math.isqrt(accumulator.max_value // LENGTH))


def _normalised(approx: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """:func:`.dot_error.normalised_error`, with non-finite results as infinite error."""
    with np.errstate(invalid="ignore", over="ignore"):
        err = normalised_error(approx, x, y)
    return np.where(np.isfinite(err), err, np.inf)


def row(config: UnitConfig, data: Data, seed: int = 1) -> tuple[dict, np.ndarray]:
    """The table row of ``config`` on ``data`` and its errors (for the distribution plot)."""
    err, overflowed = errors(config, data, seed)
    return {"unit": config.module_name, "class": comparison_class(config), "data": data.name,
            "measure": measure(config), "n": len(err), "bits_per_element": bits_per_element(config),
            "mean_err": float(np.mean(err)), "median_err": float(np.median(err)),
            "p90_err": float(np.quantile(err, 0.9)), "max_err": float(np.max(err)),
            "frac_unbounded": float(np.mean(np.isinf(err))),
            "frac_overflowed": None if overflowed is None else float(np.mean(overflowed))}, err
