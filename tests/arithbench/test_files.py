"""Ownership of written files: arithbench replaces or removes only what it wrote itself."""

import json
import stat

import pytest

from arithbench.errors import UsageError
from arithbench.files import (MANIFEST, NotOurs, check_output_dir, is_ours, make_owned_dir, output_dir,
                              remove_owned, write_owned)


def test_write_owned_replaces_its_own_file_but_not_an_edited_or_foreign_one(tmp_path):
    path = tmp_path / "out.v"
    write_owned(path, "one")
    write_owned(path, "two")
    assert path.read_text() == "two" and is_ours(path)
    path.write_text("edited by hand")
    with pytest.raises(NotOurs, match="out.v exists and arithbench did not write it"):
        write_owned(path, "three")
    assert path.read_text() == "edited by hand"
    mine = tmp_path / "mine.txt"
    mine.write_text("a user's file")
    with pytest.raises(NotOurs):
        write_owned(mine, "x")
    assert mine.read_text() == "a user's file"


def test_written_files_follow_the_umask_not_mkstemp(tmp_path):
    write_owned(tmp_path / "f.json", "{}")
    assert stat.S_IMODE((tmp_path / "f.json").stat().st_mode) & 0o044 == 0o044  # readable by others (umask 022)


def test_remove_owned_leaves_foreign_entries(tmp_path):
    made = make_owned_dir(tmp_path / "m01")
    (made / "build.log").write_text("ours: inside a folder we made")
    (tmp_path / "m02").mkdir()  # a folder of the user's with the same kind of name
    remove_owned(made)
    remove_owned(tmp_path / "m02")
    assert not made.exists() and (tmp_path / "m02").is_dir()
    with pytest.raises(NotOurs):
        make_owned_dir(tmp_path / "m02")


def test_output_dir_refuses_foreign_and_other_commands_folders_before_work(tmp_path, monkeypatch):
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("mine")
    with pytest.raises(UsageError, match="holds files arithbench did not write"):
        check_output_dir(foreign, "report")
    with output_dir(tmp_path / "sweep", "sweep") as tmp:
        (tmp / "SWEEP.md").write_text("x")
    with pytest.raises(UsageError, match="holds the output of `arithbench sweep`, not `arithbench report`"):
        check_output_dir(tmp_path / "sweep", "report")
    monkeypatch.chdir(foreign)
    for here in (".", "..", str(foreign)):
        with pytest.raises(UsageError, match="current folder or above it"):
            check_output_dir(here, "report")
    with pytest.raises(UsageError, match="is a file"):
        check_output_dir(foreign / "todo.txt", "report")
    assert (foreign / "todo.txt").read_text() == "mine"


def test_output_dir_replaces_its_files_drops_its_stale_ones_and_keeps_the_users(tmp_path):
    out = tmp_path / "report"
    with output_dir(out, "report") as tmp:
        (tmp / "index.html").write_text("v1")
        (tmp / "old.csv").write_text("v1")
    (out / "my_notes.md").write_text("a user's notes")
    with output_dir(out, "report") as tmp:
        (tmp / "index.html").write_text("v2")
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, "index.html", "my_notes.md"])
    assert (out / "index.html").read_text() == "v2" and (out / "my_notes.md").read_text() == "a user's notes"
    assert json.loads((out / MANIFEST).read_text())["command"] == "report"


def test_output_dir_refuses_to_replace_an_edited_file_and_changes_nothing(tmp_path):
    out = tmp_path / "report"
    with output_dir(out, "report") as tmp:
        (tmp / "index.html").write_text("v1")
        (tmp / "REPORT.md").write_text("v1")
    (out / "REPORT.md").write_text("annotated by hand")
    with pytest.raises(NotOurs, match="REPORT.md exists"):
        with output_dir(out, "report") as tmp:
            (tmp / "index.html").write_text("v2")
            (tmp / "REPORT.md").write_text("v2")
    assert (out / "index.html").read_text() == "v1" and (out / "REPORT.md").read_text() == "annotated by hand"
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no temporary folder left


def test_an_interrupted_output_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "report"
    with output_dir(out, "report") as tmp:
        (tmp / "index.html").write_text("v1")
    with pytest.raises(KeyboardInterrupt):
        with output_dir(out, "report") as tmp:
            (tmp / "index.html").write_text("half")
            raise KeyboardInterrupt
    assert (out / "index.html").read_text() == "v1" and [p.name for p in tmp_path.iterdir()] == ["report"]


def test_a_failed_output_leaves_no_folder_it_made(tmp_path):
    """Ctrl-C, SIGTERM or an error before the files move in: the new output folder and the
    folders made for it are gone; a folder that was there stays."""
    from arithbench.files import output_dir

    (tmp_path / "there").mkdir()
    for target in (tmp_path / "new" / "deeper" / "out", tmp_path / "there" / "out"):
        with pytest.raises(KeyboardInterrupt):
            with output_dir(target, "report") as tmp:
                (tmp / "index.html").write_text("half")
                raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["there"] and not any((tmp_path / "there").iterdir())
    with output_dir(tmp_path / "new" / "out", "report") as tmp:
        (tmp / "index.html").write_text("whole")
    assert (tmp_path / "new" / "out" / "index.html").read_text() == "whole"
