"""The accumulator-width study: long dot products on the dot unit by internal window and spill
interval, its quantizers, its finding and its place in the command line and the report."""

import functools
import json
import re

import numpy as np
import pytest

import arithbench
from arithbench import cli
from arithbench.models.codec import encode
from arithbench.models.formats import float_format
from arithbench.reports import accumulate_error as ae
from arithbench.reports import document as doc
from arithbench.reports.findings import accumulator_spill, accumulator_width, findings
from arithbench.reports.report import accumulate_blocks

WINDOWS = (8, 12, 16, 24, 32, 40)


@pytest.fixture(scope="module")
def study():
    """A small study: 8 trials per data set, two lengths, no spill sweep (about 2 s)."""
    return ae.rows(trials=8, lengths=(256, 2048), windows=WINDOWS, sweep=())


def errors(row):
    return [e for _, e in ae.window_errors(row)]


def test_error_falls_as_the_window_widens_until_the_exact_sums_and_reaches_it(study):
    """Each wider window's error is at most 1.25x the narrower one's, or within 2x of the exact
    sum's (there the fp32 roundings decide, and a narrower window can be luckier); the widest
    window each setup takes is within 2x of the exact sum, the 8-bit one 1,000x above it."""
    assert len(study) == 3 * 3 * 2 * 2
    for row in study:
        err, exact = errors(row), row["exact"]
        for narrow, wide in zip(err, err[1:]):
            assert wide <= max(1.25 * narrow, 2 * exact), row
        assert err[-1] <= 2 * exact, row
        assert err[0] > 1000 * max(exact, 1e-12) and err[0] > 1e-4, row
    w4a8 = [r for r in study if r["setup"].startswith("W4A8")]
    assert all(r["w32"] is None and r["w40"] is None and r["w24"] is not None for r in w4a8)  # exact sum: 27 bits


def test_spilling_every_128_products_never_raises_the_error_of_narrow_windows_at_long_lengths(study):
    rows = {(r["setup"], r["data"], r["length"], r["spill"]): r for r in study}
    checked = 0
    for (setup, data, length, spill), row in rows.items():
        if spill != 128 or length < 2048:
            continue
        never = rows[setup, data, length, "never"]
        for w in (8, 12, 16):
            assert row[f"w{w}"] <= never[f"w{w}"], (setup, data, length, w)
            checked += 1
    assert checked == 27


def test_lengths_up_to_the_spill_interval_are_unchanged_by_it():
    short = ae.rows(trials=2, lengths=(128, 256), windows=(8,), setups=ae.SETUPS[:1], spills=(None, 128), sweep=())
    by = {(r["data"], r["length"], r["spill"]): r for r in short}
    for data in ae.DATASETS:
        assert by[data, 128, 128]["w8"] == by[data, 128, "never"]["w8"]
        assert by[data, 128, 128]["exact"] == by[data, 128, "never"]["exact"]


def ones(length):
    """An e4m3 operand of ones, no scales."""
    return ae.Operand(np.full((1, length), 0x38, np.int64), None, np.ones((1, length)), 1.0)


def test_a_one_bit_window_by_hand():
    """Products 1.0: the first operation keeps all 32 (c = +0 is no term), giving c = 32; from
    then on c is the largest term, 2**5, and a 1-bit window cuts every product of 1 to 0 (the
    quantum is 32), so the chain stays at 32. Spilling every 32 products restarts from +0 each
    time and adds 32s in fp32: exact."""
    setup = ae.SETUPS[0]
    config = setup.config(1)
    ports = ae.pack(setup, [(ones(128), ones(128))])
    never = ae.results(ae.chain(config, ports, 1, None), 32, None, (32, 64, 128))
    assert [never[n][0] for n in (32, 64, 128)] == [32.0, 32.0, 32.0]
    spilled = ae.results(ae.chain(config, ports, 1, 32), 32, 32, (32, 64, 128))
    assert [spilled[n][0] for n in (32, 64, 128)] == [32.0, 64.0, 128.0]
    # 64 products a spill: each segment is 32 + (cut to 0) = 32, two segments 64 at length 128
    assert ae.results(ae.chain(config, ports, 1, 64), 32, 64, (128,))[128][0] == 64.0
    # 6 bits: c = 32 (quantum 1) keeps the products, c = 64 (quantum 2) cuts them; 7 bits keep them all
    for window, expected in ((6, [32.0, 64.0, 64.0, 64.0]), (7, [32.0, 64.0, 96.0, 128.0])):
        got = ae.results(ae.chain(setup.config(window), ports, 1, None), 32, None, (32, 64, 96, 128))
        assert [got[n][0] for n in (32, 64, 96, 128)] == expected, window


def test_nvfp4_takes_torchaos_per_tensor_scale_outside_the_unit():
    e4m3 = float_format("e4m3")
    x = np.zeros((1, 32))
    x[0, :16] = np.linspace(-3, 3, 16)  # block 0: amax 3 = the tensor's
    x[0, 16:] = 0.3  # block 1: a tenth of it
    q = ae.nvfp4(x)
    assert q.outside == float(np.float32(3.0) / np.float32(2688.0))
    # (3 / 6) / tensor = 448 and (0.3 / 6) / tensor = 44.8, rounded to e4m3's 44
    assert list(q.scales[0]) == list(encode(e4m3, np.array([448.0, 44.0])))
    # block 0: x / (tensor * 448) = x / 0.5 (-6, -5.2, ..., -0.4, 0.4, ..., 6), RNE onto e2m1, times the scale 448
    halves = [6, 6, 4, 4, 3, 2, 1, 0.5]
    assert list(q.values[0, :16] / 448) == [-v for v in halves] + halves[::-1]
    assert list(q.values[0, 16:]) == [6 * 44] * 16  # 0.3 / (tensor * 44) = 6.1: saturates at 6


def test_the_setups_are_the_issues_configurations():
    names = [s.config(24).module_name for s in ae.SETUPS]
    assert names == ["dot_e4m3_k32_fp32_window_window24_nosat", "dot_e2m1_k16_nvfp4_fp32_window_window24_nosat",
                     "dot_e2m1_e4m3_k32_mx_fp32_window_window24_nosat"]
    assert [s.exact_width for s in ae.SETUPS] == [41, 47, 27]
    assert ae.SETUPS[2].windows() == (8, 12, 14, 16, 20, 24, None)


@pytest.fixture
def small_study(monkeypatch):
    """The command line's study at a test's size (the command passes only trials and seed)."""
    monkeypatch.setattr(ae, "rows", functools.partial(ae.rows, lengths=(128, 256), windows=(8, 16),
                                                      setups=ae.SETUPS[:1], sweep=()))


def test_the_command_line_prints_the_table_with_its_trials_and_seed(small_study, capsys):
    assert cli.main(["error", "accumulate", "--trials", "2", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    title, _, header, _, *lines = out.splitlines()
    assert title.startswith("Long dot products on the dot unit") and "(2 trials per row, seed 3;" in title
    assert "pydoc arithbench.reports.accumulate_error" in title
    assert header.split() == ["setup", "data", "length", "spill", "quant_err", *(f"w{w}" for w in ae.WINDOWS),
                              "exact"]
    assert len(lines) == 3 * 2 * 2 and all(line.startswith("e4m3 x e4m3") for line in lines)
    assert cli.main(["error", "accumulate", "--trials", "2", "--seed", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["trials"] == 2 and result["seed"] == 3 and len(result["rows"]) == 12
    assert arithbench.error("accumulate", trials=2, seed=3).rows == result["rows"]


def test_the_command_line_refuses_samples_for_it(capsys):
    assert cli.main(["error", "accumulate", "--samples", "5"]) == 2
    assert "--samples applies to the lmul study, not accumulate" in capsys.readouterr().err


STUDY = [{"setup": "e4m3 x e4m3", "data": "normal", "length": 4096, "spill": spill, "quant_err": 4e-4,
          **{f"w{w}": e for w, e in zip(ae.WINDOWS, errs)}, "exact": 6.0e-10}
         for spill, errs in (("never", (1e-3, 5e-5, 1.2e-5, 2e-6, 4e-8, 1.1e-9, 6.5e-10, 6.0e-10, 6.0e-10)),
                             (128, (3e-4, 1e-5, 1.5e-6, 3e-7, 6e-9, 7e-10, 6e-10, 6.0e-10, 6.0e-10)))]
COSTS = [{"setup": "e4m3 x e4m3", "window": w, "unit": f"dot_{w}", "macs_per_op": 32, "area_um2": a * 32,
          "area_per_mac_um2": a, "energy_per_mac_pj": e, "delay_ns": 20.0, "cells": 10_000}
         for w, a, e in (("w8", 12000.0, 1.5), ("w16", 13000.0, 1.6), ("w24", 14000.0, 1.7), ("w32", 15000.0, 1.8),
                         ("exact", 17500.0, 2.0))]


def test_the_findings_are_worded_from_the_numbers():
    assert accumulator_width(STUDY, COSTS) == (
        "Chained into fp32 at length 4,096 (N(0,1) data), the e4m3 x e4m3 dot unit (k = 32) needs a 24-bit window for "
        "its error to stay within 2x of the exact sum's (1.1e-09 vs 6e-10); 20 bits give 66.7x the exact sum's error "
        "(4e-08). Its area per multiply-accumulate is 20% below the exact sum's (14,000 vs 17,500 um^2), its energy "
        "15% below (1.7 vs 2 pJ).")
    assert accumulator_spill(STUDY) == (
        "With 14 bits kept (about what DeepSeek-V3 measured of the H800's FP8 accumulation), moving the partial sum "
        "to fp32 every 128 products puts the error of e4m3 x e4m3 dot products of length 4,096 at 1/8.00 of that "
        "without spills (1.5e-06 vs 1.2e-05, N(0,1) data).")
    # the qualifying window not costed: the narrowest costed one that qualifies speaks for the area
    text = accumulator_width(STUDY, [c for c in COSTS if c["window"] != "w24"])
    assert "At 32 bits, the narrowest costed window, its area per multiply-accumulate is 14% below" in text
    # no costs (or no exact-sum cost): the error half alone
    assert accumulator_width(STUDY, []).endswith("(4e-08).")
    found = findings({"comparison": [], "claims": [], "accumulate_error": STUDY, "accumulate_costs": COSTS})
    assert [f["source"] for f in found] == ["Accumulator width table"] * 2
    assert findings({"comparison": [], "claims": []}) == []


def test_without_an_exact_sums_cost_the_widest_costed_window_is_the_reference():
    widest = [c for c in COSTS if c["window"] != "exact"]
    text = accumulator_width(STUDY, widest)
    assert text.endswith("Its area per multiply-accumulate is 6.7% below the 32-bit window's (14,000 vs 15,000 um^2; "
                         "32 bits give 1.00x the exact sum's error), its energy 5.6% below (1.7 vs 1.8 pJ).")
    md = doc.to_markdown(accumulate_blocks({"accumulate_error": STUDY, "accumulate_costs": widest,
                                            "provenance": {"seed": 1, "cost_flow": "osu018"}}, {}))
    assert "at windows 8, 16, 24, 32 bits: a subset" in md and "The exact sum is not costed" in md


def test_no_window_within_2x_means_no_width_finding():
    far = [{**r, "exact": 1e-12} for r in STUDY]
    assert accumulator_width(far, COSTS) is None


def test_the_report_section_shows_the_table_figure_and_costs_with_their_sources(tmp_path):
    results = {"accumulate_error": STUDY, "accumulate_costs": COSTS[:4] + [{**COSTS[4], "energy_per_mac_pj": None}],
               "provenance": {"seed": 1, "cost_flow": "osu018 (Yosys 0.23)"}}
    png = tmp_path / "accumulator_width.png"
    ae.plot(results["accumulate_error"], results["accumulate_costs"], png)
    assert png.stat().st_size > 0 and png.with_suffix(".svg").stat().st_size > 0
    md = doc.to_markdown(accumulate_blocks(results, {"accumulate": png}))
    assert "## Accumulator width: long dot products on the dot unit" in md
    assert "`arithbench error accumulate --trials 64 --seed 1`" in md
    assert "at windows 8, 16, 24, 32 bits and the exact sum: a subset" in md and "is not costed" not in md
    assert "cost flow osu018 (Yosys 0.23)" in md and "![Left: mean error against window at length 4,096" in md
    table = [line for line in md.splitlines() if line.startswith("| e4m3 x e4m3 | normal | 4,096 | never")]
    assert table == ["| e4m3 x e4m3 | normal | 4,096 | never | 0.0004 | 0.001 | 5e-05 | 1.2e-05 | 2e-06 | 4e-08 | "
                     "1.1e-09 | 6.5e-10 | 6e-10 | 6e-10 | 6e-10 |"]
    assert re.search(r"\| e4m3 x e4m3 \| exact \| dot_exact \| 560,000 \| 17,500 \| - \| 20 \| 10,000 \|", md)
