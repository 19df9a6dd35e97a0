"""Shared fixtures: one build cache for the whole session, so each configuration builds once."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def build_root() -> Path:
    """The repository's build/ folder: builds are cached by content, so reuse is safe."""
    return ROOT / "build"
