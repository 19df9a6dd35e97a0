"""Placed and routed: qrouter's wire trees as SPEF, the routed wire length, and a small unit laid
out, timed on its wires and its routed netlist verified exhaustively (the README's fp_mul e4m3
run takes longer: its simulator build)."""

from pathlib import Path

import pytest

from arithbench.api import Unit
from arithbench.catalog import configure
from arithbench.cli import main
from arithbench.reports.layout import rc_to_spef, wire_length_um

# One net from the driver u1/Y: a 10-ohm, 2 fF segment to an inner node, which branches to
# u2/A (5 ohm, 1 fF) and to the output pin y (3 ohm, 0.5 fF).
RC = "n5 1 u1/Y 2 ( 10 0.002 ( 5 0.001 u2/A ) , ( 3 0.0005 PIN/y ) )\n"


def test_rc_trees_become_spef_nets_with_half_the_capacitance_at_each_end():
    spef = rc_to_spef(RC, "top")
    assert '*DESIGN "top"' in spef and "*C_UNIT 1 PF" in spef and "*R_UNIT 1 OHM" in spef
    net = spef[spef.index("*D_NET n5"):]
    assert net.startswith("*D_NET n5 0.0035\n")  # the whole net's capacitance
    assert "*I u1:Y O\n" in net and "*I u2:A I\n" in net and "*P y O\n" in net
    caps = dict(line.split()[1:] for line in net[net.index("*CAP"):net.index("*RES")].splitlines()[1:])
    assert {k: float(v) for k, v in caps.items()} == pytest.approx(
        {"u1:Y": 0.001, "n5:1": 0.001 + 0.0005 + 0.00025, "u2:A": 0.0005, "y": 0.00025})
    resistors = [line.split()[1:] for line in net[net.index("*RES"):net.index("*END")].splitlines()[1:]]
    assert resistors == [["u1:Y", "n5:1", "10"], ["n5:1", "u2:A", "5"], ["n5:1", "y", "3"]]


def test_wire_length_sums_the_routed_segments():
    def_text = ("UNITS DISTANCE MICRONS 100 ;\nDIEAREA ( 0 0 ) ( 1000 1000 ) ;\nNETS 1 ;\n- n1\n"
                "  + ROUTED metal2 ( 100 200 ) ( * 700 )\n  NEW metal1 ( 100 700 ) ( 400 * ) ;\nEND NETS\n")
    assert wire_length_um(def_text) == pytest.approx((500 + 300) / 100)


@pytest.mark.synth
@pytest.mark.sim
def test_a_laid_out_unit_is_slower_on_its_wires_and_its_routed_netlist_verifies(build_root):
    figures = Unit(configure("fp_mul", {"fmt": "e2m1"})).cost(root=build_root, layout=True).as_dict()
    lay = figures["layout"]
    assert lay["pre_layout_delay_ns"] == pytest.approx(figures["delay_ns"], rel=0.05)  # the same cells (and buffers)
    assert lay["post_route_delay_ns"] > lay["pre_layout_delay_ns"]
    assert lay["die_area_um2"] > figures["area_um2"] and 0.3 < lay["utilisation"] < 1
    assert lay["wire_length_um"] > 0 and lay["seconds"]["routing (qrouter)"] >= 0
    assert "(exhaustive), 0 mismatches" in figures["layout_verification"]


@pytest.mark.parametrize("argv,message", [
    (["cost", "fp_mul", "--layout", "--liberty", "/usr/share/qflow/tech/osu035/osu035_stdcells.lib"],
     "--layout places and routes on OSU 0.18 um"),
    (["cost", "fp_mul", "--layout", "-p", "period=8"], "--layout places and routes on OSU 0.18 um"),
    (["cost", "fp8_mac", "-p", "clocked=true", "--layout"], "--layout lays out combinational units"),
])
def test_layout_refusals_are_one_line(argv, message, capsys, tmp_path):
    assert main([*argv, "--build", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


@pytest.mark.synth
def test_a_failing_step_names_its_step_and_keeps_its_log(build_root, tmp_path, monkeypatch):
    """A step that fails (here qflow's placement-input script, replaced by one that exits 1) is
    one line naming the step and its log, and the log is still there to read."""
    from arithbench.errors import ToolError
    from arithbench.reports import layout as flow

    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "blif2cel.tcl").write_text('puts "no cells today"\nexit 1\n')
    monkeypatch.setattr(flow, "SCRIPTS", scripts)
    with pytest.raises(ToolError, match="layout: placement input failed: see ") as err:
        flow.layout(configure("int_mul", {"width": "4"}), root=build_root)  # a netlist no other test lays out
    log = Path(str(err.value).rsplit("see ", 1)[1])
    assert log.name == "cel.log" and "no cells today" in log.read_text() and log.parent.name.startswith("failed-")
