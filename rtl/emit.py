"""Verilog emission: one module per unit configuration, plus a JSON description of it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from amaranth.back import verilog
from amaranth.lib import wiring

from .. import __version__

_RTL_DIR = Path(__file__).resolve().parent
_MODELS_DIR = _RTL_DIR.parent / "models"


def source_digest() -> str:
    """Hash of the RTL and format sources: a cached Verilog file is stale when this changes."""
    h = hashlib.sha256(__version__.encode())
    for folder in (_RTL_DIR, _MODELS_DIR):
        for path in sorted(folder.glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def ports(component: wiring.Component) -> list[dict]:
    """``[{"name", "dir", "width"}]`` in signature order."""
    return [{"name": name, "dir": "in" if member.flow == wiring.In else "out",
             "width": member.shape.width if hasattr(member.shape, "width") else int(member.shape)}
            for name, member in component.signature.members.items()]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


@contextmanager
def atomic_dir(out_dir: Path):
    """Yield a temporary folder beside ``out_dir``; when the block succeeds it replaces
    ``out_dir`` in one rename, otherwise it is removed and ``out_dir`` stays as it was."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}."))
    try:
        yield tmp
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def generate(config, out_dir: Path) -> tuple[Path, dict]:
    """Write ``<module>.v`` and ``<module>.json`` into ``out_dir``; reuse them when current.

    Returns the Verilog path and the description (unit, params, module, ports).
    """
    module = config.module_name
    v_path, j_path = out_dir / f"{module}.v", out_dir / f"{module}.json"
    digest = source_digest()
    if v_path.exists() and j_path.exists():
        meta = json.loads(j_path.read_text())
        if meta.get("source_digest") == digest:
            return v_path, meta
    component = config.component()
    described = ports(component)
    if config.clocked:  # the sync domain's clock and reset, added by the Verilog back end
        described = [{"name": "clk", "dir": "in", "width": 1}, {"name": "rst", "dir": "in", "width": 1}] + described
    meta = {"unit": config.spec.name, "params": config.values, "module": module,
            "ports": described, "clocked": config.clocked, "source_digest": digest, "arithbench": __version__}
    text = verilog.convert(component, name=module, emit_src=False)
    write_atomic(v_path, text)
    write_atomic(j_path, json.dumps(meta, indent=2) + "\n")
    return v_path, meta
