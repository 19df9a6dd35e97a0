"""The command line: listings, generation, and one clear line plus exit 2 on bad input."""

import json
import shutil

import pytest

from arithbench.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_units_lists_parameters_and_defaults(capsys):
    code, out, _ = run(capsys, "units")
    assert code == 0
    assert "fp_mul" in out and "int_mul" in out
    assert "allowed: rne, rtz, rna, rup, rdn; default: rne" in out


def test_formats_lists_facts(capsys):
    code, out, _ = run(capsys, "formats")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("e4m3 "))
    assert "448" in row and "0x7f" in row


def test_generate_writes_verilog_and_json(capsys, tmp_path):
    code, out, _ = run(capsys, "generate", "fp_mul", "-p", "fmt=e5m2", "-p", "sat=false", "-o", str(tmp_path))
    assert code == 0
    verilog = (tmp_path / "fp_mul_e5m2_rne_nosat.v").read_text()
    assert "module fp_mul_e5m2_rne_nosat" in verilog
    meta = json.loads((tmp_path / "fp_mul_e5m2_rne_nosat.json").read_text())
    assert meta["ports"] == [{"name": "a", "dir": "in", "width": 8}, {"name": "b", "dir": "in", "width": 8},
                             {"name": "y", "dir": "out", "width": 8}]
    assert meta["params"]["fmt"] == "e5m2" and meta["params"]["sat"] is False


@pytest.mark.parametrize("argv,message", [
    (["verify", "fp_div"], "unknown unit 'fp_div': choose one of"),
    (["verify", "fp_mul", "-p", "fmt=posit8"], "unknown format 'posit8'"),
    (["verify", "fp_mul", "-p", "fmt=e3m4"], "needs a special-value policy: write e3m4ieee"),
    (["verify", "fp_mul", "-p", "fmt=e0m7fn"], "impossible format 'e0m7fn'"),
    (["verify", "fp_mul", "-p", "fmt=e9m3ieee"], "exponent bits must be 1..8"),
    (["verify", "fp_mul", "-p", "fmt=e5m30ieee"], "mantissa bits must be 0..23"),
    (["verify", "fp_mul", "-p", "fmt"], "malformed parameter 'fmt': write -p key=value"),
    (["verify", "fp_mul", "-p", "colour=red"], "fp_mul has no parameter 'colour'"),
    (["verify", "fp_mul", "-p", "sat=maybe"], "parameter sat must be true or false"),
    (["verify", "fp_mul", "-p", "round=up"], "parameter round must be one of rne, rtz"),
    (["verify", "int_mul", "-p", "width=12"], "parameter width must be one of 4, 8, 16"),
    (["verify", "fp_mul", "-p", "fmt=e8m0"], "no sign or no subnormals"),
    (["verify", "int16_fma", "-p", "bound=8"], "add -p clocked=true"),
    (["verify", "int16_fma", "-p", "bound=-1"], "bound must be 0 or positive"),
    (["verify", "fp8_mac", "-p", "acc=bf16"], "parameter acc must be one of fp32, fp16"),
    (["verify", "fp_mul", "--vectors", "lots"], "--vectors must be 'exhaustive' or a positive count"),
    (["verify", "fp_mul", "-p", "fmt=bf16", "--vectors", "exhaustive"], "exhaustive testing needs 2**32"),
    (["verify", "fp_mul", "--sim", "modelsim"], "invalid choice: 'modelsim'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, argv, message):
    build = tmp_path / "build"
    code, out, err = run(capsys, *argv, *(["--build", str(build)] if argv[0] == "verify" else []))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("arithbench: error: ")
    assert message in err
    assert not build.exists()


def test_missing_simulator_is_named_with_the_fix(capsys, tmp_path, monkeypatch):
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda tool, *a, **k: None if tool in ("iverilog", "vvp") else real(tool, *a, **k))
    code, _, err = run(capsys, "verify", "fp_mul", "--sim", "icarus", "--build", str(tmp_path / "b"))
    assert code == 2
    assert "simulator icarus not found: apt-get install iverilog" in err
    assert not (tmp_path / "b" / "rtl").exists()


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
    assert code == 0 and "[holds]" in out or "[does not hold]" in out
