"""Error statistics of approximate results against exact ones, and the input distributions.

Definitions (used in every table):

relative error
    ``|approx - exact| / |exact|`` over the finite, non-zero exact results.
ULP error
    ``|approx - exact| / ulp(exact)``, the ulp taken in the method's own output format at the
    exact value: ``2**(max(floor(log2|exact|), emin) - man_bits)``.
bias
    mean of the signed relative error ``(approx - exact) / |exact|``.
fraction exact
    share of results equal to the exact product.
"""

from __future__ import annotations

import numpy as np

from ..models.codec import encode, round_signed
from ..models.formats import FloatFormat, IntFormat

DISTRIBUTIONS = ("normal", "student_t3")


def sample(distribution: str, n: int, seed: int) -> np.ndarray:
    """``n`` float32 samples (as float64) from ``normal`` N(0,1) or ``student_t3`` (heavy-tailed)."""
    rng = np.random.default_rng(seed)
    if distribution == "normal":
        x = rng.standard_normal(n)
    elif distribution == "student_t3":
        x = rng.standard_t(3, n)
    else:
        raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}, not {distribution!r}")
    return x.astype(np.float32).astype(np.float64)


def quantize(fmt: FloatFormat | IntFormat, x: np.ndarray, axis: int | None = None,
             limit: int | None = None) -> tuple[np.ndarray, np.ndarray | float]:
    """float64 values to codes of ``fmt`` and the scale the codes' values are multiplied by:
    floats round to nearest even and saturate (scale 1); integers take the symmetric scale
    ``max|x| / limit`` (``limit``: the largest code magnitude used, by default the format's
    largest) over the whole array, or along ``axis`` (one scale per row), and round to nearest
    even."""
    if isinstance(fmt, FloatFormat):
        return encode(fmt, x, "rne", sat=True).astype(np.uint64), 1.0
    limit = fmt.max_value if limit is None else limit
    scale = np.max(np.abs(x), axis=axis, keepdims=axis is not None) / limit
    scale = np.where(scale > 0, scale, 1.0)
    q = np.clip(round_signed(x / scale), -limit, limit).astype(np.int64)
    return (q & ((1 << fmt.bits) - 1)).astype(np.uint64), scale


def ulp(fmt: FloatFormat | IntFormat, x: np.ndarray) -> np.ndarray:
    """The spacing of ``fmt`` at |x| (subnormal spacing below the normal range; 1 for integers)."""
    if isinstance(fmt, IntFormat):
        return np.ones_like(x, dtype=np.float64)
    with np.errstate(divide="ignore"):
        e = np.floor(np.log2(np.abs(x)))
    return np.ldexp(1.0, (np.maximum(e, fmt.emin) - fmt.man_bits).astype(np.int32))


def stats(approx: np.ndarray, exact: np.ndarray, fmt: FloatFormat | IntFormat,
          scale: np.ndarray | None = None) -> dict[str, float]:
    """Error statistics of ``approx`` against ``exact`` (see the module docstring); relative
    errors are relative to ``scale`` (default ``|exact|``), and ulps are ``fmt``'s at ``scale``."""
    scale = np.abs(exact) if scale is None else scale
    keep = np.isfinite(exact) & (scale != 0) & np.isfinite(scale)
    a, e, s = approx[keep], exact[keep], scale[keep]
    with np.errstate(invalid="ignore", over="ignore"):
        signed = (a - e) / s
        rel = np.abs(signed)
        ulps = np.abs(a - e) / ulp(fmt, s)
    return {
        "n": int(keep.sum()),
        "mean_rel": float(np.mean(rel)),
        "max_rel": float(np.max(rel)),
        "mean_ulp": float(np.mean(ulps)),
        "bias": float(np.mean(signed)),
        "frac_exact": float(np.mean(a == e)),
    }


COLUMNS = ("method", "data", "n", "mean_rel", "max_rel", "mean_ulp", "bias", "frac_exact")


def format_table(rows: list[dict], columns: tuple[str, ...] = COLUMNS) -> str:
    """A fixed-width text table of ``rows``."""
    def cell(v):
        if isinstance(v, float):
            return f"{v:.4g}"
        return f"{v:,}" if isinstance(v, int) else str(v)

    cells = [[cell(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)
