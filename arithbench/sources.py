"""The digest of arithbench's own code: one part of every cache key.

Cached results (generated Verilog, study results) are reused only while every source file of
the installed package is unchanged, wherever the package is installed: a change anywhere in
the code that could shape a result makes a new key. Keys for simulator builds and syntheses
add the Verilog text itself.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

from . import __version__


def package_folders() -> list[Path]:
    """The folders of arithbench and its four subpackages, as installed (found, not imported)."""
    specs = [importlib.util.find_spec(f"arithbench.{name}") for name in ("models", "rtl", "sim", "reports")]
    return [Path(__file__).resolve().parent] + [Path(next(iter(s.submodule_search_locations))).resolve() for s in specs]


@functools.cache
def code_digest() -> str:
    """Hash of every Python source of the package (``arithbench/units`` included)."""
    h = hashlib.sha256(__version__.encode())
    for folder in package_folders():
        for path in sorted(folder.rglob("*.py")):
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]
