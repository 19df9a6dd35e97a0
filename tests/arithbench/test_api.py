"""The public Python API: the README's example runs as written, and bad arguments are one line."""

import doctest
import re
from pathlib import Path

import numpy as np
import pytest

import arithbench
import arithbench.api
from arithbench.errors import UsageError

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_api_module_examples_run():
    assert doctest.testmod(arithbench.api).failed == 0


@pytest.mark.sim
def test_the_readme_example_runs_as_written(tmp_path, monkeypatch):
    block = re.search(r"## Python API.*?```python\n(.*?)```", README.read_text(), re.S)[1]
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    assert namespace["result"].passed and namespace["cost"]["area_um2"] > 0


def test_codes_and_values_do_not_mix():
    unit = arithbench.configure("fp_mul", fmt="e4m3")
    with pytest.raises(UsageError, match="a must be integer codes, not float64 values"):
        unit.model(a=np.array([1.5]), b=np.array([0x38]))
    with pytest.raises(UsageError, match="takes inputs a, b, not a"):
        unit.model(a=np.array([0x38]))
    with pytest.raises(UsageError, match="codes are unsigned bit patterns"):
        arithbench.dequantize([-1], "e4m3")
    with pytest.raises(UsageError, match="a format is a name"):
        arithbench.quantize([1.0], 8)
    with pytest.raises(UsageError, match="rounding must be one of"):
        arithbench.quantize([1.0], "e4m3", rounding="up")


def test_formats_by_name_or_object_agree_with_ml_dtypes():
    import ml_dtypes

    from arithbench.models.formats import float_format

    values = np.random.default_rng(1).normal(size=1000) * 100
    ours = arithbench.quantize(values, float_format("e5m2"))
    theirs = values.astype(ml_dtypes.float8_e5m2).view(np.uint8)
    assert (ours == theirs).all()
    assert np.array_equal(arithbench.dequantize(ours, "e5m2"), theirs.view(ml_dtypes.float8_e5m2).astype(np.float64))


def test_configure_takes_python_values_and_names_the_module():
    unit = arithbench.configure("fp_mul", fmt="bf16", round="rtz", sat=False)
    assert unit.module_name == "fp_mul_bf16_rtz_nosat" and unit.params["sat"] is False
    assert f"module {unit.module_name}" in unit.verilog()


def test_quantize_takes_the_formats_sat_default_and_stochastic_rounding():
    import arithbench

    assert arithbench.quantize([1e6], "fp16").tolist() == [0x7C00]  # IEEE: overflow to inf
    assert arithbench.quantize([1e6], "e4m3").tolist() == [0x7E]  # OCP: saturates
    assert arithbench.quantize([1e6], "binary8p3").tolist() == [0x7F]  # P3109: inf
    one_plus = 1 + 2**-11  # half an fp16 ulp above 1
    assert arithbench.quantize([one_plus] * 2, "fp16", "sr", random=[0x7FFF, 0x8000]).tolist() == [0x3C00, 0x3C01]
    with pytest.raises(arithbench.UsageError, match="needs them"):
        arithbench.quantize([1.0], "fp16", "sr")
    with pytest.raises(arithbench.UsageError, match="wider than its 16 bits"):
        arithbench.quantize([1.0], "fp16", "sr", random=[1 << 16])


def test_end_to_end_error_on_named_or_own_data():
    fp8, int8 = arithbench.configure("fp_mul", fmt="e4m3"), arithbench.configure("int_mul", width=8)
    assert 0.01 < fp8.error()["mean_err"] < 0.1 and fp8.error()["measure"] == "relative error per product"
    heavy = np.random.default_rng(2).standard_t(2, 10_000)
    assert int8.error(heavy)["mean_err"] > int8.error("normal")["mean_err"]  # outliers take int8's range
    assert arithbench.configure("fp8_mac").error("student_t3")["class"] == "MACs into fp32"
    with pytest.raises(UsageError, match="data must be one of normal, student_t3"):
        fp8.error("uniform")
    with pytest.raises(UsageError, match="data: need at least two finite values"):
        fp8.error([1.0, np.inf])
    with pytest.raises(UsageError, match="int_add has no end-to-end error"):
        arithbench.configure("int_add").error()


# The option rules and resource guards live in the API: a Python call and the command line that
# asks the same thing are refused with the same one line, before anything is written.

def _int8():
    return arithbench.configure("int_mul", width=8)


SAME_REFUSAL = [
    (["verify", "fp_mul", "-p", "fmt=e4m3", "--vectors", "1000000000"],
     lambda: arithbench.configure("fp_mul", fmt="e4m3").verify(vectors=10**9)),
    (["verify", "int_mul", "--vectors", "lots"], lambda: _int8().verify(vectors="lots")),
    (["verify", "int_mul", "--rtl", "mine.v", "--top", "mine", "--workers", "2"],
     lambda: _int8().verify(rtl="mine.v", top="mine", workers=2)),
    (["verify", "int_mul", "--netlist", "--scheduler", "tcp://localhost:1"],
     lambda: _int8().verify(netlist=True, scheduler="tcp://localhost:1")),
    (["verify", "int_mul", "--only", "5", "--workers", "2"], lambda: _int8().verify(only=5, workers=2)),
    (["verify", "int_mul", "--shard-size", "1000"], lambda: _int8().verify(shard_size=1000)),
    (["verify", "int_mul", "--waves", "--workers", "2"], lambda: _int8().verify(waves=True, workers=2)),
    (["verify", "int_mul", "--top", "mine", "--workers", "2"], lambda: _int8().verify(top="mine", workers=2)),
    (["verify", "int16_fma", "-p", "clocked=true", "--workers", "2"],
     lambda: arithbench.configure("int16_fma", clocked=True).verify(workers=2)),
    (["vectors", "int16_fma", "-p", "clocked=true", "-o", "v.vec"],
     lambda: arithbench.configure("int16_fma", clocked=True).vectors("v.vec")),
    (["vectors", "int_mul", "-o", "v.vec", "--vectors", str(2**30)], lambda: _int8().vectors("v.vec", 2**30)),
    (["vectors", "int_mul", "-o", "v.vec", "--vectors", "0"], lambda: _int8().vectors("v.vec", 0)),
    (["vectors", "int_mul", "-o", "README.md"], lambda: _int8().vectors("README.md")),
    (["error", "lmul", "--trials", "5"], lambda: arithbench.error("lmul", trials=5)),
    (["error", "dot", "--samples", "5"], lambda: arithbench.error("dot", samples=5)),
    (["error", "block", "--trials", "5"], lambda: arithbench.error("block", trials=5)),
    (["report", "--unit", "fp_mul", "--units", "lmul"], lambda: arithbench.report(unit=["fp_mul"], units=["lmul"])),
    (["report", "--unit", "fp_mul", "--unit", "fp_mul fmt=e4m3"],
     lambda: arithbench.report(unit=["fp_mul", "fp_mul fmt=e4m3"])),
    (["report", "--units", "fp_div"], lambda: arithbench.report(units=["fp_div"])),
    (["report", "--data", "weights.npy"], lambda: arithbench.report(data=["weights.npy"])),
    (["report", "-o", "."], lambda: arithbench.report(".")),
    (["report", "-o", "R", "--build", "R/b"], lambda: arithbench.report("R", root="R/b")),
    (["sweep", "fp_mul", "-o", "S", "--build", "S"], lambda: arithbench.sweep("fp_mul", output="S", root="S")),
    (["sweep", "fp_mul", "--formats", "e4m3,"], lambda: arithbench.sweep("fp_mul", formats="e4m3,")),
    (["sweep", "fp_mul", "--formats", "e4m3,posit8"], lambda: arithbench.sweep("fp_mul", formats=["e4m3", "posit8"])),
    (["sweep", "int_mul"], lambda: arithbench.sweep("int_mul")),
    (["bench", "int16_fma", "--lanes", "8"], lambda: arithbench.configure("int16_fma").bench(lanes=8)),
    (["bench", "fp_mul", "-p", "fmt=bf16", "--lanes", "4"], lambda: arithbench.configure("fp_mul", fmt="bf16").bench(lanes=4)),
    (["mutate", "int_mul", "--build", "b"], lambda: _int8().mutate(root="b")),
]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("argv,call", SAME_REFUSAL, ids=[" ".join(argv) for argv, _ in SAME_REFUSAL])
def test_the_api_and_the_command_line_refuse_with_the_same_line(argv, call, tmp_path, monkeypatch, capsys):
    from arithbench.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("a user's file")
    record = tmp_path / "b" / "mutants" / "int_mul_width8_signed" / "record.json"  # a user's file where mutate writes
    record.parent.mkdir(parents=True)
    record.write_text("a user's record")
    before = _files(tmp_path)
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("arithbench: error: ") and err.count("\n") == 1, err
    with pytest.raises(UsageError) as caught:
        call()
    assert err == f"arithbench: error: {caught.value}\n"
    assert {k: v for k, v in _files(tmp_path).items() if not k.startswith("build/")} == before


def test_a_bad_scheduler_address_is_the_parsers_line_and_the_apis():
    from arithbench.cli import parser

    for address in ("bogus", "tcp://:", "http://host:1", "tcp://[x"):
        with pytest.raises(UsageError) as api:
            _int8().verify(scheduler=address, workers=1)
        with pytest.raises(UsageError) as cli:
            parser().parse_args(["verify", "int_mul", "--scheduler", address])
        assert str(api.value) == f"--scheduler must be an address like tcp://HOST:PORT, not {address!r}"
        assert str(cli.value) == f"argument --scheduler: {str(api.value).removeprefix('--scheduler ')} " \
            "(see arithbench verify --help)"


@pytest.mark.parametrize("call,message", [
    (lambda: _int8().verify(workers=0), "--workers must be an integer from 1 to 1,024, not 0"),
    (lambda: _int8().verify(workers=2, shard_size=0), "--shard-size must be an integer from 1"),
    (lambda: _int8().verify(lanes=5000), "--lanes must be an integer from 1 to 4,096"),
    (lambda: _int8().vectors(None), "path takes a file's path, not None"),
    (lambda: _int8().mutate(mutants=0), "--mutants must be an integer from 1 to 10,000"),
    (lambda: _int8().mutate(proof_seconds=0), "--proof-seconds must be an integer from 1"),
    (lambda: _int8().bench(rounds=101), "--rounds must be an integer from 1 to 100"),
    (lambda: arithbench.error("nope"), "study must be one of lmul, dot, dfp, block, accumulate, lowbit, not 'nope'"),
    (lambda: arithbench.error("dot", trials=10_001), "--trials must be an integer from 1 to 10,000"),
    (lambda: arithbench.error("lmul", samples=0), "--samples must be an integer from 1 to 10,000,000"),
    (lambda: arithbench.report(units=5), "--units takes a unit's name or a list of them, not 5"),
    (lambda: arithbench.report(data=[1]), "--data takes a .npy file's path or a list of them"),
    (lambda: arithbench.report(workers=0), "--workers must be an integer from 1 to 256"),
    (lambda: arithbench.sweep("fp_mul", rounding=[]), "--rounding takes a comma-separated list with no empty"),
    (lambda: arithbench.sweep("fp_mul", workers=2000), "--workers must be an integer from 1 to 1,024"),
    (lambda: arithbench.claims(flow=5), "flow must be a flow's name"),
])
def test_the_apis_own_arguments_are_checked_before_any_work(call, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as caught:
        call()
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert not list(tmp_path.iterdir())


def test_vectors_returns_what_the_command_line_prints(tmp_path, capsys):
    from arithbench.cli import main

    written = _int8().vectors(tmp_path / "api.vec", 5, seed=3)
    lines = [line for line in (tmp_path / "api.vec").read_text().splitlines() if not line.startswith("#")]
    assert written.path == tmp_path / "api.vec" and written.asked == 5 and written.vectors == len(lines) > 5
    assert main(["vectors", "int_mul", "-o", str(tmp_path / "cli.vec"), "--vectors", "5", "--seed", "3"]) == 0
    out, err = capsys.readouterr()
    assert out == f"wrote {tmp_path / 'cli.vec'}: {written.vectors:,} vectors\n"
    assert err.startswith(f"note: {written.vectors:,} vectors: the 5 asked for plus every pair of corner patterns")
    assert (tmp_path / "cli.vec").read_text() == (tmp_path / "api.vec").read_text()


def test_generate_returns_the_verilog_beside_its_description(tmp_path):
    unit = arithbench.configure("int_add")
    path = unit.generate(tmp_path / "rtl")
    assert path == tmp_path / "rtl" / f"{unit.module_name}.v"
    assert f"module {unit.module_name}" in path.read_text() and path.with_suffix(".json").is_file()


def test_an_error_study_is_the_table_the_command_line_prints_as_json(capsys, monkeypatch):
    """The study itself is stood in for (test_cli.py prints the real tables): what is tested is
    what reaches it and what comes back."""
    import json

    from arithbench.cli import main
    from arithbench.reports import dot_error

    monkeypatch.setattr(dot_error, "rows", lambda trials, seed: [{"method": "stand-in", "trials": trials, "seed": seed}])
    result = arithbench.error("dot", trials=2, seed=4)
    assert result.rows == [{"method": "stand-in", "trials": 2, "seed": 4}]
    assert result.size == 2 and result.seed == 4 and result.claims is None
    assert result.as_dict() == {"rows": result.rows, "trials": 2, "seed": 4}
    assert arithbench.error("dot").size == 64  # the study's default
    assert main(["error", "dot", "--trials", "2", "--seed", "4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == result.as_dict()


def test_a_sharded_verify_writes_its_record_under_the_build_folder(tmp_path, monkeypatch):
    """The sharded run itself (Dask, simulators) is tested in tests/sim/test_shards.py; here, what
    the API does with its verdict."""
    import json

    from arithbench.sim import shards

    asked = {}

    def fake(config, **kwargs):
        asked.update(kwargs)
        return shards.ShardedVerdict(config.module_name, kwargs["sim"], 64, 5000, False, kwargs["seed"], "2 workers")

    monkeypatch.setattr(shards, "verify_sharded", fake)
    verdict = _int8().verify(vectors=5000, seed=9, root=tmp_path / "b", workers=2, shard_size=2500)
    assert asked["workers"] == 2 and asked["shard_size"] == 2500 and asked["count"] == 5000
    path = verdict.record_path(tmp_path / "b")
    assert path.parent == tmp_path / "b" / "records" and json.loads(path.read_text())["seed"] == 9
    # A user's file where the record goes is refused before the run, not after it.
    mine = verdict.record_path(tmp_path / "mine")
    mine.parent.mkdir(parents=True)
    mine.write_text("a user's file")
    asked.clear()
    with pytest.raises(UsageError, match="exists and arithbench did not write it"):
        _int8().verify(vectors=5000, seed=9, root=tmp_path / "mine", workers=2)
    assert not asked and mine.read_text() == "a user's file"
