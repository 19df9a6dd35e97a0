"""LLM-like data for the low-bit studies: weights, activations with outlier channels, the K-cache.

Synthetic tensors shaped like an LLM's, seeded, with the shapes as arguments; each parameter says
where it comes from. Where no source gives a number, the number is ours and says so: these
generators imitate the features the papers describe (outlier channels, heavy tails, uneven
channel scales), not any one model.

:func:`weights` (``rows`` output channels x ``cols`` input features; the input features are the
last axis, the reduction axis of ``W @ x``)
    ``W[i, j] = s_i * t_ij / sqrt(cols)``. ``t`` is Student t with ``tail_df`` degrees of
    freedom scaled to unit variance (heavy tails; ``tail_df=None`` gives N(0,1), the Gaussian
    weights QLoRA's NF4 is built for: Dettmers et al. 2023 take pretrained weights as
    zero-centred normal). ``s_i``, one per output channel, is log-normal, ``exp(N(0,
    channel_sigma**2))``: channels of different ranges, the reason per-channel scales exist.
    Defaults ``tail_df=5`` (excess kurtosis 6) and ``channel_sigma=0.5`` (the middle 95% of
    channel scales within a factor of e**2 = 7.4 of each other) are ours. SmoothQuant (Xiao et
    al. 2022) finds weights "flat and easy to quantize" next to activations: these tails are
    modest on purpose.
:func:`activations` (``tokens`` x ``hidden``; hidden is the reduction axis)
    N(0,1) values, and a few fixed outlier channels (the same channels for every token) scaled
    by factors drawn log-uniformly from ``outlier_range``. The fraction ``outlier_fraction`` =
    0.1% of the channels (at least one) follows LLM.int8() (Dettmers et al. 2022): systematic
    large-magnitude outlier features in about 0.1% of the hidden dimensions once models pass
    ~6.7B parameters (its mixed-precision decomposition keeps more than 99.9% of the values in
    8 bits). The factors 20 to 100 follow the issue's summary of LLM.int8() and SmoothQuant;
    100 is SmoothQuant's "activation outliers are about 100x larger than most activation
    values", in fixed channels. The per-token N(0,1) base and the log-uniform draw are ours.
:func:`kcache` (``rows`` keys x ``channels``; channels are the reduction axis of ``q . k``)
    The block study's K-cache data (:func:`arithbench.reports.block_error.make_data`, data set
    ``outliers``): N(0,1) keys with 1/32 of the channels scaled by 40, and queries with the same
    channels scaled by 4 (Trukhanov & Soloveychik's setting of outlier channels in the K-cache).
:func:`gaussian` (any shape)
    N(0,1) values: the Gaussian weights of the NF4-against-FP4 comparison.

:func:`generate` takes a data set's name from :data:`DATASETS`, a shape and a seed.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import UsageError
from .block_error import make_data

#: LLM.int8(): outlier features in about 0.1% of the hidden dimensions from ~6.7B parameters.
OUTLIER_FRACTION = 0.001
#: Outlier channels' magnitude against the rest (LLM.int8() and SmoothQuant, as the issue puts it).
OUTLIER_RANGE = (20.0, 100.0)
#: Ours: Student t degrees of freedom of the weights' tails, and the spread of log channel scales.
TAIL_DF = 5.0
CHANNEL_SIGMA = 0.5


def _shape(name: str, *sizes) -> tuple[int, ...]:
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise UsageError(f"{name}: sizes must be positive integers, not {sizes!r}")
    return tuple(int(s) for s in sizes)


def weights(rows: int, cols: int, seed: int = 0, *, tail_df: float | None = TAIL_DF,
            channel_sigma: float = CHANNEL_SIGMA) -> np.ndarray:
    """A ``rows`` x ``cols`` weight matrix (output channels x input features), float64."""
    rows, cols = _shape("weights", rows, cols)
    if tail_df is not None and not tail_df > 2:
        raise UsageError(f"tail_df must be above 2 (a finite variance) or None (Gaussian), not {tail_df!r}")
    if not channel_sigma >= 0:
        raise UsageError(f"channel_sigma must be 0 or more, not {channel_sigma!r}")
    rng = np.random.default_rng(seed)
    if tail_df is None:
        t = rng.standard_normal((rows, cols))
    else:
        t = rng.standard_t(tail_df, (rows, cols)) / np.sqrt(tail_df / (tail_df - 2))
    channel = np.exp(channel_sigma * rng.standard_normal((rows, 1)))
    return channel * t / np.sqrt(cols)


def outlier_channels(hidden: int, seed: int = 0, *, fraction: float = OUTLIER_FRACTION,
                     factor_range: tuple[float, float] = OUTLIER_RANGE) -> tuple[np.ndarray, np.ndarray]:
    """(outlier channel indices, their factors) of :func:`activations` with the same arguments."""
    (hidden,) = _shape("activations", hidden)
    low, high = factor_range
    if not 0 <= fraction <= 1 or not 0 < low <= high:
        raise UsageError(f"outlier fraction must be in [0, 1] and factors 0 < low <= high, not {fraction!r}, "
                         f"{factor_range!r}")
    rng = np.random.default_rng([seed, 1])
    count = max(1, round(fraction * hidden)) if fraction > 0 else 0
    channels = np.sort(rng.choice(hidden, count, replace=False))
    factors = np.exp(rng.uniform(np.log(low), np.log(high), count))
    return channels, factors


def activations(tokens: int, hidden: int, seed: int = 0, *, outlier_fraction: float = OUTLIER_FRACTION,
                outlier_range: tuple[float, float] = OUTLIER_RANGE) -> np.ndarray:
    """A ``tokens`` x ``hidden`` activation matrix with fixed outlier channels, float64."""
    tokens, hidden = _shape("activations", tokens, hidden)
    channels, factors = outlier_channels(hidden, seed, fraction=outlier_fraction, factor_range=outlier_range)
    x = np.random.default_rng([seed, 0]).standard_normal((tokens, hidden))
    x[:, channels] *= factors
    return x


def kcache(rows: int, channels: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(keys, queries), each ``rows`` x ``channels``: the block study's outlier K-cache data."""
    rows, channels = _shape("kcache", rows, channels)
    return make_data("outliers", rows, channels, seed)


def gaussian(shape, seed: int = 0) -> np.ndarray:
    """N(0,1) values of ``shape``."""
    shape = _shape("gaussian", *np.atleast_1d(shape).tolist())
    return np.random.default_rng(seed).standard_normal(shape)


#: Data sets by name: a generator of (shape, seed) -> one array (the K-cache: its keys).
DATASETS = {
    "weights": lambda shape, seed: weights(*shape, seed),
    "gaussian": lambda shape, seed: gaussian(shape, seed),
    "activations": lambda shape, seed: activations(*shape, seed),
    "kcache": lambda shape, seed: kcache(*shape, seed)[0],
}


def generate(name: str, shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """The data set ``name`` (:data:`DATASETS`) of ``shape`` (two sizes: rows, then the reduction
    axis), seeded."""
    if name not in DATASETS:
        raise UsageError(f"unknown data set {name!r}: use one of {', '.join(DATASETS)}")
    shape = tuple(shape)
    if len(shape) != 2:
        raise UsageError(f"{name}: shape is (rows, reduction axis), not {shape!r}")
    return DATASETS[name](shape, seed)
