"""Four-, six- and eight-bit numbers with scales on LLM-like data, and the FP4/FP6 papers' claims.

Data (:mod:`arithbench.reports.llm_data`, seeded from the study's seed): ``weights`` (``size`` x
``size``, Student t tails and log-normal per-output-channel scales), ``activations``
(:data:`TOKENS` tokens x ``size``, N(0,1) with 0.1% outlier channels, at least one, 20-100x) and,
for NF4 against FP4, ``gaussian`` weights (N(0,1), ``size`` x ``size``). Every tensor is scaled
along its last axis, the reduction axis of ``y = W x``: ``channel`` is one scale per row (per
output channel of the weights, per token of the activations), ``tensor`` one scale, a number a
group of that many elements.

Two kinds of row:

* a tensor's quantization (``data`` = weights, activations or gaussian): each element format x
  granularity x scale type x rounding of :func:`configs` through
  :func:`arithbench.models.scaled.quantize_scaled`. ``sqnr_db`` = 10 log10(sum x^2 / sum (q -
  x)^2); ``mean_rel`` = mean |q - x| / mean |x| (a per-element ratio would be ruled by values near
  zero); ``out_err`` = ||W' X' - W X|| / ||W X|| (Frobenius, float64) over the TOKENS
  matrix-vector products with this tensor quantized and the other exact.
* a deployment (``data`` = W4A8, W4A16, W6A16, W8A8): weights and activations both quantized
  (``A16``: activations rounded to fp16, RNE), ``format``, ``group`` and ``scale`` as ``weights /
  activations``; ``sqnr_db`` and ``mean_rel`` are then the output's, ``out_err`` as above.

``bits_per_element`` counts the scales (an fp16 scale per 32 elements adds 0.5 bits; NVFP4's fp32
tensor scale is counted too); a deployment's is its weights'. :func:`claims` judges the papers'
claims on these rows.
"""

from __future__ import annotations

import numpy as np

from ..errors import UsageError
from ..models.scaled import quantize_scaled
from . import llm_data

#: Matrix sizes the study takes (``size`` x ``size`` weights): multiples of the largest group.
DEFAULT_SIZE, MIN_SIZE, MAX_SIZE, STEP = 1024, 128, 8192, 128
#: Activation vectors (tokens): the matrix-vector products whose outputs are measured.
TOKENS = 32
COLUMNS = ("data", "format", "group", "scale", "rounding", "bits_per_element", "sqnr_db", "mean_rel", "out_err")

FOUR, SIX, EIGHT = ("e2m1", "int4", "nf4"), ("e2m3", "e3m2"), ("int8", "e4m3", "e5m2")
GROUPS = ("tensor", "channel", 128, 32)
#: Scale types per granularity: one fp32 scale per tensor or row costs nothing; groups take fp16
#: (what GPTQ/AWQ-style kernels store), MX's E8M0 (OCP floor rule) and fp16 rounded up to a power
#: of two (ZeroQuant-FP's constraint).
GROUP_SCALES = ("fp16", "e8m0", "fp16 pow2")
NVFP4 = ("e2m1", 16, "e4m3")  # NVFP4: an e4m3 scale per 16, an fp32 scale per tensor


#: The scale rules the hardware section prices (block_quant), as scale names of the table: MXFP4
#: (e2m1 in groups of 32) by each E8M0 rule (rceil is ceil's circuit and values), NVFP4 by each
#: rounding of its e4m3 scale.
MX_RULES = ("e8m0", "e8m0 ceil", "e8m0 even")
NVFP4_RULES = ("e4m3", "e4m3 rup")


def _options(scale: str) -> dict:
    """A scale name of the table as quantize_scaled's options: "fp16 pow2", "e8m0 ceil" (an MX
    rule; plain e8m0 is OCP's floor), "e4m3 rup" (NVFP4's scale rounding; plain e4m3 is rne)."""
    name, *option = scale.split()
    if not option:
        return {"scale": name}
    return {"scale": name, **{"fp16": {"pow2": True}, "fp32": {"pow2": True}, "e8m0": {"rule": option[0]},
                              "e4m3": {"scale_rounding": option[0]}}[name]}


def configs() -> list[tuple[str, object, str, str]]:
    """(element, group, scale, rounding) of every tensor row; scale names as in the table."""
    out = []
    for elem in FOUR + SIX + EIGHT:
        out += [(elem, g, "fp32", "rne") for g in ("tensor", "channel")]
        out += [(elem, g, s, "rne") for g in GROUPS[2:] for s in GROUP_SCALES
                if not (s == "fp16 pow2" and elem not in ("e2m1", "int4"))]
    out += [("e2m1", 16, "fp16", "rne"), (*NVFP4, "rne"), ("llm-fp4", "tensor", "fp32", "rne"),
            ("llm-fp4", "channel", "fp32", "rne")]
    out += [("e2m1", 32, rule, "rne") for rule in MX_RULES[1:]] + [("e2m1", 16, "e4m3 rup", "rne")]
    # stochastic rounding, a subset: the 4-bit group formats people deploy
    out += [("e2m1", 32, "fp16", "sr"), ("int4", 128, "fp16", "sr"), (*NVFP4, "sr"), ("e2m1", 32, "e8m0", "sr")]
    return out


#: NF4 against FP4 on Gaussian weights (Dettmers et al.'s setting; int4 for reference).
GAUSSIAN = [(e, g, "fp16" if isinstance(g, int) else "fp32", "rne") for e in FOUR for g in ("channel", 128, 32)]

#: Deployments: name -> (weights' config, activations' config or None for fp16 activations).
DEPLOYMENTS = {
    "W4A8": [(("int4", 128, "fp16"), ("int8", "channel", "fp32")),
             (("e2m1", 128, "fp16"), ("e4m3", "channel", "fp32")),
             (("e2m1", 128, "fp16 pow2"), ("e4m3", "channel", "fp32"))],
    "W4A16": [(("int4", 128, "fp16"), None), (("e2m1", 128, "fp16"), None), (("nf4", 128, "fp16"), None),
              (("e2m1", 32, "e8m0"), None), (NVFP4, None), (("llm-fp4", "channel", "fp32"), None)],
    "W6A16": [(("e3m2", "channel", "fp32"), None), (("e2m3", "channel", "fp32"), None),
              (("e3m2", 32, "e8m0"), None)],
    "W8A8": [(("int8", "channel", "fp32"), ("int8", "channel", "fp32")),
             (("int8", "channel", "fp32"), ("e4m3", "channel", "fp32")),
             (("e4m3", "channel", "fp32"), ("e4m3", "channel", "fp32"))],
}


def quantize(x: np.ndarray, elem: str, group, scale: str, rounding: str = "rne", seed: int = 0):
    """(dequantized values, bits per element) of ``x`` in one configuration of the table."""
    if elem == "llm-fp4":
        q = quantize_scaled(x, elem, group=group, rounding=rounding, seed=seed if rounding == "sr" else None)
    else:
        q = quantize_scaled(x, elem, group=group, rounding=rounding, seed=seed if rounding == "sr" else None,
                            **_options(scale))
    return q.values, float(q.bits_per_element)


def _sqnr(q: np.ndarray, x: np.ndarray) -> float:
    noise = float(np.sum((q - x) ** 2))
    return float("inf") if noise == 0 else float(10 * np.log10(np.sum(x ** 2) / noise))


def _rel(q: np.ndarray, x: np.ndarray) -> float:
    return float(np.mean(np.abs(q - x)) / np.mean(np.abs(x)))


def _out_err(y: np.ndarray, exact: np.ndarray) -> float:
    return float(np.linalg.norm(y - exact) / np.linalg.norm(exact))


def data(size: int, seed: int) -> dict[str, np.ndarray]:
    """The study's tensors: weights, activations (TOKENS x size), gaussian weights."""
    return {"weights": llm_data.generate("weights", (size, size), seed),
            "activations": llm_data.generate("activations", (TOKENS, size), seed + 1),
            "gaussian": llm_data.generate("gaussian", (size, size), seed + 2)}


def check_size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not MIN_SIZE <= size <= MAX_SIZE \
            or size % STEP:
        raise UsageError(f"--size must be a multiple of {STEP} from {MIN_SIZE} to {MAX_SIZE:,} (the matrix is size x "
                         f"size), not {size!r}")
    return int(size)


def rows(size: int | None = None, seed: int = 1) -> list[dict]:
    """The table: tensor rows (weights, activations, gaussian), then the deployments."""
    size = check_size(DEFAULT_SIZE if size is None else size)
    d = data(size, seed)
    w, x, gw = d["weights"], d["activations"], d["gaussian"]
    exact, gexact = w @ x.T, gw @ x.T  # the Gaussian weights meet the same activations
    out, cache = [], {}
    kept = {("weights", *wcfg, "rne") for pairs in DEPLOYMENTS.values() for wcfg, _ in pairs} | \
        {("activations", *acfg, "rne") for pairs in DEPLOYMENTS.values() for _, acfg in pairs if acfg is not None}
    for name, tensor, cfgs in (("weights", w, configs()), ("activations", x, configs()), ("gaussian", gw, GAUSSIAN)):
        for elem, group, scale, rounding in cfgs:
            q, bits = quantize(tensor, elem, group, scale, rounding, seed + 3)
            if (name, elem, group, scale, rounding) in kept:  # only the deployments' tensors: each is size**2 floats
                cache[(name, elem, group, scale, rounding)] = q
            y = {"weights": lambda: q @ x.T, "activations": lambda: w @ q.T, "gaussian": lambda: q @ x.T}[name]()
            out.append({"data": name, "format": elem, "group": str(group), "scale": scale, "rounding": rounding,
                        "bits_per_element": bits, "sqnr_db": _sqnr(q, tensor), "mean_rel": _rel(q, tensor),
                        "out_err": _out_err(y, gexact if name == "gaussian" else exact)})
    x16 = x.astype(np.float16).astype(np.float64)
    for deployment, pairs in DEPLOYMENTS.items():
        for wcfg, acfg in pairs:
            wq = cache[("weights", *wcfg, "rne")]
            wbits = next(r["bits_per_element"] for r in out if r["data"] == "weights" and
                         (r["format"], r["group"], r["scale"], r["rounding"]) == (wcfg[0], str(wcfg[1]), wcfg[2], "rne"))
            xq = x16 if acfg is None else cache[("activations", *acfg, "rne")]
            y = wq @ xq.T
            a = ("fp16", "-", "-") if acfg is None else acfg
            out.append({"data": deployment, "format": f"{wcfg[0]} / {a[0]}", "group": f"{wcfg[1]} / {a[1]}",
                        "scale": f"{wcfg[2]} / {a[2]}", "rounding": "rne", "bits_per_element": wbits,
                        "sqnr_db": _sqnr(y, exact), "mean_rel": _rel(y, exact), "out_err": _out_err(y, exact)})
    return out


def title(size: int, seed: int) -> str:
    return (f"Scaled 4-, 6- and 8-bit formats on LLM-like data (arithbench.reports.llm_data, seed {seed}: weights "
            f"{size:,} x {size:,}, activations {TOKENS} tokens x {size:,} with outlier channels, Gaussian weights "
            f"{size:,} x {size:,}): SQNR, mean relative error and the error of y = W x over {TOKENS} tokens")


# --- the claims -------------------------------------------------------------------------------

def _find(rows: list[dict], data: str, fmt: str, group, scale: str, rounding: str = "rne") -> dict:
    return next(r for r in rows if (r["data"], r["format"], r["group"], r["scale"], r["rounding"])
                == (data, fmt, str(group), scale, rounding))


def _verdict(ratio: float, low: float, high: float) -> str:
    """The cost claims' rule (:data:`arithbench.reports.costs.VERDICT_RULE`) on error ratios."""
    from .costs import _verdict as verdict

    return verdict(ratio, low, high)


#: Claimed ranges of the error ratio (the claim's format over the reference), and their words.
BETTER = (0.0, 1.0, "error ratio below 1x")
COMPARABLE = (0.0, 1.25, "error ratio at most 1.25x")
EQUAL = (0.8, 1.25, "error ratio 0.8x to 1.25x")


def _claim(claim: str, basis: str, claimed: tuple, a: dict, b: dict, name_a: str, name_b: str,
           key: str = "out_err") -> dict:
    from .wording import ratio as words

    ra, rb = a[key], b[key]
    r = ra / rb
    measure = "output error" if key == "out_err" else "relative RMS error"
    return {"claim": claim, "basis": basis, "claimed": claimed[2], "measured": f"{words(r)} ({name_a} vs {name_b})",
            "figure": f"{measure} {ra:.4g} ({name_a}, {a['bits_per_element']:.3g} bits) vs {rb:.4g} ({name_b}, "
                      f"{b['bits_per_element']:.3g} bits); ratio {r:.3g}",
            "verdict": _verdict(r, claimed[0], claimed[1]), "ratio": r}


def _rms(row: dict) -> dict:
    """A tensor row with its relative RMS quantization error, 10**(-sqnr/20)."""
    return {**row, "rms_err": 10 ** (-row["sqnr_db"] / 20)}


def claims(rows: list[dict]) -> list[dict]:
    """The FP4/FP6 papers' claims on the LLM-like data, as ratios of errors (the claim's format
    over the reference): output error of y = W x, or for a tensor alone its relative RMS error
    10**(-SQNR/20). Claimed ranges: 'better' below 1x, 'comparable or better' and 'negligible
    cost' at most 1.25x, 'equally good' 0.8x to 1.25x; verdicts by the cost claims' rule."""
    f = lambda *k: _find(rows, *k)  # noqa: E731
    deploy = lambda name, fmt, group, scale: _find(rows, name, fmt, group, scale)  # noqa: E731
    out = [_claim("FP8 e4m3 activations are more accurate than INT8 (ZeroQuant-FP)",
                  "LLM-like activations (outlier channels), per-token fp32 scales; W8A8 output error, int8 "
                  "per-channel weights", BETTER,
                  deploy("W8A8", "int8 / e4m3", "channel / channel", "fp32 / fp32"),
                  deploy("W8A8", "int8 / int8", "channel / channel", "fp32 / fp32"), "e4m3 activations",
                  "int8 activations")]
    for g in (128, 32):
        out.append(_claim("FP4 weights are as accurate as INT4 or better at equal group size (ZeroQuant-FP)",
                          f"LLM-like weights, groups of {g}, fp16 scales; output error with exact activations",
                          COMPARABLE, f("weights", "e2m1", g, "fp16"), f("weights", "int4", g, "fp16"),
                          f"e2m1 g{g}", f"int4 g{g}"))
    out.append(_claim("W4A8 with power-of-two weight scales (FP4-to-FP8 cast by shift) costs little accuracy "
                      "(ZeroQuant-FP)", "LLM-like data, W4A8: e2m1 weights in groups of 128, e4m3 per-token "
                      "activations; output error", COMPARABLE,
                      deploy("W4A8", "e2m1 / e4m3", "128 / channel", "fp16 pow2 / fp32"),
                      deploy("W4A8", "e2m1 / e4m3", "128 / channel", "fp16 / fp32"), "pow2 scales", "fp16 scales"))
    out.append(_claim("FP6 e3m2 weights per channel beat INT4 in groups of 128 (ZeroQuant(4+2))",
                      "LLM-like weights; output error with exact activations", BETTER,
                      f("weights", "e3m2", "channel", "fp32"), f("weights", "int4", 128, "fp16"),
                      "e3m2 per channel", "int4 g128"))
    for g in (128, 32):
        out.append(_claim("NF4 and FP4 are equally good 4-bit formats for Gaussian weights (NF4 vs FP4 study)",
                          f"Gaussian weights N(0,1), groups of {g}, fp16 scales; relative RMS error", EQUAL,
                          _rms(f("gaussian", "nf4", g, "fp16")), _rms(f("gaussian", "e2m1", g, "fp16")),
                          f"nf4 g{g}", f"e2m1 g{g}", "rms_err"))
    out.append(_claim("LLM-FP4's search over exponent bits and clipping beats plain e2m1 (LLM-FP4)",
                      "LLM-like weights, per channel, fp32 scales; output error with exact activations", BETTER,
                      f("weights", "llm-fp4", "channel", "fp32"), f("weights", "e2m1", "channel", "fp32"),
                      "llm-fp4", "e2m1"))
    out.append(_claim("LLM-FP4's search over exponent bits and clipping beats plain e2m1 (LLM-FP4)",
                      "LLM-like activations (outlier channels), one fp32 scale per tensor; output error", BETTER,
                      f("activations", "llm-fp4", "tensor", "fp32"), f("activations", "e2m1", "tensor", "fp32"),
                      "llm-fp4", "e2m1"))
    for data in ("weights", "activations"):
        out.append(_claim("NVFP4 is more accurate than MXFP4 (NVIDIA)",
                          f"LLM-like {data}{' (outlier channels)' if data == 'activations' else ''}; output error",
                          BETTER, f(data, *NVFP4), f(data, "e2m1", 32, "e8m0"), "nvfp4", "mxfp4"))
    return out


# --- the report's finding and plot ------------------------------------------------------------

def _parts(row: dict) -> tuple[str, str, str]:
    """A deployment row's weights: (format, group, scale)."""
    return tuple(row[k].split(" / ")[0] for k in ("format", "group", "scale"))


def option_name(row: dict) -> str:
    """A 4-bit weight option in words: "NVFP4 (...)", "MXFP4 (...)", "int4 in groups of 128, fp16 scales"."""
    fmt, group, scale = _parts(row)
    if (fmt, group, scale) == (NVFP4[0], str(NVFP4[1]), NVFP4[2]):
        return "NVFP4 (e2m1, an e4m3 scale per 16 and an fp32 one per tensor)"
    if (fmt, group, scale) == ("e2m1", "32", "e8m0"):
        return "MXFP4 (e2m1, an E8M0 scale per 32)"
    where = {"tensor": "per tensor", "channel": "per channel"}.get(group, f"in groups of {group}")
    return f"{fmt} {where}, {scale} scales"


def finding(rows: list[dict]) -> str | None:
    """The most important finding for the Summary: which 4-bit weight option gives the least
    W4A16 output error on the LLM-like data, against INT4 in groups of 128 (GPTQ's and AWQ's
    usual setting), and the best one at 4.25 bits per element or fewer if that is another."""
    from .wording import against

    four = [r for r in rows if r["data"] == "W4A16"]
    ref = next((r for r in four if _parts(r) == ("int4", "128", "fp16")), None)
    if not four or ref is None:
        return None
    best = min(four, key=lambda r: (r["out_err"], r["bits_per_element"]))
    text = (f"On the LLM-like weights, {option_name(best)} gives the least W4A16 output error of the "
            f"{len(four)} 4-bit weight options: {best['out_err']:.3g} at {best['bits_per_element']:.3g} bits per "
            f"element (scales counted)")
    if best is not ref:
        text += (f", {against(best['out_err'], ref['out_err'])} INT4 in groups of 128 ({ref['out_err']:.3g} at "
                 f"{ref['bits_per_element']:.3g} bits)")
    lean = [r for r in four if r["bits_per_element"] <= 4.25]
    if lean and (cheap := min(lean, key=lambda r: (r["out_err"], r["bits_per_element"]))) is not best:
        text += (f"; at 4.25 bits or fewer, {option_name(cheap)} is best ({cheap['out_err']:.3g} at "
                 f"{cheap['bits_per_element']:.3g} bits)")
    return text + "."


def plot(rows: list[dict], path) -> None:
    """Output error of y = W x against bits per element (scales counted): the weights' formats
    (exact activations), one marker per element, and the deployments as crosses."""
    from .plots import pyplot, save

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    tensor = [r for r in rows if r["data"] == "weights" and r["rounding"] == "rne"]
    markers = dict(zip(FOUR + SIX + EIGHT + ("llm-fp4",), "os^vDPXp*"))
    for elem in dict.fromkeys(r["format"] for r in tensor):
        pts = [r for r in tensor if r["format"] == elem]
        ax.scatter([r["bits_per_element"] for r in pts], [r["out_err"] for r in pts], marker=markers.get(elem, "o"),
                   label=f"{elem} weights", alpha=0.8, s=22)
    for i, name in enumerate(DEPLOYMENTS):
        pts = [r for r in rows if r["data"] == name]
        ax.scatter([r["bits_per_element"] for r in pts], [r["out_err"] for r in pts], marker="x", s=50,
                   color=f"C{i + 5}", label=f"{name} (weights' bits)")
    ax.set_yscale("log")
    ax.set_xlabel("bits per element, scales counted")
    ax.set_ylabel("||W'x' - Wx|| / ||Wx||")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    save(plt, fig, path)
