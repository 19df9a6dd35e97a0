"""The error studies, by name: what each computes, its table's columns and title, and the size
option it takes. ``arithbench error`` and the report both run them from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import accumulate_error, block_error, dot_error, error, lmul_error, lowbit_error


@dataclass(frozen=True)
class Study:
    """``rows(size, seed)``; ``size`` is the study's ``option`` (``"trials"``: vector pairs per
    row, ``"samples"``: pairs per distribution, ``"size"``: the matrix's side), None for a study
    of fixed size. ``claims_heading``: what follows "Claims" above their verdicts."""

    title: str
    module: str  # documented in ``pydoc arithbench.reports.<module>``
    columns: tuple[str, ...]
    rows: Callable[[int | None, int], list[dict]]
    option: str | None = None
    default: int | None = None
    claims: Callable[[list[dict]], list[dict]] | None = None
    claims_heading: str = ""
    describe: Callable[[int | None, int], str] | None = None  # the title with the size and seed in it


STUDIES: dict[str, Study] = {
    "lmul": Study("L-Mul error against the exact float64 product", "lmul_error", error.COLUMNS,
                  lambda size, seed: lmul_error.sampled_rows(size, seed) + lmul_error.all_pairs_rows(),
                  "samples", 1_000_000, lmul_error.claims,
                  "(Luo & Sun 2024), on mean relative error; 'comparable' = within 25%"),
    "dot": Study("Dot-product error, |approx - exact| / (||x|| ||y||)", "dot_error",
                 ("method", "data", "length", "trials", "mean_err", "q10_err", "q90_err", "max_err"),
                 lambda size, seed: dot_error.rows(size, seed), "trials", 64),
    "dfp": Study("DFP16 dot-product error by length and partial-sum bound (steps of two products)", "dot_error",
                 ("method", "data", "length", "bound", "mean_err", "max_err"),
                 lambda size, seed: dot_error.dfp_rows(size, seed), "trials", 64),
    "block": Study("BFP and MX quantization and K-cache dot-product error, with and without channel reordering",
                   "block_error", block_error.COLUMNS, lambda size, seed: block_error.rows(seed=seed)),
    "accumulate": Study("Long dot products on the dot unit, chained through its fp32 accumulator: mean "
                        "|y - exact| / (||a|| ||b||) against the exact dot product of the quantized operands, by "
                        "internal window (wN: sum=window, window=N; None: wider than the exact sum) and by the "
                        "products between moves of the partial sum to fp32 (spill); quant_err: the quantization's "
                        "own error, for scale", "accumulate_error", accumulate_error.COLUMNS,
                        lambda size, seed: accumulate_error.rows(size, seed), "trials", accumulate_error.TRIALS),
    "lowbit": Study("Scaled 4-, 6- and 8-bit formats on LLM-like data", "lowbit_error", lowbit_error.COLUMNS,
                    lambda size, seed: lowbit_error.rows(lowbit_error.check_size(size), seed), "size", lowbit_error.DEFAULT_SIZE,
                    lowbit_error.claims, "(LLM-FP4, ZeroQuant-FP, ZeroQuant(4+2), NF4 vs FP4, NVIDIA), on the "
                    "ratio of errors, the claim's format over the reference: 'better' below 1x, 'comparable' at "
                    "most 1.25x, 'equally good' 0.8x to 1.25x; 'holds with conditions' within 2x of the range",
                    lambda size, seed: lowbit_error.title(size, seed)),
}
