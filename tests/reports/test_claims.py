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


def test_the_claims_table_has_one_row_per_claim_with_one_verdict_and_its_checks_folded():
    from arithbench.reports.claims import by_claim
    from arithbench.reports.document import Table, to_html, to_markdown

    def check(claim, basis, verdict, measured):
        return {"claim": claim, "basis": basis, "claimed": "2x", "measured": measured, "figure": f"{basis} figure",
                "verdict": verdict}

    rows = by_claim([check("A", "Liberty", "holds", "2.1x"), check("A", "table", "holds", "1.9x"),
                     check("B", "Liberty", "does not hold", "5x"), check("B", "cells", "holds", "2.2x"),
                     check("B", "table", "does not hold", "6x"), check("C", "study", "does not hold", "0.00196x")])
    assert [(r["claim"], r["verdict"]) for r in rows] == [
        ("A", "holds"), ("B", "mixed: holds on 1 of 3 checks"), ("C", "does not hold")]
    summary, lines = rows[1]["checks"]
    assert summary == "3 checks: 5x, 2.2x, 6x" and lines[1] == "cells: 2.2x (holds); cells figure"
    page = to_html([Table(rows, ("claim", "claimed", "verdict", "checks"), "test")], "t")
    assert page.count("<tr>") == 1 + 3 and page.count("<details>") == 3
    assert '<td data-verdict="does not hold">does not hold</td>' in page
    assert "3 checks: 5x, 2.2x, 6x. Liberty: 5x (does not hold); Liberty figure / cells:" in to_markdown(
        [Table(rows, ("claim", "claimed", "verdict", "checks"), "test")])


def _library_rows(verdicts: dict) -> list[dict]:
    """Claim rows as cost_claims gives them on each library: a library-bound area check (its
    verdict per library from ``verdicts``) and an operation-table check that is not."""
    def rows(liberty):
        name = {None: "OSU 0.18 um"}.get(liberty, liberty)
        return [{"claim": "A", "basis": f"um^2 ({name})", "claimed": "2x", "measured": f"{verdicts[name][0]}x (e4m3)",
                 "figure": "f", "verdict": verdicts[name][1], "library": name},
                {"claim": "A", "basis": "operation table", "claimed": "2x", "measured": "1.9x", "figure": "g",
                 "verdict": "holds", "library": None}]
    return rows


def test_claims_across_libraries_give_each_librarys_ratio_and_say_when_a_verdict_changes(monkeypatch):
    from arithbench.reports import costs
    from arithbench.reports.claims import by_claim
    from arithbench.reports.findings import library_finding

    same = _library_rows({"OSU 0.18 um": (2.1, "holds"), "big.lib": (2.3, "holds")})
    monkeypatch.setattr(costs, "cost_claims", lambda root, liberty: same(liberty))
    rows = costs.claims_across([None, "big.lib"], root=None)
    assert [x["measured"] for x in rows[0]["by_library"]] == ["2.1x (e4m3)", "2.3x (e4m3)"]
    assert rows[0]["across"] == "same verdict on OSU 0.18 um, big.lib" and "by_library" not in rows[1]
    assert by_claim(rows)[0]["libraries"] == "same verdict on OSU 0.18 um, big.lib"
    assert library_finding(rows) is None

    moved = _library_rows({"OSU 0.18 um": (2.1, "holds"), "big.lib": (3.5, "holds with conditions")})
    monkeypatch.setattr(costs, "cost_claims", lambda root, liberty: moved(liberty))
    rows = costs.claims_across([None, "big.lib"], root=None)
    assert rows[0]["across"] == ("verdict changes with the library: holds on OSU 0.18 um; holds with conditions "
                                 "on big.lib")
    table = by_claim(rows)[0]
    assert table["libraries"].startswith("changes on 1 of 1 checks: holds on OSU 0.18 um")
    assert "by library: OSU 0.18 um 2.1x (holds), big.lib 3.5x (holds with conditions)" in table["checks"][1][0]
    assert library_finding(rows) == ("1 of 1 cost checks change their verdict between the cell libraries "
                                     "(OSU 0.18 um, big.lib): A on um^2, holds on OSU 0.18 um; holds with "
                                     "conditions on big.lib.")


def test_claims_on_one_library_say_nothing_of_libraries():
    from arithbench.reports.claims import by_claim

    rows = _library_rows({"OSU 0.18 um": (2.1, "holds")})(None)
    assert by_claim(rows)[0]["libraries"] == "-"
