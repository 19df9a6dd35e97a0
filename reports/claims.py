"""Claims judged from the block-format, DFP and low-bit studies (BACKGROUND sections 4, 5 and 9)."""

from __future__ import annotations

from .wording import ratio as _times_text


def block_claims(block_rows: list[dict]) -> list[dict]:
    """Trukhanov & Soloveychik: reordering K-cache channels allows a ~2x smaller K-cache
    (bfp12, 4.5 bits per element, instead of bfp16, 8.5) with a small accuracy loss. Judged on
    the outlier data: 'holds' if reordered bfp12's dot-product error is within 2x of plain
    bfp16's, else 'does not hold' (the figure also shows what reordering does to bfp12)."""
    by = {(r["format"], r["data"]): r for r in block_rows}
    small, big = by[("bfp12", "outliers")], by[("bfp16", "outliers")]
    ratio = small["dot_err_reordered"] / big["dot_err_plain"]
    verdict = "holds" if ratio <= 2 else "does not hold"
    return [{
        "claim": "Channel reordering lets a ~2x smaller K-cache keep accuracy (Trukhanov & Soloveychik)",
        "basis": "outlier data: bfp12 reordered vs bfp16 as is; K-cache dot-product and quantization error",
        "claimed": "bfp12 reordered / bfp16 dot error at most 2x (4.5 vs 8.5 bits per element)",
        "measured": _times_text(ratio),
        "figure": f"dot error {small['dot_err_reordered']:.4g} vs {big['dot_err_plain']:.4g} (x{ratio:.1f}); "
                  f"reordering moves bfp12 quantization error {small['quant_err_plain']:.4g} -> "
                  f"{small['quant_err_reordered']:.4g} and dot error {small['dot_err_plain']:.4g} -> "
                  f"{small['dot_err_reordered']:.4g}",
        "verdict": verdict,
    }]


def dfp_claims(dfp_rows: list[dict], dot_rows: list[dict]) -> list[dict]:
    """Das et al.: INT16 Dynamic Fixed Point with INT32 accumulators, partial sums moved out
    before they overflow, trains as accurately as fp32. Judged on the longest N(0,1) dot
    products: 'holds with conditions' when the bounded DFP16 error is below fp8's (fp32
    accumulator) but the unbounded one is not."""
    longest = max(r["length"] for r in dfp_rows)
    rows = {r["bound"]: r for r in dfp_rows if r["data"] == "normal" and r["length"] == longest}
    bounded = min(rows[b]["mean_err"] for b in rows if b != "never")
    best_bound = next(b for b in rows if rows[b]["mean_err"] == bounded)
    fp8 = next(r["mean_err"] for r in dot_rows if r["method"] == "fp8 e4m3" and r["data"] == "normal"
               and r["length"] == longest)
    never = rows["never"]["mean_err"]
    verdict = "holds" if never <= fp8 else ("holds with conditions" if bounded <= fp8 else "does not hold")
    return [{
        "claim": "INT16 DFP with INT32 accumulation matches float accuracy (Das et al.)",
        "basis": f"N(0,1) dot products of length {longest}: DFP16 vs fp8 e4m3 MAC into fp32",
        "claimed": "DFP16/float error at most 1x",
        "measured": f"{_times_text(bounded / fp8)} with partial sums moved out, {_times_text(never / fp8)} never moved",
        "figure": f"DFP16 error {bounded:.3g} with partial sums moved out every {best_bound} steps, "
                  f"{never:.3g} never moved (INT32 overflow); fp8 e4m3 {fp8:.3g}",
        "verdict": verdict,
    }]


def lowbit_claims(lowbit_rows: list[dict]) -> list[dict]:
    """The FP4/FP6 papers' claims (LLM-FP4, ZeroQuant-FP, ZeroQuant(4+2), NF4 against FP4,
    NVFP4 against MXFP4), judged on the low-bit study's LLM-like data by
    :func:`arithbench.reports.lowbit_error.claims`: error ratios, the cost claims' verdict rule.
    The ratio itself stays out of the claims table's rows (its ``measured`` text gives it)."""
    from .lowbit_error import claims

    return [{k: v for k, v in c.items() if k != "ratio"} for c in claims(lowbit_rows)] if lowbit_rows else []


def by_claim(rows: list[dict]) -> list[dict]:
    """One row per claim, for reading the verdicts at a glance: the claim, what it claims, one
    verdict (the bases' own when they agree, else how many of them it holds on) and the checks
    behind it, one line per basis and operand format (``bases``: a summary and its lines)."""
    claims: dict[str, list[dict]] = {}
    for r in rows:
        claims.setdefault(r["claim"], []).append(r)
    out = []
    for claim, checks in claims.items():
        verdicts = [c["verdict"] for c in checks]
        held = sum(v != "does not hold" for v in verdicts)
        verdict = verdicts[0] if len(set(verdicts)) == 1 else f"mixed: holds on {held} of {len(checks)} checks"
        lines = tuple(f"{c['basis']}: {c['measured']} ({c['verdict']}); {c['figure']}"
                      + ("; by library: " + ", ".join(f"{x['library']} {x['measured'].split(' (')[0]} ({x['verdict']})"
                                                      for x in c["by_library"]) if "by_library" in c else "")
                      for c in checks)
        out.append({"claim": claim, "claimed": "; ".join(dict.fromkeys(c["claimed"] for c in checks)),
                    "verdict": verdict, "libraries": across_libraries(checks),
                    "checks": (f"{len(checks)} check{'s' if len(checks) > 1 else ''}: "
                               + ", ".join(dict.fromkeys(c["measured"] for c in checks)), lines)})
    return out


def across_libraries(checks: list[dict]) -> str:
    """Whether a claim's verdicts that depend on the cell library are the same on every library
    its checks were measured on: '-' for a claim with none, or measured on one library."""
    measured = [c for c in checks if "by_library" in c]
    if not measured:
        return "-"
    changed = [c for c in measured if len({x["verdict"] for x in c["by_library"]}) > 1]
    names = ", ".join(x["library"] for x in measured[0]["by_library"])
    if not changed:
        return f"same verdict on {names}"
    return f"changes on {len(changed)} of {len(measured)} checks: " + "; ".join(c["across"].split(": ", 1)[1]
                                                                             for c in changed)
