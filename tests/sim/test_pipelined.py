"""Pipelined units: stages registers behind the outputs, retimed in synthesis; the same golden
model, checked with the latency accounted for, on the RTL and on the retimed netlist."""

import pytest

from arithbench.catalog import configure
from arithbench.cli import main
from arithbench.reports.area import synthesize
from arithbench.rtl.emit import design
from arithbench.sim.verify import verify


@pytest.mark.sim
@pytest.mark.parametrize("sim", ["verilator", "icarus"])
def test_a_two_stage_fp8_multiplier_passes_exhaustively(sim, build_root):
    verdict = verify(configure("fp_mul", {"fmt": "e4m3", "stages": "2"}), sim=sim, root=build_root)
    assert verdict.passed and verdict.exhaustive and verdict.vectors == 65_536


@pytest.mark.sim
def test_a_wrong_latency_is_caught(build_root):
    """The bench lines outputs up by the declared latency: declare one stage too few and vectors mismatch."""
    config = configure("int_mul", {"width": "8", "stages": "3"})
    short = design(config, build_root).with_latency(2)
    assert verify(config, root=build_root, design=short).mismatches > 60_000


@pytest.mark.sim
@pytest.mark.synth
def test_retiming_shortens_the_worst_stage_and_the_retimed_netlist_is_bit_exact(build_root):
    comb = synthesize(configure("fp_mul", {"fmt": "e4m3"}), root=build_root)
    config = configure("fp_mul", {"fmt": "e4m3", "stages": "2"})
    piped = synthesize(config, root=build_root)
    assert piped["delay_ns"] < 0.75 * comb["delay_ns"]  # clock-to-Q and setup included
    assert piped["cells_by_type"].get("DFFPOSX1", 0) >= 16 and piped["area_um2"] > comb["area_um2"]
    netlist = design(config, build_root).with_files(build_root / piped["dir"] / "mapped_sim.v", label="retimed netlist")
    verdict = verify(config, sim="verilator", root=build_root, design=netlist)  # Icarus runs the RTL elsewhere
    assert verdict.passed and verdict.vectors == 65_536


@pytest.mark.parametrize("argv,message", [
    (["verify", "fp_mul", "-p", "stages=9"], "parameter stages must be 0 (combinational) to 8, not 9"),
    (["verify", "fp_mul", "-p", "stages=-1"], "parameter stages must be 0 (combinational) to 8"),
    (["verify", "fp_mul", "-p", "stages=two"], "parameter stages must be an integer"),
    (["verify", "int8_mac", "-p", "clocked=true", "-p", "stages=2"], "stages pipelines the combinational unit"),
    (["bench", "fp_mul", "-p", "stages=1", "--lanes", "2"], "--lanes sets the lanes of the two-operand 8-bit bench"),
    (["verify", "fp_mul", "-p", "stages=1", "--workers", "2"], "run it without --workers"),
])
def test_bad_stages_are_one_line(capsys, tmp_path, argv, message):
    assert main([*argv, "--build", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
