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
