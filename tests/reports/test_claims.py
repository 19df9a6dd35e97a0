"""Verdict rules of the block and DFP claims follow the figures they are given."""

from arithbench.reports.claims import block_claims, dfp_claims


def _block(dot_reordered):
    return [{"format": "bfp12", "data": "outliers", "quant_err_plain": 0.2, "quant_err_reordered": 0.1,
             "dot_err_plain": 0.01, "dot_err_reordered": dot_reordered},
            {"format": "bfp16", "data": "outliers", "quant_err_plain": 0.02, "quant_err_reordered": 0.01,
             "dot_err_plain": 0.001, "dot_err_reordered": 0.001}]


def test_block_claim_holds_only_within_twice_the_larger_format_error():
    assert block_claims(_block(0.0015))[0]["verdict"] == "holds"
    assert block_claims(_block(0.01))[0]["verdict"] == "does not hold"


def test_dfp_claim_needs_the_bound_when_unbounded_sums_overflow():
    dfp = [{"data": "normal", "length": 4096, "bound": b, "mean_err": e}
           for b, e in ((1, 1e-6), (64, 1e-3), ("never", 1e-2))]
    dot = [{"method": "fp8 e4m3", "data": "normal", "length": 4096, "mean_err": 5e-4}]
    row = dfp_claims(dfp, dot)[0]
    assert row["verdict"] == "holds with conditions" and "every 1 steps" in row["figure"]
    dfp[-1]["mean_err"] = 1e-4
    assert dfp_claims(dfp, dot)[0]["verdict"] == "holds"
