"""The command line: listings, generation, and one clear line plus exit 2 on bad input."""

import json


from arithbench.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_units_lists_parameters_and_defaults(capsys):
    code, out, _ = run(capsys, "units")
    assert code == 0
    assert "fp_mul" in out and "int_mul" in out
    assert "allowed: rne, rtz, rna, rup, rdn, sr; default: rne" in out


def test_formats_lists_facts(capsys):
    code, out, _ = run(capsys, "formats")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("e4m3 "))
    assert "448" in row and "0x7f" in row
    assert "Lookup format nf4: 4 bits, code i is the i-th of 16 values from -1 to 1 (ties down)" in out


def test_generate_writes_verilog_and_json(capsys, tmp_path):
    code, out, _ = run(capsys, "generate", "fp_mul", "-p", "fmt=e5m2", "-p", "sat=false", "-o", str(tmp_path))
    assert code == 0
    verilog = (tmp_path / "fp_mul_e5m2_rne_nosat.v").read_text()
    assert "module fp_mul_e5m2_rne_nosat" in verilog
    meta = json.loads((tmp_path / "fp_mul_e5m2_rne_nosat.json").read_text())
    assert meta["ports"] == [{"name": "a", "dir": "in", "width": 8}, {"name": "b", "dir": "in", "width": 8},
                             {"name": "y", "dir": "out", "width": 8}]
    assert meta["params"]["fmt"] == "e5m2" and meta["params"]["sat"] is False


def test_generate_to_unwritable_directory(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "generate", "fp_mul", "-o", str(blocker / "sub"))
    assert code == 2 and "cannot write to" in err


def test_generate_bad_param_writes_nothing(capsys, tmp_path):
    code, _, _ = run(capsys, "generate", "fp_mul", "-p", "fmt=nope", "-o", str(tmp_path / "out"))
    assert code == 2 and not (tmp_path / "out").exists()


def test_error_tables_print(capsys):
    code, out, _ = run(capsys, "error", "dot", "--trials", "2")
    assert code == 0
    for method in ("int8", "fp8 e4m3", "fp8 e5m2", "lmul m=3", "lmul m=4", "dfp16"):
        assert f"\n{method} " in out
    code, out, _ = run(capsys, "error", "lmul", "--samples", "2000")
    assert code == 0 and ("[holds]" in out or "[does not hold]" in out)


def test_claims_prints_each_verdict_and_where_the_error_claims_are(capsys, monkeypatch):
    """The cost claims' lines come from api.claims (stood in for here: the flow runs in
    tests/reports/test_claims.py); the closing lines say how verdicts are given and which
    commands judge the papers' error claims."""
    from arithbench import api

    row = {"verdict": "holds", "claim": "X is cheaper than Y", "claimed": "2x or more", "measured": "3.00x",
           "figure": "area 1 vs 3 um^2", "basis": "cell area", "sensitivity": "same on every basis"}
    monkeypatch.setattr(api, "claims", lambda flow, build, liberty: [row])
    code, out, _ = run(capsys, "claims")
    assert code == 0
    assert out.startswith("[holds] X is cheaper than Y\n    claimed 2x or more, measured 3.00x: area 1 vs 3 um^2")
    assert "Verdicts compare ratios" in out and "`arithbench error lowbit` (FP4/FP6, NF4, NVFP4)" in out
