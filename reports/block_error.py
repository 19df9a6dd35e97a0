"""BFP and MX quantization and dot-product error, with and without channel reordering.

Data: a key matrix of ``rows`` x ``channels`` (blocks run along channels) and query vectors,
either N(0,1) (``normal``) or N(0,1) with a few outlier channels scaled by 40 (``outliers``,
LLM-like activations). Quantization error is ``mean|q - x| / mean|x|``; dot-product error is
``|approx - exact| / (||k|| ||q||)`` averaged over rows with the keys quantized and the
queries kept exact (the K-cache setting of the paper). "reordered" applies :func:`~arithbench.models.block.reorder_by_norm` (channels sorted
by norm over the rows) to keys and queries alike before blocking, as Trukhanov & Soloveychik
do for the K-cache; the exact dot products are unchanged by it.

MX formats are named ``mx <element>`` with the OCP v1.0 scale rule (``floor``), and
``mx <element> ceil`` / ``mx <element> even`` with the other E8M0 scale rules of
:func:`~arithbench.models.block.mx_scale_exponent`.
"""

from __future__ import annotations

import numpy as np

from ..models.block import (BFP_PRESETS, MX_ELEMENTS, SCALE_RULES, bfp_dequantize, bfp_quantize, mx_dequantize,
                            mx_element, mx_quantize, reorder_by_norm)


FORMATS = ("bfp12", "bfp16", *(f"mx {e}" for e in MX_ELEMENTS),
           *(f"mx {e} {rule}" for rule in SCALE_RULES if rule != "floor" for e in MX_ELEMENTS))
DATASETS = ("normal", "outliers")


def make_data(dataset: str, rows: int, channels: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    keys, query = rng.standard_normal((rows, channels)), rng.standard_normal((rows, channels))
    if dataset == "outliers":
        hot = rng.choice(channels, max(channels // 32, 1), replace=False)
        keys[:, hot] *= 40.0
        query[:, hot] *= 4.0
    elif dataset != "normal":
        raise ValueError(f"dataset must be normal or outliers, not {dataset!r}")
    return keys, query


def quantize(x: np.ndarray, fmt: str) -> np.ndarray:
    """Quantize and dequantize along the last axis."""
    if fmt in BFP_PRESETS:
        e, m = bfp_quantize(x, BFP_PRESETS[fmt])
        return bfp_dequantize(e, m, BFP_PRESETS[fmt]).reshape(x.shape)
    _, elem, *rule = fmt.split()
    scale, codes = mx_quantize(x, elem, scale=rule[0] if rule else "floor")
    return mx_dequantize(scale, codes, elem).reshape(x.shape)


def bits_per_element(fmt: str) -> float:
    """Storage per element, the shared scale or exponent included: BFP ``p + 8/k``, MX element
    bits + 8/32."""
    if fmt in BFP_PRESETS:
        return BFP_PRESETS[fmt].bits_per_element
    return mx_element(fmt.split()[1]).bits + 8 / 32


def rows(n_rows: int = 256, channels: int = 512, seed: int = 1) -> list[dict]:
    out = []
    for dataset in DATASETS:
        keys, query = make_data(dataset, n_rows, channels, seed)
        exact = np.sum(keys * query, axis=1)
        norms = np.linalg.norm(keys, axis=1) * np.linalg.norm(query, axis=1)
        perm = reorder_by_norm(keys)
        for fmt in FORMATS:
            row = {"format": fmt, "data": dataset, "bits_per_element": bits_per_element(fmt)}
            for label, p in (("plain", slice(None)), ("reordered", perm)):
                qk = quantize(keys[:, p], fmt)
                row[f"quant_err_{label}"] = float(np.mean(np.abs(qk - keys[:, p])) / np.mean(np.abs(keys)))
                row[f"dot_err_{label}"] = float(np.mean(np.abs(np.sum(qk * query[:, p], axis=1) - exact) / norms))
            out.append(row)
    return out


COLUMNS = ("format", "data", "bits_per_element", "quant_err_plain", "quant_err_reordered", "dot_err_plain",
           "dot_err_reordered")
