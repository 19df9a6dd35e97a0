"""Dot-product error of the MAC arithmetics against float64, by length and data.

The error of one dot product is ``|approx - exact| / (||x|| * ||y||)`` (normalised so that
dot products near zero do not blow it up); tables give the mean over ``trials`` independent
vector pairs. Methods, all accumulating sequentially, one rounding per step:

* ``int8``: per-tensor symmetric scale ``max|x| / 127``, RNE; INT32 accumulation (exact here);
* ``fp8 e4m3``/``fp8 e5m2``: inputs rounded (RNE, saturating), exact products, fp32 accumulator
  (the ``fp8_mac`` model);
* ``lmul m=3``/``lmul m=4``: inputs rounded to e8m3/e8m4, L-Mul products, fp32 accumulator;
* ``dfp16``: Dynamic Fixed Point, RNE, ``int16_fma`` steps, partial sums to fp32 every ``DFP_BOUND``
  steps (the unit wraps on INT32 overflow: see :func:`dfp_rows` for other bounds).
"""

from __future__ import annotations

import numpy as np

from ..models import dfp
from ..models.codec import encode, round_signed
from ..models.formats import float_format
from ..models.fpmac import accumulate, fp_mac
from ..models.lmul import lmul_values
from .error import DISTRIBUTIONS, sample

LENGTHS = (16, 64, 256, 1024, 4096)
METHODS = ("int8", "fp8 e4m3", "fp8 e5m2", "lmul m=3", "lmul m=4", "dfp16")
FP32 = float_format("fp32")


def _int8(x, y):
    sx, sy = np.max(np.abs(x), axis=1, keepdims=True) / 127, np.max(np.abs(y), axis=1, keepdims=True) / 127
    qx, qy = round_signed(x / sx), round_signed(y / sy)
    return np.sum(qx * qy, axis=1) * sx[:, 0] * sy[:, 0]


def _fp8(name, x, y):
    fmt = float_format(name)
    a, b = encode(fmt, x, sat=True), encode(fmt, y, sat=True)
    acc = np.zeros(x.shape[0], np.int64)
    for i in range(x.shape[1]):
        acc = fp_mac(fmt, FP32, a[:, i], b[:, i], acc)
    return acc.astype(np.uint32).view(np.float32).astype(np.float64)


def _lmul(m, x, y):
    products = lmul_values(x, y, m)
    acc = np.zeros(x.shape[0], np.int64)
    for i in range(x.shape[1]):
        acc = accumulate(FP32, acc, products[:, i], rounding="rne", sat=False)
    return acc.astype(np.uint32).view(np.float32).astype(np.float64)


#: FMA steps (two products each) between moves of the DFP16 partial sum to fp32.
DFP_BOUND = 64


def _dfp(x, y, bound=DFP_BOUND):
    out = np.empty(x.shape[0])
    for t in range(x.shape[0]):
        qx, ex = dfp.quantize(x[t])
        qy, ey = dfp.quantize(y[t])
        out[t] = dfp.dot(qx[None], ex, qy[None], ey, bound=bound)[0]
    return out


def method_result(method: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if method == "int8":
        return _int8(x, y)
    if method.startswith("fp8"):
        return _fp8(method.split()[1], x, y)
    if method.startswith("lmul"):
        return _lmul(int(method[-1]), x, y)
    if method == "dfp16":
        return _dfp(x, y)
    raise ValueError(method)


def normalised_error(approx, x, y):
    exact = np.sum(x * y, axis=1)
    return np.abs(approx - exact) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))


def _data(trials: int, seed: int, lengths):
    """(distribution, length, x, y): ``trials`` vector pairs per distribution and length."""
    for d, dist in enumerate(DISTRIBUTIONS):
        for n in lengths:
            x = sample(dist, trials * n, seed + 10 * d).reshape(trials, n)
            y = sample(dist, trials * n, seed + 10 * d + 1).reshape(trials, n)
            yield dist, n, x, y


def rows(trials: int = 64, seed: int = 1, lengths=LENGTHS) -> list[dict]:
    out = []
    for dist, n, x, y in _data(trials, seed, lengths):
        for method in METHODS:
            err = normalised_error(method_result(method, x, y), x, y)
            out.append({"method": method, "data": dist, "length": n, "trials": trials,
                        "mean_err": float(np.mean(err)), "q10_err": float(np.quantile(err, 0.1)),
                        "q90_err": float(np.quantile(err, 0.9)), "max_err": float(np.max(err))})
    return out


def dfp_rows(trials: int = 64, seed: int = 1, lengths=LENGTHS, bounds=(1, 16, 64, 256, 0)) -> list[dict]:
    """DFP16 error against length and partial-sum bound (0: never moved out)."""
    out = []
    for dist, n, x, y in _data(trials, seed, lengths):
        for bound in bounds:
            err = normalised_error(_dfp(x, y, bound), x, y)
            out.append({"method": "dfp16", "data": dist, "length": n, "bound": bound or "never",
                        "mean_err": float(np.mean(err)), "max_err": float(np.max(err))})
    return out
