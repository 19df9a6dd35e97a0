"""The scaled quantizer's Python API: the README's example runs as written and prints what the
README says; the call is exported and its refusals are one line."""

import re
from pathlib import Path

import pytest

import arithbench

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_scaled_example_runs_and_prints_what_the_readme_says(capsys):
    text = README.read_text()
    block = re.search(r"`arithbench.quantize_scaled\(values, fmt, \.\.\.\)`.*?```python\n(.*?)```\n\nprints (.*?)\. The",
                      text, re.S)
    exec(compile(block[1], "README.md", "exec"), {})  # noqa: S102 - the README's own example
    out = capsys.readouterr().out.splitlines()
    said = re.findall(r"(\d+\.\d) (?:dB )?(?:for [^(]*)?\((\d\.\d+)", " ".join(block[2].split()))
    printed = [re.search(r"(\d\.\d+) bits.*?(-?\d+\.\d) dB", line).groups()[::-1] for line in out[:4]]
    assert [(float(a), float(b)) for a, b in printed] == [(float(a), float(b)) for a, b in said] and len(said) == 4
    assert [float(b) for _, b in printed][:3] == [4.5, 4.25, 4.125]
    assert out[4] == "[8 2] [-1.  1.]"


def test_quantize_scaled_is_exported():
    assert "quantize_scaled" in arithbench.__all__
    got = arithbench.quantize_scaled([7.0, -3.5, 1.0, 0.25], "int4")  # scale 7 / 7 = 1; -3.5 is a tie: to -4
    assert got.values.tolist() == [7.0, -4.0, 1.0, 0.0] and got.codes.tolist() == [7, 12, 1, 0]


@pytest.mark.parametrize("values", ["1.0", {"a": 1}, [[1, 2], [3]]])
def test_quantize_scaled_refuses_what_is_not_numbers(values):
    with pytest.raises(arithbench.UsageError) as e:
        arithbench.quantize_scaled(values, "e2m1")
    assert "\n" not in str(e.value)
