"""One cache-key scheme: an edit to a unit's catalog entry or to its RTL reaches generate, verify
and cost. Runs arithbench from a copy of the source tree, edits the copy, runs again."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import arithbench
from arithbench.sources import package_folders

# Imports arithbench from the copy: the package and its four subpackages from their folders.
BOOT = """
import importlib.util, sys
root = sys.argv[1]
def load(name, folder):
    spec = importlib.util.spec_from_file_location(name, f"{folder}/__init__.py", submodule_search_locations=[folder])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
load("arithbench", f"{root}/arithbench")
for sub in ("models", "rtl", "sim", "reports"):
    load(f"arithbench.{sub}", f"{root}/{sub}")
from arithbench.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def tree(tmp_path):
    src = tmp_path / "src"
    names = ["arithbench", "models", "rtl", "sim", "reports"]
    for name, folder in zip(names, package_folders()):
        shutil.copytree(folder, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "boot.py").write_text(BOOT)
    return src


def arithbench_in(tree, *argv):
    return subprocess.run([sys.executable, str(tree.parent / "boot.py"), str(tree), *argv],
                          capture_output=True, text=True, cwd=tree.parent)


def edit(path: Path, old: str, new: str):
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


@pytest.mark.sim
@pytest.mark.synth
def test_edits_to_a_unit_entry_and_to_its_rtl_reach_generate_verify_and_cost(tree):
    build, out = tree.parent / "build", tree.parent / "out"
    verilog = out / "int_add_width8_signed.v"

    def snapshot():
        gen = arithbench_in(tree, "generate", "int_add", "-o", str(out))
        ver = arithbench_in(tree, "verify", "int_add", "--build", str(build))
        cost = arithbench_in(tree, "cost", "int_add", "--build", str(build), "--json")
        assert gen.returncode == 0 and cost.returncode == 0, gen.stderr + cost.stderr
        return verilog.read_text(), ver.returncode, json.loads(cost.stdout)

    assert arithbench.__file__ not in arithbench_in(tree, "units").stdout
    v0, verified0, cost0 = snapshot()
    assert verified0 == 0

    # The catalog class decides the component's arguments: unsigned arithmetic for a signed unit.
    edit(tree / "arithbench" / "units" / "int_add.py", "return IntAdd(self.operands)",
         "return IntAdd(IntFormat(self.width, False))")
    v1, verified1, cost1 = snapshot()
    assert v1 != v0 and verified1 == 1  # regenerated, rebuilt, and the mismatch found
    assert cost1["verilog_sha256"] == hashlib.sha256(v1.encode()).hexdigest()[:16] != cost0["verilog_sha256"]

    # The RTL itself: a carry-in of 1.
    edit(tree / "rtl" / "int_add.py", "self.y.eq(self.a + self.b)", "self.y.eq(self.a + self.b + 1)")
    v2, verified2, cost2 = snapshot()
    assert v2 != v1 and verified2 == 1
    assert cost2["verilog_sha256"] == hashlib.sha256(v2.encode()).hexdigest()[:16] != cost1["verilog_sha256"]
