"""Cell libraries: any Liberty file read with its own units, the cells the flow may not use left
out, bad files refused in one line, and the three OSU nodes ordered as the node says."""

import json

import pytest

import arithbench
from arithbench.cli import main
from arithbench.errors import UsageError
from arithbench.reports import library as cell_library
from arithbench.reports.area import synthesize
from arithbench.reports.liberty_energy import library as energy_library

#: A two-cell library in femtofarads, picoseconds and picowatts: what it says in its own units.
TINY = """library (tiny) {
  delay_model : table_lookup;
  time_unit : "1ps";
  voltage_unit : "1V";
  leakage_power_unit : "1pW";
  capacitive_load_unit (1, ff);
  nom_voltage : 0.9;
  nom_temperature : 85;
  default_operating_conditions : slow;
  power_lut_template (energy) {
    variable_1 : total_output_net_capacitance;
    variable_2 : input_transition_time;
    index_1 ("1, 10");
    index_2 ("10, 100");
  }
  cell (INV1) {
    area : 1;
    cell_leakage_power : 50;
    pin (A) { direction : input; capacitance : 2.5; }
    pin (Y) {
      direction : output;
      function : "!A";
      internal_power () {
        related_pin : "A";
        rise_power (energy) { values ("1, 2", "3, 4"); }
        fall_power (energy) { values ("3, 4", "5, 6"); }
      }
    }
  }
  cell (GATED) {
    area : 3;
    dont_use : true;
    pin (A) { direction : input; capacitance : 1; }
    pin (Y) { direction : output; function : "A"; }
  }
}
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.lib"
    path.write_text(TINY)
    return path


def test_a_librarys_units_become_ns_pf_nw_and_pj(tiny):
    lib = cell_library.read(tiny)
    assert (lib.name, lib.corner, lib.voltage, lib.temperature) == ("tiny", "slow", 0.9, 85.0)
    assert lib.combinational == ("INV1",) and lib.unusable == ("GATED",) and lib.flip_flops == ()
    assert "sha256 " + lib.sha256[:12] in lib.label and str(tiny) in lib.label
    cells = energy_library(tiny)
    inv = cells.cells["INV1"]
    assert inv.input_pf["A"] == pytest.approx(0.0025) and inv.leakage_nw == pytest.approx(0.05)
    loads, slews, energy = inv.internal["Y"]
    assert loads.tolist() == pytest.approx([0.001, 0.01]) and slews.tolist() == pytest.approx([0.01, 0.1])
    assert energy.ravel().tolist() == pytest.approx([0.002, 0.003, 0.004, 0.005])  # fF x V^2 = fJ, in pJ
    assert cells.output_pf == pytest.approx(0.0025)  # a primary output drives the smallest inverter


def test_tables_indexed_transition_first_are_read_the_same(tmp_path):
    swapped = (TINY.replace("variable_1 : total_output_net_capacitance;\n    variable_2 : input_transition_time;",
                            "variable_1 : input_transition_time;\n    variable_2 : total_output_net_capacitance;")
               .replace('index_1 ("1, 10");\n    index_2 ("10, 100");', 'index_1 ("10, 100");\n    index_2 ("1, 10");')
               .replace('values ("1, 2", "3, 4")', 'values ("1, 3", "2, 4")')
               .replace('values ("3, 4", "5, 6")', 'values ("3, 5", "4, 6")'))
    assert swapped.count("input_transition_time;\n    variable_2") == 1
    path = tmp_path / "swapped.lib"
    path.write_text(swapped)
    loads, slews, energy = energy_library(path).cells["INV1"].internal["Y"]
    assert loads.tolist() == pytest.approx([0.001, 0.01]) and slews.tolist() == pytest.approx([0.01, 0.1])
    assert energy.ravel().tolist() == pytest.approx([0.002, 0.003, 0.004, 0.005])


def test_a_changed_file_is_read_again(tiny):
    before = cell_library.read(tiny)
    tiny.write_text(TINY.replace("nom_voltage : 0.9", "nom_voltage : 1.1"))
    after = cell_library.read(tiny)
    assert after.voltage == 1.1 and after.sha256 != before.sha256


@pytest.mark.parametrize("text,message", [
    ("hello, world\n", "is not a Liberty file arithbench can read"),
    (TINY.replace("capacitive_load_unit (1, ff);", ""), "no capacitive_load_unit"),
    (TINY.replace('function : "!A";', ""), "no usable combinational cell"),
    (TINY.replace('time_unit : "1ps";', 'time_unit : "1fortnight";'), "time_unit \"1fortnight\" is not one"),
])
def test_a_file_that_is_not_a_usable_library_is_one_line(tmp_path, text, message):
    path = tmp_path / "bad.lib"
    path.write_text(text)
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        cell_library.read(path)


@pytest.mark.parametrize("argv,message", [
    (["cost", "int_mul", "--liberty", "README.md"], "README.md is not a Liberty file"),
    (["cost", "int_mul", "--liberty", "missing.lib"], "cannot read the cell library missing.lib"),
    (["cost", "int_mul", "--liberty", "."], "--liberty . is a folder"),
    (["cost", "int_mul", "--liberty", "tiny.lib", "--flow", "yowasp"], "it needs the osu018 flow"),
    (["cost", "int16_fma", "-p", "clocked=true", "--liberty", "tiny.lib"], "no flip-flop"),
    # the path reaches Yosys's and OpenSTA's scripts: no spaces, semicolons or brackets
    (["cost", "int_mul", "--liberty", "my lib.lib"], "rename the file"),
    (["claims", "--liberty", "semi;colon.lib"], "rename the file"),
    (["cost", "int_mul", "--liberty", "[exec].lib"], "rename the file"),
    (["claims", "--liberty", "tiny.lib", "--liberty", "./tiny.lib"], "names the same library twice"),
])
def test_the_command_line_refuses_a_bad_library_in_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("a user's file")
    for name in ("tiny.lib", "my lib.lib", "semi;colon.lib", "[exec].lib"):
        (tmp_path / name).write_text(TINY)
    assert main([*argv, "--build", str(tmp_path / "build")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert (tmp_path / "README.md").read_text() == "a user's file"


@pytest.mark.synth
def test_cells_marked_dont_use_are_left_out(tmp_path, build_root):
    """NAND2X1 is the most used cell of int_mul's mapping on OSU 0.18 um; marked dont_use, ABC maps
    around it, and the library's identity (its checksum) keys the synthesis anew."""
    config = arithbench.configure("int_mul", width=4).config
    plain = synthesize(config, root=build_root)
    assert "NAND2X1" in plain["cells_by_type"]
    text = cell_library.DEFAULT.read_text()
    at = text.index("cell (NAND2X1)")
    marked = tmp_path / "no_nand2.lib"
    marked.write_text(text[:at] + "cell (NAND2X1) {\n  dont_use : true;" + text[at + len("cell (NAND2X1) {"):])
    assert "NAND2X1" in cell_library.read(marked).unusable
    mapped = synthesize(config, root=build_root, liberty=marked)
    assert "NAND2X1" not in mapped["cells_by_type"] and mapped["cells"] > 0
    assert mapped["liberty_sha256"] != plain["liberty_sha256"] and mapped["dir"] != plain["dir"]


@pytest.mark.synth
@pytest.mark.sim
def test_the_three_osu_nodes_order_area_delay_and_energy(capsys, build_root):
    """fp_mul e4m3 on 0.18, 0.35 and 0.5 um (1.8, 3.3, 5 V): larger, slower and hungrier, as the node
    says; each result names its library with its checksum and voltage."""
    argv = ["cost", "fp_mul", "-p", "fmt=e4m3", "--build", str(build_root), "--json"]
    for path in cell_library.DEBIAN.values():
        argv += ["--liberty", str(path)]
    assert main(argv) == 0
    figures = json.loads(capsys.readouterr().out)
    assert [f["liberty"] for f in figures] == [str(p) for p in cell_library.DEBIAN.values()]
    for key in ("area_um2", "delay_ns"):
        assert figures[0][key] < figures[1][key] < figures[2][key], key
    energy = [f["energy_pj"]["normal"] for f in figures]
    assert energy[0] < energy[1] < energy[2]
    assert [f["library"].split(" (")[0] for f in figures] == ["OSU 0.18 um", "OSU 0.35 um", "OSU 0.5 um"]
    assert all(f"sha256 {f['liberty_sha256'][:12]}" in f["library"] for f in figures)
    assert figures[1]["cells_by_type"] and set(figures[1]["cells_by_type"]) <= set(
        cell_library.read(cell_library.DEBIAN["osu035"]).combinational)
