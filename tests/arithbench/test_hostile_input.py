"""Hostile input, table-driven, through the command line and the Python API alike.

Every case is a refusal: exit code 2 (or an ``ArithbenchError`` from Python), one line naming
what is wrong, no traceback, and nothing written or removed in the working folder (a user's
files there, planted first, are checked byte for byte afterwards). The cases come from trying
the tool as a hostile new user would (issue 27), and from walking the catalog: every command
that takes a unit, every unit, every parameter. Add a row when a new refusal is found.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import arithbench
from arithbench.catalog import units
from arithbench.cli import main

DESIGNS = Path(__file__).resolve().parents[1] / "sim" / "designs"

#: The user's files planted in the working folder before each case (path -> bytes).
PLANTED = {
    "README.md": b"a user's file",
    ".arithbench-write-test": b"a user's file that a write probe once deleted",
    "mine.txt": b"the user's notes",
    "smul8.v": (DESIGNS / "smul8.v").read_bytes(),
    'q"x.v': (DESIGNS / "smul8.v").read_bytes(),
    "semi;colon.v": (DESIGNS / "smul8.v").read_bytes(),
    "with space.v": (DESIGNS / "smul8.v").read_bytes(),
    "plain/notes.txt": b"a folder of the user's",
    "g/.arithbench-write-test": b"the user's file in an output folder",
    "manifest_list/.arithbench-files.json": json.dumps({"entries": [1]}).encode(),
    "manifest_bad/.arithbench-files.json": b"{not json",
    "manifest_entry/.arithbench-files.json": json.dumps({"entries": {"x.v": 5}}).encode(),
    "manifest_list/x.v": b"",
    "manifest_bad/x.v": b"",
    "manifest_entry/x.v": b"",
    "swept/.arithbench-files.json": json.dumps({"command": "sweep", "entries": {"SWEEP.md": "0" * 64}}).encode(),
    "swept/SWEEP.md": b"",
}


def _npy(values) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(values), allow_pickle=True)
    return buffer.getvalue()


PLANTED |= {
    "empty.npy": b"",
    "tiny.npy": _npy([1e-320, 2e-320, 3e-320]),
    "huge.npy": _npy([1e308, -1e308, 5e307]),
    "text.npy": _npy(["a", "b"]),
    "nan.npy": _npy([1.0, float("nan")]),
    "inf.npy": _npy([1.0, float("inf")]),
    "zeros.npy": _npy([0.0, 0.0, 0.0]),
    "one.npy": _npy([1.0]),
    "sparse.npy": _npy([1.0] + [0.0] * 999),
    "objects.npy": _npy(np.array([1, "x"], dtype=object)),
    "complex.npy": _npy([1 + 1j, 2j]),
    "garbage.npy": b"\x93NUMPY not really",
    "weights.txt": b"1 2 3",
}

LONG = "a" * 300
TOP_INJECTION = "smul8; tee -q -o mine.txt stat; hierarchy -top smul8"
OWN = ["verify", "int_mul", "--rtl", "smul8.v", "--top", "smul8", "--map", "a=x,b=w,y=p"]

# (argv, what the one line must say)
CLI_CASES = [
    # Data loss
    (["generate", "int_mul", "-p", "width=99", "-o", "g"], "parameter width must be one of"),
    (["verify", *OWN[1:4], "--top", TOP_INJECTION, "--map", "a=x,b=w,y=p"], "--top must be a Verilog name"),
    ([*OWN[:-1], "a=x;b,b=w,y=p"], "--map must be a Verilog name"),
    ([*OWN[:-1], "a=x,b=w,y=p; tee -o mine.txt stat"], "--map must be a Verilog name"),
    ([*OWN, "--clock", "clk; tee -o mine.txt"], "--clock must be a Verilog name"),
    ([*OWN, "--clock", "clk", "--reset", "rst; stat"], "--reset must be a Verilog name"),
    ([*OWN, "--clock", "clk", "--reset", "rst:sideways"], "--reset takes NAME or NAME:low"),
    ([*OWN, "--clock", "clk", "--reset", ":low"], "--reset takes NAME or NAME:low"),
    ([*OWN, "--clock", "9clk"], "--clock must be a Verilog name"),
    (["verify", "int_mul", "--rtl", 'q"x.v', "--top", "smul8", "--map", "a=x,b=w,y=p"], "rename the file"),
    (["verify", "int_mul", "--rtl", "semi;colon.v", "--top", "smul8", "--map", "a=x,b=w,y=p"], "rename the file"),
    (["verify", "int_mul", "--rtl", "with space.v", "--top", "smul8", "--map", "a=x,b=w,y=p"], "rename the file"),
    (["verify", "int_mul", "--rtl", "nothere.v", "--top", "smul8"], "--rtl nothere.v: no such file"),
    (["verify", "int_mul", "--rtl", "plain", "--top", "smul8"], "--rtl plain: no such file"),
    (["verify", "int_mul", "--rtl", "smul8.v", "--top", "nosuch"], "--top nosuch: no such module"),
    (["verify", "int_mul", "--rtl", "smul8.v", "--top", "smul8"], "has no port 'a'"),
    ([*OWN[:-1], "a=x,b=w,y=p,q=z"], "--map names q"),
    ([*OWN[:-1], "a=x,a=w"], "--map names port 'a' twice"),
    ([*OWN[:-1], "a"], "--map takes unit=yours pairs"),
    ([*OWN, "--latency", "2"], "--latency needs --clock"),
    ([*OWN, "--latency", "65"], "argument --latency: must be an integer from 0 to 64"),
    ([*OWN, "--prove", "--clock", "clk"], "--prove checks your combinational design"),
    (["verify", "int_mul", "--top", "smul8"], "--top describe your design: give it with --rtl"),
    (["verify", "int_mul", "--map", "a=x"], "--map describe your design"),
    (["verify", "int_mul", "--rtl", "smul8.v"], "--rtl needs --top MODULE"),
    (["verify", "int_mul", "--rtl", "smul8.v", "--top", "smul8", "--netlist"], "give one of them"),
    (["verify", "int_mul", "--rtl", "smul8.v", "--top", "smul8", "--workers", "2"], "run in one process"),
    (["verify", "int_mul", "--prove"], "--prove checks your combinational design"),
    # Wrong answers and numbers
    (["verify", "int_mul", "--vectors", "0"], "--vectors must be 'exhaustive' or a count from 1"),
    (["verify", "int_mul", "--vectors", "-5"], "--vectors must be 'exhaustive' or a count from 1"),
    (["verify", "int_mul", "--vectors", "1.5"], "--vectors must be 'exhaustive' or a count from 1"),
    (["verify", "int_mul", "--vectors", ""], "--vectors must be 'exhaustive' or a count from 1"),
    (["verify", "int_mul", "--vectors", str(2**41)], "--vectors must be 'exhaustive' or a count from 1"),
    (["vectors", "int_mul", "-o", "v.vec", "--vectors", "0"], "--vectors must be 'exhaustive' or a count"),
    (["vectors", "int_mul", "-o", "v.vec", "--vectors", "1e3"], "--vectors must be 'exhaustive' or a count"),
    (["vectors", "int_mul", "-o", "v.vec", "--vectors", str(2**30)], "more than one process holds"),
    (["vectors", "lmul_mac", "-o", "new/v.vec", "--vectors", "33554433"], "more than one process holds"),
    # A wide unit's vectors take memory per input bit: fewer of them fit one process (1,056 input bits here).
    (["vectors", "dot", "-p", "k=64", "-o", "v.vec", "--vectors", "1000000"], "(at most 254,200 of dot_"),
    (["verify", "dot", "-p", "k=64", "--vectors", "1000000"], "(at most 254,200 of dot_"),
    (["verify", "dot", "-p", "k=64", "--vectors", "1000000", "--workers", "2"], "made whole in every shard"),
    (["verify", "dot", "-p", "k=64", "--workers", "2", "--shard-size", "300000"], "--shard-size 300,000 is more"),
    (["bench", "dot", "-p", "k=64", "--vectors", "1000000"], "(at most 254,200 of dot_"),
    (["vectors", "int_mul", "-o", "new/v.vec", "-p", "width=3"], "parameter width must be one of"),
    (["vectors", "int16_fma", "-p", "clocked=true", "-o", "v.vec"], "accumulates a stream"),
    (["vectors", "int_mul", "-o", "README.md"], "README.md exists and arithbench did not write it"),
    (["vectors", "int_mul", "-o", "mine.txt", "--vectors", "5"], "mine.txt exists and arithbench did not write it"),
    (["vectors", "int_mul", "-o", "plain"], "plain exists and arithbench did not write it"),
    (["vectors", "int_mul", "-o", f"{LONG}.vec"], "File name too long"),
    (["generate", "int16_fma", "-p", "bound=99999999999999999999", "-p", "clocked=true"], "bound must be 0 (never)"),
    (["generate", "int_mul", "-o", LONG], "File name too long"),
    (["generate", "int_mul", "-o", "README.md"], "cannot write to README.md"),
    (["generate", "int_mul", "-o", "manifest_list"], "is not arithbench's manifest"),
    (["generate", "int_mul", "-o", "manifest_bad"], "is not arithbench's manifest"),
    (["generate", "int_mul", "-o", "manifest_entry"], "is not arithbench's manifest"),
    (["verify", "int_mul", "--seed", "-1"], "argument --seed: must be an integer from 0"),
    (["verify", "int_mul", "--seed", str(2**32)], "argument --seed: must be an integer from 0"),
    (["verify", "int_mul", "--seed", "x"], "argument --seed: must be an integer from 0"),
    (["verify", "int_mul", "--only", "-1"], "argument --only: must be an integer from 0"),
    (["verify", "int_mul", "--only", "70000"], "--only 70000: the plan has vectors 0 to 65,535"),
    (["verify", "int8_mac", "-p", "clocked=true", "--only", "3", "--vectors", "10"], "cannot take one out"),
    (["verify", "int_mul", "--lanes", "5000"], "argument --lanes: must be an integer from 1 to 4,096"),
    (["verify", "int_mul", "--workers", "0"], "argument --workers: must be an integer from 1"),
    (["verify", "int_mul", "--shard-size", "0", "--workers", "2"], "argument --shard-size: must be an integer"),
    (["verify", "int_mul", "--scheduler", "tcp://:"], "argument --scheduler: must be an address"),
    (["verify", "int_mul", "--scheduler", "http://host:1"], "argument --scheduler: must be an address"),
    (["verify", "int_mul", "--proof-seconds", "0"], "argument --proof-seconds: must be an integer from 1"),
    (["verify", "fp_mul", "-p", "fmt=e5m10ieee", "--vectors", "exhaustive"], "exhaustive testing needs 2**32"),
    # Options silently ignored
    (["verify", "int_mul", "--proof-seconds", "5"], "--proof-seconds bounds the proof of --prove"),
    (["verify", "int_mul", "--shard-size", "1000"], "--shard-size splits a sharded run"),
    (["verify", "int_mul", "--only", "5", "--workers", "2"], "--only re-runs one vector in one process"),
    (["verify", "int_mul", "--waves", "--scheduler", "tcp://localhost:1"], "--waves writes one waveform"),
    (["verify", "int_mul", "--seed", "1", "--seed", "2"], "--seed given twice"),
    (["verify", "int_mul", "--build", "a", "--build", "b"], "--build given twice"),
    (["verify", "int_mul", "--sim", "icarus", "--sim", "verilator"], "--sim given twice"),
    (["verify", "int_mul", "--json", "--json"], "--json given twice"),
    (["verify", "int_mul", "--vectors", "5", "--vectors", "6"], "--vectors given twice"),
    (["vectors", "int_mul", "-o", "a.vec", "--output", "b.vec"], "-o/--output given twice"),
    (["report", "--flow", "osu018", "--flow", "yowasp"], "--flow given twice"),
    (["sweep", "fp_mul", "--formats", "e4m3", "--formats", "e5m2"], "--formats given twice"),
    (["error", "dot", "--trials", "2", "--trials", "3"], "--trials given twice"),
    (["cost", "int_mul", "--json", "--json"], "--json given twice"),
    (["bench", "--rounds", "1", "--rounds", "2"], "--rounds given twice"),
    (["mutate", "int_mul", "--mutants", "1", "--mutants", "2"], "--mutants given twice"),
    (["claims", "--build", "a", "--build", "b"], "--build given twice"),
    # Output folders
    (["sweep", "fp_mul", "-o", "S", "--build", "S"], "--build S is inside the output folder"),
    (["sweep", "fp_mul", "-o", "S", "--build", "S/b"], "--build S/b is inside the output folder"),
    (["report", "-o", "R", "--build", "R"], "--build R is inside the output folder"),
    (["report", "-o", "plain"], "-o plain holds files arithbench did not write"),
    (["report", "-o", "swept"], "holds the output of `arithbench sweep`"),
    (["report", "-o", LONG], "File name too long"),
    (["sweep", "fp_mul", "-o", "README.md"], "-o README.md is a file"),
    (["sweep", "fp_mul", "--formats", "e4m3,posit8"], "unknown format 'posit8'"),
    (["sweep", "fp_mul", "--rounding", "up"], "up"),
    (["sweep", "fp_div"], "fp_div"),
    # --data
    (["report", "--data", "empty.npy"], "--data empty.npy: not a readable .npy array"),
    (["report", "--data", "garbage.npy"], "--data garbage.npy: not a readable .npy array"),
    (["report", "--data", "objects.npy"], "--data objects.npy: not a readable .npy array"),
    (["report", "--data", "tiny.npy"], "3 values lie outside"),
    (["report", "--data", "huge.npy"], "3 values lie outside"),
    (["report", "--data", "text.npy"], "the array holds <U1, not numbers"),
    (["report", "--data", "complex.npy"], "the array holds complex128, not numbers"),
    (["report", "--data", "nan.npy"], "need at least two finite values"),
    (["report", "--data", "inf.npy"], "need at least two finite values"),
    (["report", "--data", "zeros.npy"], "need at least two finite values, not all zero"),
    (["report", "--data", "one.npy"], "need at least two finite values"),
    (["report", "--data", "sparse.npy"], "only 1 of 1,000 values are not zero"),
    (["report", "--data", "weights.txt"], "give a NumPy .npy file (np.save), not .txt"),
    (["report", "--data", "plain"], "give a NumPy .npy file"),
    (["report", "--data", "gone.npy"], "--data gone.npy: no such file"),
    (["report", "--units", "int_mul", "--unit", "int_mul"], "not both"),
    (["report", "--unit", "int_mul width=3"], "parameter width must be one of"),
    (["report", "--unit", "int_mul width"], "malformed parameter 'width'"),
    (["report", "--workers", "0"], "argument --workers: must be an integer from 1"),
    (["report", "--sim", "vcs"], "invalid choice: 'vcs'"),
    # Every command's unknown option, and a missing argument
    *[([command, "--frobnicate"], "unrecognized arguments: --frobnicate") for command in
      ("units", "formats", "claims")],
    *[([command, "int_mul", "--frobnicate"], "unrecognized arguments: --frobnicate") for command in
      ("generate", "verify", "mutate", "cost", "bench")],
    (["vectors", "int_mul", "-o", "v.vec", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["sweep", "fp_mul", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["error", "dot", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["report", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    *[([command], "the following arguments are required") for command in
      ("generate", "verify", "vectors", "mutate", "cost", "sweep", "error")],
    (["vectors", "int_mul"], "the following arguments are required: -o/--output"),
    (["error", "lmul", "--samples", "0"], "argument --samples: must be an integer from 1"),
    (["error", "dfp", "--trials", "10001"], "argument --trials: must be an integer from 1 to 10,000"),
    (["error", "unknown"], "invalid choice: 'unknown'"),
    (["bench", "fp_mul", "-p", "fmt=bf16", "--lanes", "4"], "--lanes sets the lanes of the two-operand 8-bit bench"),
    (["bench", "--lanes", "0"], "argument --lanes: must be an integer from 1"),
    (["bench", "--rounds", "101"], "argument --rounds: must be an integer from 1 to 100"),
    (["cost", "int_mul", "--flow", "magic"], "invalid choice: 'magic'"),
    (["claims", "--flow", "magic"], "invalid choice: 'magic'"),
    (["mutate", "int_mul", "--mutants", "10001"], "argument --mutants: must be an integer from 1 to 10,000"),
    (["mutate", "int_mul", "--seed", "-3"], "argument --seed: must be an integer from 0"),
]

COMMANDS_WITH_UNIT = ("generate", "verify", "vectors", "cost", "mutate")


def _with_output(command: str, argv: list[str]) -> list[str]:
    return [*argv, "-o", "v.vec"] if command == "vectors" else argv


def _bad_values(param) -> list[str]:
    """Values a parameter of this kind cannot take."""
    return {"bool": ["maybe"], "int": ["abc", "99999999999999999999"], "choice": ["bogus"],
            "format": ["posit8"], "text": ["bogus!"]}[param.kind]


CATALOG_CASES = [
    *[(_with_output(command, [command, name, "-p", "colour=red"]), f"{name} has no parameter 'colour'")
      for command in COMMANDS_WITH_UNIT for name in units()],
    *[(_with_output(command, [command, name, "-p", "=1"]), "malformed parameter '=1'")
      for command in ("generate", "verify") for name in units()],
    *[(_with_output(command, [command, name, "-p", f"{p.name}={bad}"]), (p.name, bad))
      for command in ("generate", "verify") for name, spec in units().items()
      for p in spec.parameters() for bad in _bad_values(p)],
    *[(["cost", name, "-p", f"{p.name}={_bad_values(p)[0]}"], (p.name, _bad_values(p)[0]))
      for name, spec in units().items() for p in spec.parameters()[:1]],
]


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` but the build folder, files with their digest."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.rglob("*")) if "build" not in p.relative_to(folder).parts}


@pytest.fixture
def planted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, data in PLANTED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return tmp_path


def _refused(capsys, planted: Path, argv: list[str]) -> str:
    before = _snapshot(planted)
    extra = ["--build", "build"] if argv[0] in ("verify", "mutate", "report", "sweep", "bench", "cost",
                                                 "claims") and "--build" not in argv else []
    code = main([*argv, *extra])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("arithbench: error: ") and "Traceback" not in err, err
    assert _snapshot(planted) == before, "a file was written, changed or removed"
    build = planted / "build"  # arithbench's cache may hold generated RTL, but no simulator build began
    assert not (build / "sim").exists() and not list(build.rglob("arithbench.stamp"))
    return err


@pytest.mark.parametrize("argv,message", CLI_CASES + CATALOG_CASES,
                         ids=lambda x: " ".join(x)[:80] if isinstance(x, list) else "")
def test_the_command_line_refuses_in_one_line_and_writes_nothing(capsys, planted, argv, message):
    err = _refused(capsys, planted, argv)
    if isinstance(message, tuple):  # a parameter's bad value: the line names the parameter or the value
        name, value = message
        assert f"parameter {name}" in err or repr(value) in err or value in err, err
    else:
        assert message in err, err


def _unit():
    return arithbench.configure("int_mul", width=8)


#: (call, exception type, what the message says)
API_CASES = [
    (lambda: arithbench.dequantize([0x1FF], "e4m3"), "0x1ff, wider than its 8 bits"),
    (lambda: arithbench.dequantize([256], "e4m3"), "0x100, wider than its 8 bits"),
    (lambda: arithbench.dequantize([0x10000], "bf16"), "wider than its 16 bits"),
    (lambda: arithbench.dequantize([-1], "e4m3"), "negative numbers"),
    (lambda: arithbench.dequantize([1.5], "e4m3"), "must be integer codes"),
    (lambda: arithbench.dequantize(None, "e4m3"), "must be integer codes, not None"),
    (lambda: arithbench.dequantize(["a"], "e4m3"), "must be integer codes"),
    (lambda: arithbench.dequantize([1], 8), "a format is a name"),
    (lambda: arithbench.dequantize([1], "e4m3x"), "unknown format 'e4m3x'"),
    (lambda: arithbench.quantize([1.0], "e4m3", sat="no"), "sat must be True, False or None"),
    (lambda: arithbench.quantize([1.0], "e4m3", sat=1), "sat must be True, False or None"),
    (lambda: arithbench.quantize(None, "e4m3"), "values must be numbers"),
    (lambda: arithbench.quantize("1.0", "e4m3"), "values must be numbers"),
    (lambda: arithbench.quantize(["a"], "e4m3"), "values must be numbers"),
    (lambda: arithbench.quantize([[1.0], [2.0, 3.0]], "e4m3"), "values must be numbers"),
    (lambda: arithbench.quantize([1.0], "e4m3", rounding="up"), "rounding must be one of"),
    (lambda: arithbench.quantize([1.0], "e4m3", rounding=None), "rounding must be one of"),
    (lambda: arithbench.quantize([1.0], "e4m3", rounding="sr"), "needs them"),
    (lambda: arithbench.quantize([1.0], "e4m3", random=[1]), "random bits go with rounding='sr'"),
    (lambda: arithbench.quantize([1.0], "e4m3", rounding="sr", random=[1], rbits=0), "rbits must be an integer from 2"),
    (lambda: arithbench.quantize([1.0], "e4m3", rounding="sr", random=[1], rbits=64), "rbits must be an integer"),
    (lambda: arithbench.quantize([1.0], "e4m3", rounding="sr", random=[1], rbits=100), "rbits must be an integer"),
    (lambda: arithbench.quantize([1.0], "e4m3", rounding="sr", random=[1], rbits=8.0), "rbits must be an integer"),
    (lambda: arithbench.quantize([1.0], "e4m3", rounding="sr", random=[256], rbits=8), "wider than its 8 bits"),
    (lambda: arithbench.quantize([1.0], "e4m3", rounding="sr", random=[0.5]), "must be integer codes"),
    (lambda: arithbench.quantize([1.0, 2.0], "e4m3", rounding="sr", random=[1, 2, 3]), "give one per value"),
    (lambda: arithbench.configure("fp_div"), "unknown unit 'fp_div'"),
    (lambda: arithbench.configure("int_mul", width=12), "parameter width must be one of"),
    (lambda: arithbench.configure("int_mul", colour="red"), "has no parameter 'colour'"),
    (lambda: arithbench.configure("int16_fma", bound=10**20, clocked=True), "bound must be 0 (never)"),
    (lambda: arithbench.configure("fp_mul", sat="maybe"), "must be true or false"),
    (lambda: _unit().model(a=[0x1FF], b=[2]), "a holds 0x1ff, wider than its 8 bits"),
    (lambda: _unit().model(a=[300], b=[300]), "wider than its 8 bits"),
    (lambda: _unit().model(a=[1, 2], b=[3]), "as many for every port"),
    (lambda: _unit().model(a=[], b=[]), "one or more vectors"),
    (lambda: _unit().model(a=[[1]], b=[[2]]), "one-dimensional"),
    (lambda: _unit().model(a=[1]), "takes inputs a, b"),
    (lambda: _unit().model(a=[1], b=[2], c=[3]), "takes inputs a, b"),
    (lambda: _unit().model(a=[1.0], b=[2]), "must be integer codes"),
    (lambda: arithbench.configure("bfp_dot", k=32).model(ea=[1], eb=[1], a=[1], b=[1]), "128-bit port"),
    (lambda: arithbench.configure("bfp_dot", k=32).model(ea=[1], eb=[1], a=[[1, 1, 1]], b=[[1, 1]]),
     "shape (n, 2)"),
    (lambda: _unit().verify(vectors=0), "vectors must be 'exhaustive' or a count from 1"),
    (lambda: _unit().verify(vectors=-5), "vectors must be 'exhaustive' or a count from 1"),
    (lambda: _unit().verify(vectors=1.5), "vectors must be 'exhaustive' or a count from 1"),
    (lambda: _unit().verify(vectors=True), "vectors must be 'exhaustive' or a count from 1"),
    (lambda: _unit().verify(vectors="lots"), "vectors must be 'exhaustive' or a count from 1"),
    (lambda: _unit().verify(vectors=2**41), "vectors must be 'exhaustive' or a count from 1"),
    (lambda: _unit().verify(vectors=2**30), "more than one process holds"),
    (lambda: _unit().verify(seed=-1), "seed must be an integer from 0"),
    (lambda: _unit().verify(seed=2**32), "seed must be an integer from 0"),
    (lambda: _unit().verify(seed="x"), "seed must be an integer from 0"),
    (lambda: _unit().verify(sim="vcs"), "unknown simulator 'vcs'"),
    (lambda: _unit().verify(root=None), "root takes a folder's path, not None"),
    (lambda: _unit().verify(root=""), "root takes a folder's path"),
    (lambda: _unit().verify(root="README.md"), "cannot write to README.md"),
    (lambda: _unit().verify(rtl=123, top="smul8"), "--rtl takes your design's files"),
    (lambda: _unit().verify(rtl=[], top="smul8"), "--top describe your design"),
    (lambda: _unit().verify(rtl="smul8.v"), "--rtl needs --top MODULE"),
    (lambda: _unit().verify(rtl="smul8.v", top=TOP_INJECTION, ports={"a": "x", "b": "w", "y": "p"}),
     "--top must be a Verilog name"),
    (lambda: _unit().verify(rtl="smul8.v", top="smul8", ports={"a": "x; stat"}), "--map must be a Verilog name"),
    (lambda: _unit().verify(rtl="smul8.v", top="smul8", ports=5), "--map (ports=) takes unit=yours pairs"),
    (lambda: _unit().verify(rtl="smul8.v", top="smul8", ports={"a": "x", "b": "w", "y": "p"}, clock="clk",
                            latency=10**9), "--latency must be an integer from 0 to 64"),
    (lambda: _unit().verify(rtl="smul8.v", top="smul8", ports={"a": "x", "b": "w", "y": "p"}, clock="c k"),
     "--clock must be a Verilog name"),
    (lambda: _unit().verify(rtl="smul8.v", top="smul8", ports={"a": "x", "b": "w", "y": "p"}, clock="clk",
                            reset=5), "--reset takes NAME or NAME:low"),
    (lambda: _unit().verify(rtl='q"x.v', top="smul8"), "rename the file"),
    (lambda: _unit().verify(rtl="smul8.v", top="smul8", netlist=True), "give one of them"),
    (lambda: _unit().verify(top="smul8"), "describe your design"),
    (lambda: _unit().verify(latency=2), "--latency describe your design"),
    (lambda: _unit().error("uniform"), "data must be one of"),
    (lambda: _unit().error([1e308, 1e308, 1.0]), "values lie outside"),
    (lambda: _unit().error([1.0] + [0.0] * 999), "values are not zero"),
    (lambda: _unit().error(np.array(["a"])), "not numbers"),
    (lambda: _unit().error("normal", seed=-1), "seed must be an integer from 0"),
    (lambda: arithbench.configure("int_add").error("normal"), "has no end-to-end error"),
    (lambda: _unit().cost(flow="magic"), "magic"),
    (lambda: _unit().cost(flow=5), "flow must be a flow's name"),
    (lambda: _unit().cost(root=None), "root takes a folder's path"),
]


@pytest.mark.parametrize("call,message", API_CASES, ids=[str(i) for i in range(len(API_CASES))])
def test_the_api_refuses_with_one_arithbench_error_and_writes_nothing(planted, call, message):
    before = _snapshot(planted)
    with pytest.raises(arithbench.ArithbenchError) as caught:
        call()
    text = str(caught.value)
    assert message in text and "\n" not in text, text
    assert _snapshot(planted) == before
    assert not (planted / "build" / "sim").exists()


def test_the_table_holds_at_least_300_cases():
    assert len(CLI_CASES) + len(CATALOG_CASES) + len(API_CASES) >= 300


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr")
@pytest.mark.parametrize("argv", [["vectors", "int_mul", "-o", "locked/x.vec", "--vectors", "3"],
                                  ["generate", "int_mul", "-o", "locked/g"],
                                  ["report", "-o", "locked/r", "--units", "int_mul"],
                                  ["verify", "int_mul", "--build", "locked/b"]])
def test_a_folder_that_cannot_be_written_is_one_line(capsys, planted, argv):
    """Root ignores file modes: an immutable folder stands for one the user may not write."""
    locked = planted / "locked"
    locked.mkdir()
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable attribute")
    try:
        err = _refused(capsys, planted, argv)
        assert "locked" in err and ("cannot write" in err or "cannot use" in err), err
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)
