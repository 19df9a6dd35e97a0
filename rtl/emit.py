"""Verilog emission: one module per unit configuration, plus a JSON description of it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from amaranth.back import verilog
from amaranth.lib import wiring

from .. import __version__
from ..files import check_ours, write_owned
from ..sources import code_digest


def ports(component: wiring.Component) -> list[dict]:
    """``[{"name", "dir", "width"}]`` in signature order."""
    return [{"name": name, "dir": "in" if member.flow == wiring.In else "out",
             "width": member.shape.width if hasattr(member.shape, "width") else int(member.shape)}
            for name, member in component.signature.members.items()]


@dataclass(frozen=True)
class Design:
    """What a simulator, a prover or a cost flow takes: Verilog files whose top module has the
    unit's module name and ports, and how to drive it. Made by :func:`design` (arithbench's own
    RTL), the cell-mapped netlist, a mutant, or the user's RTL behind its adapter."""

    files: tuple[Path, ...]
    ports: tuple[dict, ...]  # {"name", "dir", "width"}, clk and rst first on a clocked design
    clocked: bool = False  # has clk and rst
    latency: int = 0  # cycles from inputs to outputs (one vector a cycle)
    reset: bool = False  # the bench holds rst for three cycles first
    label: str = ""  # what it is, in words, when it is not arithbench's own RTL

    def with_files(self, *files: Path, label: str) -> "Design":
        """The same ports and protocol in other files (a netlist, a mutant)."""
        return dataclasses.replace(self, files=tuple(Path(f) for f in files), label=label)

    def with_latency(self, latency: int) -> "Design":
        return dataclasses.replace(self, latency=latency)

    @property
    def outputs(self) -> set[str]:
        return {p["name"] for p in self.ports if p["dir"] == "out"}


def design(config, root: Path) -> Design:
    """arithbench's own RTL of ``config``, generated (or reused) under ``root/rtl``."""
    v_path, meta = generate(config, Path(root) / "rtl" / config.module_name)
    return Design((v_path,), tuple(meta["ports"]), clocked=meta["clocked"], latency=meta["latency"],
                  reset=meta["clocked"] and not meta["latency"])


def generate(config, out_dir: Path) -> tuple[Path, dict]:
    """Write ``<module>.v`` and ``<module>.json`` into ``out_dir``; reuse them when current.

    They are current when the JSON's key (the configuration and the digest of arithbench's
    code) matches and the Verilog is the one written with it. A ``.v`` or ``.json`` that
    arithbench did not write, or that was edited since, is never replaced (exit 2).
    Returns the Verilog path and the description (unit, params, module, ports).
    """
    module = config.module_name
    v_path, j_path = out_dir / f"{module}.v", out_dir / f"{module}.json"
    check_ours(v_path, j_path)
    key = hashlib.sha256(f"{config.describe()}\0{code_digest()}".encode()).hexdigest()[:16]
    if v_path.exists() and j_path.exists():
        meta = json.loads(j_path.read_text())
        if meta.get("key") == key:
            return v_path, meta
    component = config.component()
    described = ports(component)
    if config.sequential:  # the sync domain's clock and reset, added by the Verilog back end
        described = [{"name": "clk", "dir": "in", "width": 1}, {"name": "rst", "dir": "in", "width": 1}] + described
    meta = {"unit": config.name, "params": config.values, "module": module,
            "ports": described, "clocked": config.sequential, "latency": config.stages, "key": key, "arithbench": __version__}
    text = verilog.convert(component, name=module, emit_src=False)
    write_owned(v_path, text)
    write_owned(j_path, json.dumps(meta, indent=2) + "\n")
    return v_path, meta
