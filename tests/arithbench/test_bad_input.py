"""Bad input through the command line and the Python API: one clear line, exit 2, no traceback,
nothing half-written; an interrupted run leaves the caches usable."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

import arithbench

from arithbench.catalog import configure
from arithbench.cli import main
from arithbench.errors import UsageError
from arithbench.models.block import BFPFormat, mx_quantize
from arithbench.models.formats import float_format, int_format
from arithbench.sim import runner


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


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
    (["verify", "int16_fma", "-p", "bound=-1"], "bound must be 0 (never) to 2**31 - 1"),
    (["verify", "fp8_mac", "-p", "acc=bf16"], "parameter acc must be one of fp32, fp16"),
    (["verify", "fp_mul", "--vectors", "lots"], "--vectors must be 'exhaustive' or a count from 1"),
    (["verify", "fp_mul", "-p", "fmt=bf16", "--vectors", "exhaustive"], "exhaustive testing needs 2**32"),
    (["verify", "fp_mul", "--sim", "modelsim"], "invalid choice: 'modelsim'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["verify", "bfp_dot", "-p", "k=3"], "parameter k must be one of 2, 4, 8, 16, 32"),
    (["verify", "bfp_dot", "-p", "k=abc"], "parameter k must be an integer, not 'abc'"),
    (["verify", "mx_dot", "-p", "elem=e9m9"], "unknown MX element format 'e9m9'"),
    (["verify", "fp_mul", "-p", "rbits=8"], "parameter rbits applies only with round=sr, not round=rne"),
    (["verify", "fp_mul", "-p", "round=sr", "-p", "rbits=40"], "rbits must be 2 to 24 random bits"),
    (["verify", "bfp_dot", "-p", "out=int", "-p", "round=sr"], "parameter round applies only with out=fp32"),
    (["verify", "fp_mul", "-p", "fmt=binary8p8"], "P3109 binary8 precision must be 1 to 7"),
    (["verify", "fp_mul", "-p", "fmt=e2m1", "-p", "sat=false"], "e2m1 has neither: it always saturates"),
    (["verify", "bfp_quant", "-p", "fmt=e8m0"], "must be signed with exponents up to 127"),
    (["verify", "fp_mul", "-p", "fmt=e3m0ieee"], "an ieee policy needs at least 1 mantissa bit"),
    (["verify", "int_mul", "-p", "width=99"], "parameter width must be one of"),
    (["verify", "fp_mul", "-p", "fmt=e4m3", "-p", "fmt=e5m2"], "parameter 'fmt' given twice"),
    (["verify", "fp_mul", "-p", "=e4m3"], "malformed parameter '=e4m3'"),
    (["verify", "fp_mul", "--lanes", "0"], "argument --lanes: must be an integer from 1 to 4,096, not '0'"),
    (["verify", "fp_mul", "--vectors", "-5"], "--vectors must be 'exhaustive' or a count from 1"),
    (["verify", "mx_dot", "--vectors", "exhaustive"], "exhaustive covers every element pair only when"),
    (["verify", "bfp_quant", "--vectors", "exhaustive"], "exhaustive needs k * bits(fmt) <= 25"),
    (["mutate", "fp_div"], "unknown unit 'fp_div'"),
    (["verify", "int_add", "--workers", "0"], "argument --workers: must be an integer from 1"),
    (["verify", "int16_fma", "-p", "clocked=true", "--workers", "2"], "run it without --workers"),
    (["mutate", "fp_mul", "--mutants", "0"], "argument --mutants: must be an integer from 1"),
    (["mutate", "fp_mul", "--proof-seconds", "0"], "argument --proof-seconds: must be an integer from 1"),
    # Found by trying the tool as a new user would: each was a traceback, a silent wrong answer or
    # a 7 GiB allocation.
    (["verify", "fp_mul", "--vectors", "99999999999999999999"], "a count from 1 to 2**40"),
    (["verify", "fp_mul", "--seed", "-1"], "argument --seed: must be an integer from 0"),
    (["verify", "fp_mul", "--scheduler", "bogus"], "argument --scheduler: must be an address like tcp://HOST:PORT"),
    (["verify", "fp_mul", "-p", "fmt=bf16", "--vectors", "1000000000"], "a random plan is made whole in one process: ask for fewer"),
    (["verify", "fp_mul", "--waves", "--workers", "2"], "--waves writes one waveform of one simulation"),
    (["error", "lmul", "--samples", "99999999999999"], "argument --samples: must be an integer from 1 to 10,000,000"),
    (["error", "block", "--seed", "-1"], "argument --seed: must be an integer from 0"),
    (["error", "dot", "--seed", "-5"], "argument --seed: must be an integer from 0"),
    (["error", "lmul", "--trials", "5"], "--trials applies to the dot, dfp and accumulate studies, not lmul"),
    (["error", "dot", "--samples", "5"], "--samples applies to the lmul study, not dot"),
    (["bench", "int16_fma", "--lanes", "8"], "--lanes sets the lanes of the two-operand 8-bit bench"),
    (["bench", "--vectors", "0"], "argument --vectors: must be an integer from 1"),
    (["sweep", "fp_mul", "--formats", ""], "--formats takes a comma-separated list with no empty items"),
    (["sweep", "fp_mul", "--rounding", "rne,"], "--rounding takes a comma-separated list with no empty items"),
    (["report", "-o", "README.md"], "-o README.md is a file"),
    (["report", "-o", "."], "-o . is the current folder or above it"),
    (["sweep", "fp_mul", "-o", ".."], "-o .. is the current folder or above it"),
    (["report", "--units", "fp_div"], "fp_div not in the report's units"),
    (["report", "--unit", "fp_mul fmt=posit8"], "unknown format 'posit8'"),
    (["report", "--unit", ""], "--unit needs a unit name and its parameters"),
    (["report", "--unit", "fp_mul", "--unit", "fp_mul fmt=e4m3"], "repeats fp_mul_e4m3_rne_sat"),
    (["report", "--unit", "fp_mul", "--units", "lmul"], "give --units (names from the default set) or --unit"),
    (["report", "--data", "weights.npy"], "--data weights.npy: no such file"),
    (["report", "--data", "README.md"], "give a NumPy .npy file (np.save), not .md"),
    (["cost", "fp_mul", "-p", "fmt=e4m3fnuz", "--flow", "abc"], "invalid choice: 'abc'"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("a user's file")
    build = tmp_path / "build"
    extra = ["--build", str(build)] if argv[0] in ("verify", "mutate", "report", "sweep", "bench") else []
    code, _, err = run(capsys, *argv, *extra)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("arithbench: error: ") and "Traceback" not in err
    assert message in err
    assert not build.exists() or not any(build.rglob("*.v"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "build") == ["README.md"]
    assert (tmp_path / "README.md").read_text() == "a user's file"


@pytest.mark.parametrize("call,message", [
    (lambda: configure("fp_div"), "unknown unit 'fp_div'"),
    (lambda: configure("bfp_dot", {"k": "3"}), "parameter k must be one of"),
    (lambda: configure("fp_mul", {"sat": "1.5"}), "must be true or false"),
    (lambda: float_format("e4m3x"), "unknown format 'e4m3x'"),
    (lambda: int_format("int64"), "integer width must be 2..32 bits, not 64"),
    (lambda: BFPFormat(0, 4), "impossible BFP format"),
    (lambda: mx_quantize([1.0] * 32, "e9m9"), "unknown MX element format 'e9m9'"),
    (lambda: mx_quantize([1.0] * 31, "e4m3"), "must be a multiple of the block size 32"),
])
def test_the_python_api_raises_usage_errors_with_the_same_messages(call, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_a_failing_simulator_build_is_one_line_and_the_next_build_works(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(runner.BUILD_ARGS, "icarus", ["-gno-such-generation"])
    code, _, err = run(capsys, "verify", "int_add", "--sim", "icarus", "--build", str(tmp_path))
    assert code == 2 and err.count("\n") == 1
    assert "icarus build of int_add_width8_signed failed" in err and "build.log" in err
    assert not list(tmp_path.rglob("arithbench.stamp"))  # nothing claims to be a finished build
    with pytest.raises(arithbench.ToolError, match="icarus build of int_add_width8_signed failed"):
        arithbench.configure("int_add").verify(sim="icarus", root=tmp_path)  # the API names it as a tool's failure
    monkeypatch.undo()
    code, out, _ = run(capsys, "verify", "int_add", "--sim", "icarus", "--build", str(tmp_path))
    assert code == 0 and out.startswith("PASS")


@pytest.mark.sim
def test_sigint_mid_run_exits_2_with_one_line_and_leaves_the_cache_usable(tmp_path):
    cmd = [sys.executable, "-m", "arithbench.cli", "verify", "int16_fma", "--sim", "icarus",
           "--vectors", "3000000", "--build", str(tmp_path)]
    # As from a shell: SIGINT handled by default, whatever the test worker inherited (a worker that
    # ignores SIGINT would pass that on, and the command would never see the Ctrl-C).
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while not list(tmp_path.glob("sim/icarus/*/run-*/progress")) and time.monotonic() < deadline:
        time.sleep(0.2)  # wait until vectors are flowing
    assert proc.poll() is None, proc.communicate()
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: the whole foreground group
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith("arithbench: interrupted") and "Traceback" not in err
    assert not list(tmp_path.glob("sim/icarus/*/run-*"))  # the half-done run is gone
    again = subprocess.run([*cmd[:-4], "--vectors", "1000", "--build", str(tmp_path)], capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout.startswith("PASS"), again.stderr


def test_unwritable_build_directory(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "verify", "fp_mul", "--build", str(blocker / "build"))
    assert code == 2 and "cannot write to" in err and err.count("\n") == 1


def test_missing_simulator_is_named_with_the_fix(capsys, tmp_path, monkeypatch):
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda tool, *a, **k: None if tool in ("iverilog", "vvp") else real(tool, *a, **k))
    code, _, err = run(capsys, "verify", "fp_mul", "--sim", "icarus", "--build", str(tmp_path / "b"))
    assert code == 2
    assert "simulator icarus not found: apt-get install iverilog" in err
    assert not (tmp_path / "b" / "rtl").exists()


@pytest.mark.parametrize("values,message", [
    (["a", "b"], "the array holds <U1, not numbers"),
    ([1.0, float("nan")], "need at least two finite values, not all zero (2 values, 1 not finite)"),
    ([0.0, 0.0], "need at least two finite values, not all zero"),
])
def test_report_data_that_cannot_be_studied_is_refused(capsys, tmp_path, values, message):
    import numpy as np

    np.save(tmp_path / "mine.npy", np.array(values))
    code, _, err = run(capsys, "report", "--data", str(tmp_path / "mine.npy"), "-o", str(tmp_path / "out"),
                       "--build", str(tmp_path / "build"))
    assert code == 2 and err.count("\n") == 1 and message in err
    assert not (tmp_path / "out").exists()


def test_ctrl_c_while_the_command_is_still_loading_is_one_line(monkeypatch, capsys):
    """The entry point catches Ctrl-C during the imports (NumPy, Amaranth) too: here the import
    of the command line itself is interrupted."""
    from arithbench import launch

    class Interrupting:
        def find_spec(self, name, path=None, target=None):
            if name == "arithbench.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "arithbench.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    handler = signal.getsignal(signal.SIGTERM)
    assert launch.main() == 2
    err = capsys.readouterr().err
    assert err == "arithbench: interrupted while starting: nothing was written\n"
    assert signal.getsignal(signal.SIGTERM) is handler  # left as it was found
