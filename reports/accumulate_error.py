"""Long dot products on the ``dot`` unit: error against the bits its internal sum keeps.

What is measured
    A dot product of length ``L`` runs as ``L / k`` operations of one ``dot`` configuration
    chained through the accumulator: each operation's output ``y`` (an fp32 code) is the next
    one's ``c``, from ``c = +0``. The unit's internal sum is ``sum=window`` with ``window`` W
    (:data:`WINDOWS`, each up to the exact sum's width) or ``sum=exact``; everything else is the
    unit's default (``align=trunc``, RNE into fp32, no saturation). With a spill every ``N``
    products (DeepSeek-V3's promotion to CUDA cores, N = 128 there), the chain restarts from
    ``c = +0`` every ``N / k`` operations and each finished partial sum is added into a plain
    fp32 accumulator (one IEEE fp32 addition, RNE); the result at length ``L`` is that
    accumulator plus the partial sum under way. The model runs through the unit's ``compute``
    (``arithbench.catalog.configure("dot", ...)``), so its fast path is used where it has one.
Error
    ``|approx - exact| / (||a|| ||b||)``, where ``a`` and ``b`` are the *quantized* operands'
    values in the unit's own domain (elements times their block scales) and ``exact`` their
    exact dot product (``math.fsum`` of the products, which are exact in float64): the
    accumulation alone, input quantization left out. The columns ``w8`` .. ``w40`` and
    ``exact`` are its mean over the trials, for each window and for the exact sum; a window
    wider than the setup's exact sum (the unit refuses it) is None. ``quant_err`` is what the
    quantization costs, for scale: the exact dot product of the quantized operands (times the
    per-tensor scales outside the unit) against the float64 dot product of the unquantized
    data, ``|.| / (||x|| ||y||)``, mean over the same trials.
Setups (:data:`SETUPS`)
    ``e4m3 x e4m3``: ``dot a=e4m3 k=32 acc=fp32``, no scales in the unit; each operand tensor
    (all trials) takes one per-tensor scale ``amax / 448`` outside the unit, elements RNE,
    saturating. ``nvfp4``: ``dot a=e2m1 k=16 scale=nvfp4 acc=fp32``, torchao's two-level recipe
    (``torchao.prototype.mx_formats.nvfp4_tensor``): the per-tensor fp32 scale
    ``amax / (448 * 6)`` stays outside the unit; the data divided by it goes through
    :func:`arithbench.models.block.nvfp4_quantize` (each block of 16 gets ``amax_block / 6``
    rounded to e4m3, RNE, saturating; the elements RNE onto e2m1, saturating at 6). torchao
    also clamps block scales to at least 2**-6; a block that small (below 3.5e-5 of the
    tensor's amax) gets a smaller scale here, or zero.
    ``W4A8``: ``dot a=e2m1 b=e4m3 k=32 scale=mx acc=fp32``, MXFP4 weights times MXFP8
    activations, each operand quantized by :func:`arithbench.models.block.mx_quantize` (OCP MX
    v1.0 floor scale rule, blocks of 32, RNE, saturating); the E8M0 scales go into the unit.
    A 4-bit element needs a block scale: with one per-tensor scale, N(0,1) data of 64 x 16,384
    values rounds 17% of its e2m1 elements to zero and Student t data 99% (measured with
    ``arithbench.reports.error.sample``, seed 1).
Data (:data:`DATASETS`)
    ``normal`` N(0,1) and ``student_t3`` (Student t, 3 degrees of freedom) from
    :func:`arithbench.reports.error.sample`, seeds ``seed + 10 d`` and ``seed + 10 d + 1`` for
    the two operands of the ``d``-th data set (as :mod:`.dot_error` draws them); ``outliers``
    from :func:`arithbench.reports.block_error.make_data` (N(0,1) with 1/32 of the channels
    scaled by 40 in ``a`` and by 4 in ``b``, the same channels in every trial: LLM-like
    activations), seed ``seed + 20``. Each trial is one pair of vectors of the longest length;
    the shorter lengths are their prefixes (the same trials at every length, so the lengths
    differ by length alone), and every window, spill and setup sees the same data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..catalog import configure
from ..models.block import NVFP4_BLOCK, NVFP4_ELEMENT, NVFP4_SCALE, join_codes, mx_quantize, nvfp4_quantize
from ..models.codec import decode, encode
from ..models.formats import float_format
from ..models.rounding import Mode
from ..unit import UnitConfig
from .block_error import make_data
from .error import sample

LENGTHS = (128, 1024, 4096, 16384)
WINDOWS = (8, 12, 14, 16, 20, 24, 28, 32, 40)
DATASETS = ("normal", "student_t3", "outliers")
#: Products between moves of the partial sum to fp32 in every setup (None: never).
SPILLS = (None, 128)
#: The sweep of the spill interval: the first setup only, at the longer lengths.
SWEEP, SWEEP_LENGTHS = (32, 512, 2048), (4096, 16384)
#: Vector pairs per data set.
TRIALS = 64
#: The length the report's figure and finding read.
FIGURE_LENGTH = 4096

FP32 = float_format("fp32")


def window_column(window: int | None) -> str:
    return "exact" if window is None else f"w{window}"


COLUMNS = ("setup", "data", "length", "spill", "quant_err", *(window_column(w) for w in WINDOWS), "exact")


@dataclass(frozen=True)
class Operand:
    """One operand tensor, quantized: element codes ``(trials, length)``, scale codes per block
    of ``k`` (or None), the values the unit sees (elements times block scales) and the scale
    outside the unit that brings them back to the data (``data ~ values * outside``)."""

    codes: np.ndarray
    scales: np.ndarray | None
    values: np.ndarray
    outside: float


def _per_tensor(x: np.ndarray, fmt: str) -> Operand:
    """One scale ``amax / max_normal`` for the whole tensor, outside the unit; elements RNE, saturating."""
    f = float_format(fmt)
    scale = float(np.max(np.abs(x))) / f.max_normal
    codes = encode(f, x / scale, Mode.RNE, True).astype(np.int64)
    return Operand(codes, None, decode(f, codes), scale)


def nvfp4(x: np.ndarray) -> Operand:
    """NVFP4 with torchao's per-tensor scale ``amax / (448 * 6)`` (float32) outside the unit and
    :func:`arithbench.models.block.nvfp4_quantize` on the data divided by it."""
    tensor = float(np.float32(np.max(np.abs(x))) / np.float32(448.0 * 6.0))
    scales, codes = nvfp4_quantize(x / tensor, NVFP4_BLOCK)
    values = decode(float_format(NVFP4_ELEMENT), codes) * decode(float_format(NVFP4_SCALE), scales)[..., None]
    return Operand(codes.reshape(x.shape), scales, values.reshape(x.shape), tensor)


def mx(x: np.ndarray, elem: str, block: int = 32) -> Operand:
    """OCP MX quantization (:func:`arithbench.models.block.mx_quantize`, floor rule)."""
    scales, codes = mx_quantize(x, elem, block)
    values = decode(float_format(elem), codes) * np.ldexp(1.0, (scales - 127).astype(np.int32))[..., None]
    return Operand(codes.reshape(x.shape), scales, values.reshape(x.shape), 1.0)


@dataclass(frozen=True)
class Setup:
    """A format setup: the ``dot`` parameters (without ``sum`` and ``window``) and how each
    operand is quantized for it."""

    name: str
    params: dict
    quantize_a: Callable[[np.ndarray], Operand]
    quantize_b: Callable[[np.ndarray], Operand]

    def config(self, window: int | None) -> UnitConfig:
        extra = {} if window is None else {"sum": "window", "window": str(window)}
        return configure("dot", {**self.params, **extra})

    @property
    def k(self) -> int:
        return int(self.params["k"])

    @property
    def exact_width(self) -> int:
        return self.config(None).exact_width

    def windows(self, windows=WINDOWS) -> tuple[int | None, ...]:
        """The windows the unit takes (at most the exact sum's width), then None (the exact sum)."""
        return (*(w for w in windows if w <= self.exact_width), None)


SETUPS = (
    Setup("e4m3 x e4m3", {"a": "e4m3", "k": "32", "acc": "fp32"},
          lambda x: _per_tensor(x, "e4m3"), lambda x: _per_tensor(x, "e4m3")),
    Setup("nvfp4 e2m1 x e2m1", {"a": "e2m1", "k": "16", "scale": "nvfp4", "acc": "fp32"}, nvfp4, nvfp4),
    Setup("W4A8 e2m1 x e4m3 (MX)", {"a": "e2m1", "b": "e4m3", "k": "32", "scale": "mx", "acc": "fp32"},
          lambda x: mx(x, "e2m1"), lambda x: mx(x, "e4m3")),
)


def data(trials: int, length: int, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The operands ``(x, y)``, each ``(trials, length)``, of every data set (module docstring)."""
    out = {}
    for d, name in enumerate(DATASETS[:2]):
        out[name] = (sample(name, trials * length, seed + 10 * d).reshape(trials, length),
                     sample(name, trials * length, seed + 10 * d + 1).reshape(trials, length))
    out["outliers"] = make_data("outliers", trials, length, seed + 20)
    return out


def pack(setup: Setup, pairs: list[tuple[Operand, Operand]]) -> dict[str, np.ndarray]:
    """The unit's input ports for the operand pairs ``pairs`` (their trials one after the
    other), one row per block of ``k``, trial by trial, in order along each trial."""
    k, (bits_a, bits_b) = setup.k, setup.config(None).widths
    a, b = (np.concatenate([p[i].codes for p in pairs]).reshape(-1, k) for i in (0, 1))
    ports = {"a": join_codes(a, bits_a), "b": join_codes(b, bits_b)}
    if pairs[0][0].scales is not None:
        ports |= {f"s{side}": np.concatenate([p[i].scales.reshape(-1) for p in pairs]).astype(np.uint64)
                  for i, side in enumerate("ab")}
    return ports


def chain(config: UnitConfig, ports: dict[str, np.ndarray], trials: int, spill: int | None) -> np.ndarray:
    """The partial sums of every trial after every operation, ``(trials, length / k)`` float32,
    for :func:`pack`'s ports: entry ``j`` is the accumulator after operation ``j`` of its spill
    segment (see :func:`results`). Segments are independent, so they run side by side, one
    call per step."""
    k, blocks = config.k, len(ports["a"])
    length = blocks // trials * k
    steps = length // k if spill is None else spill // k
    segments = length // (k * steps)
    # Rows ordered (trial, segment, step): one step of every segment is a strided slice.
    order = np.arange(blocks).reshape(trials * segments, steps)
    c = np.zeros(trials * segments, np.uint64)
    partial = np.empty((trials * segments, steps), np.float32)
    for step in range(steps):
        rows = order[:, step]
        c = config.compute({**{p: v[rows] for p, v in ports.items()}, "c": c})["y"]
        partial[:, step] = c.astype(np.uint32).view(np.float32)
    return partial.reshape(trials, segments * steps)


def results(partial: np.ndarray, k: int, spill: int | None, lengths) -> dict[int, np.ndarray]:
    """The dot product at each length (float64 of fp32 values), from :func:`chain`'s partial
    sums: without spills the accumulator after ``L / k`` operations; with them the fp32
    accumulator of the finished segments plus the segment under way, added in fp32."""
    out = {}
    for n in lengths:
        ops = n // k
        if spill is None:
            out[n] = partial[:, ops - 1].astype(np.float64)
            continue
        steps = spill // k
        total = np.zeros(partial.shape[0], np.float32)
        for segment in range(ops // steps):
            total = total + partial[:, (segment + 1) * steps - 1]
        if ops % steps:
            total = total + partial[:, ops - 1]
        out[n] = total.astype(np.float64)
    return out


def _exact(products: np.ndarray, lengths) -> dict[int, np.ndarray]:
    """The exact dot product at each length (``math.fsum``: correctly rounded to float64)."""
    return {n: np.array([math.fsum(row[:n]) for row in products]) for n in lengths}


def _norms(a: np.ndarray, b: np.ndarray, lengths) -> dict[int, np.ndarray]:
    return {n: np.linalg.norm(a[:, :n], axis=1) * np.linalg.norm(b[:, :n], axis=1) for n in lengths}


def setup_rows(setup: Setup, operands: dict, spills, lengths, windows=WINDOWS) -> list[dict]:
    """The rows of one setup: per data set, length and spill interval, the mean error of each
    window and of the exact sum, and the quantization error. The data sets' trials run in the
    same chains."""
    quantized = {name: (setup.quantize_a(x), setup.quantize_b(y)) for name, (x, y) in operands.items()}
    ports, trials = pack(setup, list(quantized.values())), sum(len(x) for x, _ in operands.values())
    got = {(spill, window): results(chain(setup.config(window), ports, trials, spill), setup.k, spill, lengths)
           for spill in spills for window in setup.windows(windows)}
    rows, first = [], 0
    for name, (x, y) in operands.items():
        (a, b), here = quantized[name], slice(first, first + len(x))
        first += len(x)
        exact, norms = _exact(a.values * b.values, lengths), _norms(a.values, b.values, lengths)
        truth, data_norms = _exact(x * y, lengths), _norms(x, y, lengths)
        scale = a.outside * b.outside
        quant = {n: np.mean(np.abs(exact[n] * scale - truth[n]) / data_norms[n]) for n in lengths}
        for n in lengths:
            for spill in spills:
                errs = {}
                for window in setup.windows(windows):
                    with np.errstate(invalid="ignore", over="ignore"):
                        err = np.abs(got[spill, window][n][here] - exact[n]) / norms[n]
                    errs[window] = float(np.mean(np.where(np.isfinite(err), err, np.inf)))
                rows.append({"setup": setup.name, "data": name, "length": n,
                             "spill": "never" if spill is None else spill, "quant_err": float(quant[n]),
                             **{window_column(w): errs.get(w) for w in (*sorted(set(WINDOWS) | set(windows)), None)}})
    return rows


def rows(trials: int = TRIALS, seed: int = 1, lengths=LENGTHS, windows=WINDOWS, setups=SETUPS,
         spills=SPILLS, sweep=SWEEP, sweep_lengths=SWEEP_LENGTHS) -> list[dict]:
    """The study's table (:data:`COLUMNS`): every setup with ``spills``; the first setup also
    with the ``sweep`` intervals at ``sweep_lengths``."""
    operands = data(trials, max(lengths), seed)
    out = []
    for i, setup in enumerate(setups):
        found = setup_rows(setup, operands, spills, lengths, windows)
        if i == 0 and sweep:
            found += setup_rows(setup, operands, sweep, [n for n in lengths if n in sweep_lengths], windows)
        out += sorted(found, key=lambda r: (DATASETS.index(r["data"]), r["length"],
                                            r["spill"] if r["spill"] != "never" else float("inf")))
    return out


#: The configurations the report costs: the first setup at these windows (None would be the
#: exact sum). A subset: one synthesis and energy run of a k = 32 dot unit takes minutes. The
#: exact sum is not among them: its synthesis (Yosys 0.23) passed 20 GB of memory after 14
#: minutes on 2026-12-06 and was stopped; the 40-bit window stands for it (its error is the
#: exact sum's in the study's table).
COSTED_WINDOWS = (8, 16, 24, 32, 40)


def costed() -> list[tuple[Setup, int | None, UnitConfig]]:
    """(setup, window, configuration) of every configuration the report costs."""
    setup = SETUPS[0]
    return [(setup, w, setup.config(w)) for w in COSTED_WINDOWS]


def cost_row(setup: Setup, window: int | None, config: UnitConfig, costs: dict) -> dict:
    """One costed configuration's figures per multiply-accumulate (area, Liberty energy on N(0,1)
    operands, where the flow gives them) beside its area, delay and cells per operation."""
    from .costs import figure

    macs = config.macs()
    energy = figure(costs, ("energy_pj", "normal"))
    return {"setup": setup.name, "window": window_column(window), "unit": config.module_name, "macs_per_op": macs,
            "area_um2": costs.get("area_um2"), "delay_ns": costs.get("delay_ns"), "cells": costs.get("cells"),
            "area_per_mac_um2": None if costs.get("area_um2") is None else costs["area_um2"] / macs,
            "energy_per_mac_pj": None if energy is None else energy / macs}


COST_COLUMNS = ("setup", "window", "unit", "area_um2", "area_per_mac_um2", "energy_per_mac_pj", "delay_ns", "cells")


def figure_row(rows: list[dict], setup: str, data: str = "normal", length: int = FIGURE_LENGTH,
               spill="never") -> dict | None:
    """The table row the figure and the finding read: one setup, data set, length and spill."""
    return next((r for r in rows if (r["setup"], r["data"], r["length"], r["spill"]) == (setup, data, length, spill)),
                None)


def window_errors(row: dict) -> list[tuple[int, float]]:
    """(window, mean error) of a row, narrowest first, the windows its setup takes."""
    return [(int(c[1:]), row[c]) for c in row if c.startswith("w") and c[1:].isdigit() and row[c] is not None]


def plot(rows: list[dict], costs: list[dict], path) -> None:
    """Error against window bits at :data:`FIGURE_LENGTH` (N(0,1) data, no spills), one line per
    setup with its exact sum as a dashed line, and beside it area and energy per
    multiply-accumulate of the costed configurations, the exact sum dashed."""
    from .plots import pyplot, save

    plt = pyplot()
    panels = [key for key in ("area_per_mac_um2", "energy_per_mac_pj") if any(c.get(key) for c in costs)]
    fig, axes = plt.subplots(1, 1 + len(panels), figsize=(4.6 * (1 + len(panels)), 4.2), squeeze=False)
    ax = axes[0][0]
    found = [(s.name, figure_row(rows, s.name)) for s in SETUPS]
    values = [v for _, r in found if r for _, v in window_errors(r) if v] + \
        [r["exact"] for _, r in found if r and r["exact"]]
    floor = min(values, default=1e-12) / 10  # where an error of 0 (the sum exact in fp32) is drawn
    for name, row in found:
        if row is None:
            continue
        points = window_errors(row)
        line, = ax.plot([w for w, _ in points], [max(v, floor) for _, v in points], marker="o", label=name)
        ax.axhline(max(row["exact"], floor), color=line.get_color(), ls="--", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("window (bits kept below the largest term)")
    ax.set_ylabel(f"mean |y - exact| / (||a|| ||b||), length {FIGURE_LENGTH:,}")
    ax.legend(fontsize=7, title="dashed: exact sum", title_fontsize=7)
    labels = {"area_per_mac_um2": "area per MAC, um^2 (OSU 0.18 um)", "energy_per_mac_pj": "pJ per MAC (Liberty)"}
    for ax, key in zip(axes[0][1:], panels):
        points = [(int(c["window"][1:]), c[key]) for c in costs if c["window"] != "exact" and c.get(key)]
        exact = [c[key] for c in costs if c["window"] == "exact" and c.get(key)]
        ax.plot([w for w, _ in points], [v for _, v in points], marker="s", label=costs[0]["setup"])
        if exact:
            ax.axhline(exact[0], ls="--", lw=1, label="exact sum")
        ax.set_xlim(axes[0][0].get_xlim())
        ax.set_xlabel("window (bits)")
        ax.set_ylabel(labels[key])
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7)
    save(plt, fig, path)
