"""No command deletes or overwrites a file it did not write: user files planted in every kind of
output folder survive the commands that write there."""

import pytest

from arithbench.cli import main


def plant(folder, name="my_notes.txt"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("a user's file")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr()


def test_generate_keeps_user_files_and_refuses_a_hand_edited_module(capsys, tmp_path):
    out = tmp_path / "rtl"
    mine = plant(out)
    code, _ = run(capsys, "generate", "int_add", "-o", str(out))
    assert code == 0 and mine.read_text() == "a user's file"
    verilog = out / "int_add_width8_signed.v"
    verilog.write_text(verilog.read_text() + "// my fix\n")
    code, io = run(capsys, "generate", "int_add", "-o", str(out))
    assert code == 2 and "int_add_width8_signed.v exists and arithbench did not write it" in io.err
    assert verilog.read_text().endswith("// my fix\n")


def test_generate_never_replaces_a_users_file_of_the_same_name(capsys, tmp_path):
    mine = plant(tmp_path, "int_add_width8_signed.json")
    code, io = run(capsys, "generate", "int_add", "-o", str(tmp_path))
    assert code == 2 and mine.read_text() == "a user's file"
    assert not (tmp_path / "int_add_width8_signed.v").exists()


@pytest.mark.sim
def test_sharded_records_and_mutation_folders_keep_user_files(capsys, tmp_path):
    build = tmp_path / "build"
    planted = [plant(build / "records"), plant(build / "mutants" / "int_add_width8_signed"),
               plant(build / "mutants" / "int_add_width8_signed" / "m01"), plant(build / "rtl" / "int_add_width8_signed")]
    code, io = run(capsys, "verify", "int_add", "--workers", "2", "--vectors", "5000", "--shard-size", "2500",
                   "--build", str(build))
    assert code == 0, io.err
    # m01 is a user's folder here: the mutation run must refuse it rather than empty it
    code, io = run(capsys, "mutate", "int_add", "--mutants", "2", "--build", str(build))
    assert code == 2 and "m01 exists and arithbench did not write it" in io.err
    (build / "mutants" / "int_add_width8_signed" / "m01" / "my_notes.txt").rename(tmp_path / "moved.txt")
    (build / "mutants" / "int_add_width8_signed" / "m01").rmdir()
    planted.pop(2)
    code, io = run(capsys, "mutate", "int_add", "--mutants", "2", "--build", str(build))
    assert code == 0, io.err
    assert (build / "mutants" / "int_add_width8_signed" / "record.json").exists()
    for path in planted:
        assert path.read_text() == "a user's file", path
