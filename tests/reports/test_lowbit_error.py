"""The low-bit study (arithbench error lowbit): scaled 4-, 6- and 8-bit formats on LLM-like data,
the FP4/FP6 papers' claims judged from its rows, its command line and its finding."""

import json

import numpy as np
import pytest

import arithbench
from arithbench import cli
from arithbench.reports import lowbit_error as lb

SIZE = 256  # about 4 s


@pytest.fixture(scope="module")
def rows():
    return lb.rows(SIZE, seed=1)


def find(rows, data, fmt, group, scale, rounding="rne"):
    return lb._find(rows, data, fmt, group, scale, rounding)


def test_every_row_has_its_bits_with_the_scales_counted(rows):
    for r in rows:
        assert set(lb.COLUMNS) <= set(r)
        assert r["bits_per_element"] >= 4
    assert find(rows, "weights", "int4", 128, "fp16")["bits_per_element"] == 4 + 16 / 128
    assert find(rows, "weights", "e2m1", 32, "e8m0")["bits_per_element"] == 4 + 8 / 32
    assert find(rows, "weights", "e2m1", 16, "e4m3")["bits_per_element"] == 4 + 8 / 16 + 32 / SIZE ** 2
    assert find(rows, "W4A8", "int4 / int8", "128 / channel", "fp16 / fp32")["bits_per_element"] == 4 + 16 / 128


@pytest.mark.parametrize("data", ["weights", "activations"])
@pytest.mark.parametrize("group,scale", [("channel", "fp32"), (128, "fp16"), (32, "fp16")])
def test_sqnr_rises_with_bits_at_a_fixed_granularity(rows, data, group, scale):
    """At one granularity and scale type, int8 beats int4 and e2m3 beats e2m1 (two more mantissa
    bits), by more than 6 dB from the best 4-bit to the best 6/8-bit of the two pairs."""
    sqnr = {f: find(rows, data, f, group, scale)["sqnr_db"] for f in ("int4", "int8", "e2m1", "e2m3")}
    assert sqnr["int4"] < sqnr["int8"]
    assert sqnr["e2m1"] < sqnr["e2m3"]
    assert min(sqnr["e2m1"], sqnr["int4"]) + 6 < max(sqnr["e2m3"], sqnr["int8"])


def test_finer_groups_are_never_worse_than_per_tensor_for_int4_on_outlier_activations(rows):
    tensor = find(rows, "activations", "int4", "tensor", "fp32")
    for group in (128, 32):
        row = find(rows, "activations", "int4", group, "fp16")
        assert row["sqnr_db"] >= tensor["sqnr_db"] and row["out_err"] <= tensor["out_err"]
    # and the outliers make per-tensor int4 bad: its error is over 3x that of groups of 32
    assert tensor["out_err"] > 3 * find(rows, "activations", "int4", 32, "fp16")["out_err"]


def test_the_quantities_by_hand_for_one_row():
    d = lb.data(SIZE, 1)
    w, x = d["weights"], d["activations"]
    q = arithbench.quantize_scaled(w, "int4", group=128, scale="fp16").values
    row = next(r for r in lb.rows(SIZE, 1) if (r["data"], r["format"], r["group"], r["scale"]) ==
               ("weights", "int4", "128", "fp16"))
    assert row["sqnr_db"] == pytest.approx(10 * np.log10(np.sum(w ** 2) / np.sum((q - w) ** 2)))
    assert row["mean_rel"] == pytest.approx(np.mean(np.abs(q - w)) / np.mean(np.abs(w)))
    assert row["out_err"] == pytest.approx(np.linalg.norm((q - w) @ x.T) / np.linalg.norm(w @ x.T))


def test_the_claims_measured_ratios_come_from_the_rows(rows):
    claims = lb.claims(rows)
    assert len({c["claim"] for c in claims}) == 7
    nvfp4 = next(c for c in claims if c["claim"].startswith("NVFP4") and "weights" in c["basis"])
    by_hand = find(rows, "weights", "e2m1", 16, "e4m3")["out_err"] / find(rows, "weights", "e2m1", 32, "e8m0")["out_err"]
    assert nvfp4["ratio"] == pytest.approx(by_hand)
    assert nvfp4["measured"].startswith(f"{by_hand:#.3g}x")
    nf4 = next(c for c in claims if c["claim"].startswith("NF4") and "groups of 128" in c["basis"])
    sqnr = [find(rows, "gaussian", f, 128, "fp16")["sqnr_db"] for f in ("nf4", "e2m1")]
    assert nf4["ratio"] == pytest.approx(10 ** ((sqnr[1] - sqnr[0]) / 20))
    for c in claims:
        assert c["verdict"] in ("holds", "holds with conditions", "does not hold")
        low, high = {"error ratio below 1x": (0, 1), "error ratio at most 1.25x": (0, 1.25),
                     "error ratio 0.8x to 1.25x": (0.8, 1.25)}[c["claimed"]]
        assert (c["verdict"] == "holds") == (low <= c["ratio"] <= high)


def test_a_claim_that_fails_on_made_up_rows_says_so(rows):
    """Make int8 activations ten times better than e4m3: the FP8 claim no longer holds."""
    doctored = [dict(r) for r in rows]
    int8 = find(doctored, "W8A8", "int8 / int8", "channel / channel", "fp32 / fp32")
    int8["out_err"] = find(doctored, "W8A8", "int8 / e4m3", "channel / channel", "fp32 / fp32")["out_err"] / 10
    fp8 = next(c for c in lb.claims(doctored) if c["claim"].startswith("FP8"))
    assert fp8["verdict"] == "does not hold" and fp8["ratio"] == pytest.approx(10)


def test_the_command_line_prints_the_table_and_the_claims(capsys):
    assert cli.main(["error", "lowbit", "--size", "128", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "weights 128 x 128" in out and "seed 2" in out
    assert "data" in out and "bits_per_element" in out and "W4A8" in out and "W8A8" in out
    assert "Claims (LLM-FP4" in out
    assert out.count("[holds") + out.count("[does not hold]") == len(lb.claims(lb.rows(128, 2)))
    assert cli.main(["error", "lowbit", "--size", "128", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["size"] == 128 and len(result["claims"]) == 11


def test_bad_sizes_are_one_line_and_exit_2(capsys):
    assert cli.main(["error", "lowbit", "--size", "200"]) == 2
    assert "multiple of 128" in capsys.readouterr().err
    assert cli.main(["error", "dot", "--size", "256"]) == 2
    assert "--size applies to the lowbit study, not dot" in capsys.readouterr().err


def four_bit(fmt, group, scale, err, bits):
    return {"data": "W4A16", "format": f"{fmt} / fp16", "group": f"{group} / -", "scale": f"{scale} / -",
            "rounding": "rne", "bits_per_element": bits, "sqnr_db": 0.0, "mean_rel": 0.0, "out_err": err}


def test_the_finding_is_worded_from_the_numbers():
    rows = [four_bit("int4", 128, "fp16", 0.2, 4.125), four_bit("e2m1", 16, "e4m3", 0.1, 4.5),
            four_bit("nf4", 128, "fp16", 0.15, 4.125)]
    assert lb.finding(rows) == (
        "On the LLM-like weights, NVFP4 (e2m1, an e4m3 scale per 16 and an fp32 one per tensor) gives the least "
        "W4A16 output error of the 3 4-bit weight options: 0.1 at 4.5 bits per element (scales counted), "
        "1/2.00 of INT4 in groups of 128 (0.2 at 4.12 bits); at 4.25 bits or fewer, nf4 in groups of 128, fp16 "
        "scales is best (0.15 at 4.12 bits).")
    rows[1]["out_err"] = 0.3
    assert lb.finding(rows) == (
        "On the LLM-like weights, nf4 in groups of 128, fp16 scales gives the least W4A16 output error of the 3 "
        "4-bit weight options: 0.15 at 4.12 bits per element (scales counted), 25% below INT4 in groups of 128 "
        "(0.2 at 4.12 bits).")
    assert lb.finding([r for r in rows if not r["format"].startswith("int4")]) is None


def test_the_report_section_figure_claims_and_summary(rows, tmp_path):
    from arithbench.reports import document as doc
    from arithbench.reports.claims import by_claim, lowbit_claims
    from arithbench.reports.findings import findings
    from arithbench.reports.report import LOWBIT_SIZE, lowbit_blocks

    png = tmp_path / "lowbit.png"
    lb.plot(rows, png)
    assert png.stat().st_size > 0 and png.with_suffix(".svg").stat().st_size > 0
    md = doc.to_markdown(lowbit_blocks({"lowbit_error": rows, "provenance": {"seed": 1}}, {"lowbit": png}))
    assert "## Four-, six- and eight-bit formats on LLM-like data" in md
    assert f"`arithbench error lowbit --size {LOWBIT_SIZE} --seed 1`" in md
    assert "![Output error of y = W x against bits per element" in md
    assert md.count("\n| W4A16 |") == 6
    claims = lowbit_claims(rows)
    assert len(by_claim(claims)) == 7 and all("ratio" not in c for c in claims)
    found = findings({"comparison": [], "claims": claims, "lowbit_error": rows})
    assert found[0] == {"finding": lb.finding(rows), "source": "Four-, six- and eight-bit formats table"}
    assert found[1]["finding"].startswith(f"Of {len(claims)} checks of the papers' claims")
