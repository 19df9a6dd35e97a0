"""Mutation testing: the mutants are real faults, equivalence is proved, gaps are reported."""

import re

import numpy as np
import pytest

from arithbench.catalog import configure
from arithbench.rtl.emit import generate
from arithbench.sim.equivalence import check
from arithbench.sim.mutants import KINDS, mutants
from arithbench.sim.mutation import mutate


@pytest.fixture(scope="module")
def fp_mul_verilog(build_root):
    config = configure("fp_mul")
    path, _ = generate(config, build_root / "rtl" / config.module_name)
    return config, path, path.read_text()


def test_mutants_are_distinct_single_line_faults_of_every_kind(fp_mul_verilog):
    _, _, verilog = fp_mul_verilog
    made = mutants(verilog, 40, seed=1)
    assert len(made) == 40
    assert len({m.apply(verilog) for m in made}) == 40
    assert {m.kind for m in made} == set(KINDS)
    for m in made:
        changed = [a != b for a, b in zip(verilog.split("\n"), m.apply(verilog).split("\n"))]
        assert sum(changed) == 1 and changed.index(True) == m.line - 1
    assert [m.describe() for m in mutants(verilog, 40, seed=1)] == [m.describe() for m in made]
    assert [m.describe() for m in mutants(verilog, 40, seed=2)] != [m.describe() for m in made]


def test_no_mutant_touches_a_wire_nothing_reads(fp_mul_verilog):
    _, _, verilog = fp_mul_verilog
    lines = verilog.split("\n")
    assigned = [(line, line.split()[1]) for line in lines if line.strip().startswith("assign ")]
    # Unread: the wire's name appears on no other line but declarations (found here by plain text search; an
    # escaped identifier ends at whitespace, a plain one at a non-word character).
    def mentions(line, name):
        end = r"\s" if name.startswith("\\") else r"(?![\w$])"
        return re.search(r"(?<![\w$\\])" + re.escape(name) + end, line) is not None

    uses = [line for line in lines if not line.strip().startswith(("wire ", "reg ", "input ", "output "))]
    dead = [line for line, name in assigned if sum(mentions(other, name) for other in uses) == 1]
    assert dead, "fixture: Amaranth's fp_mul Verilog has unused wires"
    assert all(m.before not in dead for m in mutants(verilog, 10_000, seed=1))


@pytest.mark.proof
def test_equivalence_proves_and_refutes(fp_mul_verilog, tmp_path):
    config, path, verilog = fp_mul_verilog
    # Found by shape, not by Amaranth's net numbers: a shift clamp that never fires ...
    clamp = re.search(r"assign \S+\s+= \$signed\(\S+ \[11:0\]\) > \$signed\(5'h0d\);", verilog)[0]
    same = tmp_path / "same.v"
    same.write_text(verilog.replace(clamp, clamp.replace(" > ", " >= ")))
    proof = check(config.module_name, path, same, outputs={"y"}, work=tmp_path / "eq1")
    assert proof.outcome == "equivalent"
    bias = re.search(r"assign \S+\s+= \S+\s+- 3'h7;", verilog)[0]  # ... and the exponent bias
    wrong = tmp_path / "wrong.v"
    wrong.write_text(verilog.replace(bias, bias.replace("3'h7", "3'h6")))
    proof = check(config.module_name, path, wrong, outputs={"y"}, work=tmp_path / "eq2")
    assert proof.outcome == "differs" and set(proof.inputs) == {"a", "b"}


def test_structural_proof_allows_a_masked_internal_difference_only(tmp_path):
    """The faulty signal t differs, but its only reader masks the fault: equivalent. Without the
    mask the difference reaches y: the structural pass must not assume t equal."""
    gold = "module m(input a, input b, input c, output y);\n  wire t, u;\n  assign t = a & b;\n" \
           "  assign u = (t & a & b) ^ c;\n  assign y = u;\nendmodule\n"
    (tmp_path / "gold.v").write_text(gold)
    (tmp_path / "masked.v").write_text(gold.replace("t = a & b", "t = a | b"))
    proof = check("m", tmp_path / "gold.v", tmp_path / "masked.v", outputs={"y"}, work=tmp_path / "eq1")
    assert proof.outcome == "equivalent" and "equiv_simple" in proof.detail and "$t" not in proof.detail
    assert "internal signals left unproved: t" in proof.detail
    (tmp_path / "plain.v").write_text(gold.replace("(t & a & b)", "t"))
    (tmp_path / "exposed.v").write_text(gold.replace("(t & a & b)", "t").replace("t = a & b", "t = a | b"))
    proof = check("m", tmp_path / "plain.v", tmp_path / "exposed.v", outputs={"y"}, work=tmp_path / "eq2")
    assert proof.outcome == "differs" and set(proof.inputs) == {"a", "b", "c"}


@pytest.mark.sim
def test_exhaustive_bench_catches_every_mutant_of_int_add(tmp_path):
    record = mutate(configure("int_add"), count=8, root=tmp_path, log=lambda line: None)
    assert len(record.results) == 8 and record.caught == 8 and record.score == 1.0


@pytest.mark.sim
def test_a_weak_bench_leaves_survivors_and_the_solver_shows_the_missing_input(tmp_path):
    config = configure("fp_mul", {"fmt": "e5m2"})
    two = {"a": np.array([0x3C, 0x40], np.uint64), "b": np.array([0x3C, 0xC4], np.uint64)}  # 1*1, 2*-4

    class Weak(type(config)):
        def make_vectors(self, plan):
            return two

    weak = Weak(config.values)
    record = mutate(weak, count=6, sim="icarus", root=tmp_path, log=lambda line: None)
    survivors = [r for r in record.results if r.outcome == "survived"]
    assert survivors and record.score < 1.0
    assert all(set(r.counterexample) == {"a", "b"} for r in survivors)
