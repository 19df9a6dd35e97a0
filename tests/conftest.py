"""Shared fixtures: one build folder for the whole run, outside the repository.

Every test runs in a temporary working folder shared by the run's pytest-xdist workers, so
anything written to a relative path (``build`` is the commands' default) lands there and
not in the checkout. Builds are cached by content and locked while they are made, so the
workers share them safely. Set ``ARITHBENCH_TEST_BUILD`` to a folder to keep the builds
between runs (a cold run builds every simulator and synthesis again, about three times the
time of a warm one).
"""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory, worker_id) -> Path:
    """The run's working folder: the parent of the xdist workers' base folders."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


@pytest.fixture(scope="session", autouse=True)
def _work_in_run_folder(run_folder):
    before = Path.cwd()
    os.chdir(run_folder)
    yield
    os.chdir(before)


@pytest.fixture(scope="session")
def build_root(run_folder) -> Path:
    """Where tests build: ``ARITHBENCH_TEST_BUILD`` if set, else the run folder's build/ (the
    commands' default when run from there)."""
    chosen = os.environ.get("ARITHBENCH_TEST_BUILD")
    return Path(chosen).resolve() if chosen else run_folder / "build"
