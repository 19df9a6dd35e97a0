"""Input vectors: exhaustive spaces, float corner patterns (TestFloat style), seeded random."""

from __future__ import annotations

import numpy as np

from .checks import MAX_VECTORS_ONE_PROCESS
from .errors import UsageError
from .models.formats import FloatFormat

#: Largest input space ``--vectors exhaustive`` takes in one process: as many vectors as one
#: process checks (2**25; larger spaces are sharded).
MAX_EXHAUSTIVE_BITS = MAX_VECTORS_ONE_PROCESS.bit_length() - 1


def exhaustive(widths: dict[str, int]) -> dict[str, np.ndarray]:
    """Every combination of input codes; the first input varies slowest."""
    total = sum(widths.values())
    if total > MAX_EXHAUSTIVE_BITS:
        raise UsageError(
            f"exhaustive testing needs 2**{total} vectors, more than the 2**{MAX_EXHAUSTIVE_BITS} one process "
            "holds: shard it with --workers N (or --scheduler ADDRESS), or give --vectors N for seeded random "
            "plus corner patterns"
        )
    grids = np.meshgrid(*[np.arange(1 << w, dtype=np.uint64) for w in widths.values()], indexing="ij")
    return {name: g.ravel() for name, g in zip(widths, grids)}


def sampled(unit: str, widths: dict[str, int], count: int | None) -> int:
    """``count`` for a unit whose plans are samples: one with inputs of ``widths`` too wide to
    cover has no exhaustive plan, so None (exhaustive) is refused rather than sampled."""
    if count is None:
        raise UsageError(f"{unit}: exhaustive testing needs 2**{sum(widths.values())} vectors, more than any "
                         "run covers: give --vectors N")
    return count


def grid_slice(widths: dict[str, int], start: int, stop: int) -> dict[str, np.ndarray]:
    """Vectors ``start`` to ``stop`` of :func:`exhaustive`'s order (the first input varies
    slowest), made from their indices: any part of a space too big to hold at once."""
    index = np.arange(start, stop, dtype=np.uint64)
    out, shift = {}, sum(widths.values())
    for name, width in widths.items():
        shift -= width
        out[name] = (index >> np.uint64(shift)) & np.uint64((1 << width) - 1)
    return out


def float_corners(fmt: FloatFormat) -> np.ndarray:
    """Codes worth crossing with each other: zeros, subnormal and normal extremes, +-1, powers
    of two, mantissas with walking ones, filled-from-top and trailing ones, inf and NaN."""
    m = fmt.man_bits
    mantissas = {0, 1, fmt.man_max_code, fmt.man_max_code - 1 if m else 0}
    mantissas |= {1 << i for i in range(m)}  # walking ones
    mantissas |= {fmt.man_max_code ^ ((1 << i) - 1) for i in range(m)}  # filled from the top
    mantissas |= {(1 << i) - 1 for i in range(m)}  # trailing ones
    exps = {0, 1, 2, fmt.bias - 1, fmt.bias, fmt.bias + 1, fmt.exp_max_code - 1, fmt.exp_max_code,
            fmt.bias // 2, (fmt.bias * 3) // 2}
    exps = {x for x in exps if 0 <= x <= fmt.exp_max_code}
    mags = np.array(sorted({(x << m) | (mm & fmt.man_max_code) for x in exps for mm in mantissas}),
                    dtype=np.uint64)
    if fmt.signed:
        mags = np.concatenate([mags, mags | np.uint64(fmt.sign_mask)])
    return np.unique(mags)


def int_corners(bits: int) -> np.ndarray:
    """0, 1, -1, the extremes, walking ones and zeros, alternating bits (as unsigned codes)."""
    mask = (1 << bits) - 1
    codes = {0, 1, mask, mask >> 1, 1 << (bits - 1), (1 << (bits - 1)) + 1, mask - 1,
             int("01" * bits, 2) & mask, int("10" * bits, 2) & mask}
    codes |= {1 << i for i in range(bits)} | {mask ^ (1 << i) for i in range(bits)}
    return np.array(sorted(codes), dtype=np.uint64)


def crossed(corners: dict[str, np.ndarray], widths: dict[str, int], count: int,
            seed: int) -> dict[str, np.ndarray]:
    """Every combination of the corner codes, then ``count`` seeded uniform random vectors:
    ``count`` plus the number of combinations in all."""
    grids = np.meshgrid(*corners.values(), indexing="ij")
    rng = np.random.default_rng(seed)
    return {name: np.concatenate([g.ravel().astype(np.uint64),
                                  rng.integers(0, 1 << widths[name], count, dtype=np.uint64)])
            for name, g in zip(corners, grids)}


def float_pairs(fmt: FloatFormat, count: int | None, seed: int) -> dict[str, np.ndarray]:
    """Vectors for a unit with two ``fmt`` operands ``a``, ``b``: exhaustive when ``count`` is
    None, else every pair of corner codes plus ``count`` seeded random pairs."""
    widths = {"a": fmt.bits, "b": fmt.bits}
    if count is None:
        return exhaustive(widths)
    corners = float_corners(fmt)
    return crossed({"a": corners, "b": corners}, widths, count, seed)


def mixed(corners: dict[str, np.ndarray], widths: dict[str, int], count: int,
          seed: int) -> dict[str, np.ndarray]:
    """``count`` vectors for many-input units: each input independently takes a corner code
    (probability 1/2) or a uniform random code, so every pairing of corners across inputs
    (extremes together, carries that ripple through the accumulator) turns up."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, width in widths.items():
        rand = rng.integers(0, 1 << width, count, dtype=np.uint64)
        pick = corners[name][rng.integers(0, len(corners[name]), count)]
        out[name] = np.where(rng.random(count) < 0.5, pick, rand).astype(np.uint64)
    return out


def int_pairs(bits: int, count: int | None, seed: int) -> dict[str, np.ndarray]:
    """Vectors for a unit with two ``bits``-wide integer operands: exhaustive when ``count``
    is None, else every pair of integer corners plus ``count`` seeded random pairs."""
    widths = {"a": bits, "b": bits}
    if count is None:
        return exhaustive(widths)
    corners = int_corners(bits)
    return crossed({"a": corners, "b": corners}, widths, count, seed)


def vector_file(ports: list[dict], inputs: dict[str, np.ndarray], expected: dict[str, np.ndarray],
                header: str) -> str:
    """Text in the spirit of TestFloat's test files: ``#`` lines naming the ports (direction,
    width) in order, then one vector per line: every input, then every expected output, as
    hexadecimal codes of their ports' widths, separated by spaces."""
    columns = [p for p in ports if p["name"] in inputs] + [p for p in ports if p["name"] in expected]
    lines = [f"# {header}", "# " + " ".join(f"{p['name']}:{p['dir']}:{p['width']}" for p in columns)]
    text = []
    for p in columns:
        codes = inputs[p["name"]] if p["name"] in inputs else expected[p["name"]]
        digits = -(-p["width"] // 4)
        if np.ndim(codes) == 1:
            values = np.asarray(codes, np.uint64).tolist()
        else:  # ports over 64 bits: rows of little-endian words
            values = [sum(int(w) << (64 * j) for j, w in enumerate(row)) for row in codes]
        text.append([f"{v:0{digits}x}" for v in values])
    lines += [" ".join(row) for row in zip(*text)]
    return "\n".join(lines) + "\n"


def uniform_codes(width: int, n: int, seed: int) -> np.ndarray:
    """``n`` seeded uniform ``width``-bit codes: uint64, or for ports over 64 bits rows of
    little-endian 64-bit words (the layout wide ports take everywhere)."""
    words = np.random.default_rng(seed).integers(0, 1 << 64, (n, -(-width // 64)), dtype=np.uint64)
    words[:, -1] &= np.uint64((1 << (width - 64 * (words.shape[1] - 1))) - 1)
    return words[:, 0] if width <= 64 else words
