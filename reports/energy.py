"""Energy per operation, two estimates side by side.

Operation table
    Each catalog unit describes itself as reference operations (``UnitConfig.ops``), priced
    from Horowitz (ISSCC 2014, 45 nm, 0.9 V): an n-bit integer add costs ``0.03 * n / 8`` pJ
    (linear from the 8-bit figure; the table's 32-bit add is 0.1 pJ), an n x n integer multiply
    ``0.2 * (n / 8)**2`` pJ (quadratic from the 8-bit figure; the table's 32-bit multiply is
    3.1 pJ).
Switching activity
    The unit's gate-level netlist (the area flow's) runs in Verilator on the input data with
    SAIF tracing; each net's toggle count is weighted by the load it drives (for each gate
    input it feeds, the gate's CMOS transistor count divided by its input count, plus one per
    fanout for wire), giving switched capacitance in arbitrary units per operation. One
    calibration turns units into pJ: the 8-bit integer adder on uniform random operands is
    0.03 pJ per operation (Horowitz's 8-bit add). Results are "pJ at 45 nm equivalence".
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from ..catalog import configure
from ..errors import UsageError
from ..files import locked
from ..sim.toolchain import build_harness
from ..unit import UnitConfig
from .area import cell_transistors, synthesize
from .unit_error import inputs_for

HOROWITZ_SOURCE = "Horowitz ISSCC 2014, 45 nm: 8-bit add 0.03 pJ, 8-bit multiply 0.2 pJ"
CALIBRATION = ("int_add", {"width": "8"}, 0.03)
ACTIVITY_VECTORS = 20_000


def op_energy(op: str, bits: int) -> float:
    """pJ of one reference operation (see the module docstring)."""
    if op == "int_add":
        return 0.03 * bits / 8
    if op == "int_mul":
        return 0.2 * (bits / 8) ** 2
    raise ValueError(f"unknown reference operation {op!r}")


def table_estimate(config: UnitConfig) -> tuple[float | None, str]:
    """(pJ per operation, description) from the catalog entry's reference operations; None for
    a unit that declares none."""
    ops = config.ops()
    if not ops:
        return None, "no reference operations declared"
    names = {"int_add": "{b}-bit add", "int_mul": "{b}x{b} multiply"}
    counts = Counter(ops)
    text = " + ".join((f"{n} x " if n > 1 else "") + names[op].format(b=bits) for (op, bits), n in counts.items())
    return sum(op_energy(op, bits) for op, bits in ops), text


def _harness(inputs: list[tuple[str, int]]) -> str:
    """C++ that plays the input arrays (per input: n rows of 64-bit words, in ``inputs`` order)
    into the netlist with SAIF tracing, one operation per time step. Ports over 64 bits are
    Verilator wide words, filled 32 bits at a time."""
    words = [(name, -(-width // 64)) for name, width in inputs]
    per_op = sum(w for _, w in words)
    decl = "\n".join(f"    std::vector<uint64_t> {n}(n * {w}); in.read((char*){n}.data(), n * {w} * 8);"
                     for n, w in words)
    drive = []
    for (name, width), (_, w) in zip(inputs, words):
        if width <= 64:
            drive.append(f"        top.{name} = {name}[i];")
        else:
            for j in range(-(-width // 32)):
                drive.append(f"        top.{name}[{j}] = (uint32_t)({name}[i * {w} + {j // 2}] >> {32 * (j % 2)});")
    drive = "\n".join(drive)
    return f"""
#include "Vunit.h"
#include "verilated.h"
#include "verilated_saif_c.h"
#include <cstdint>
#include <fstream>
#include <vector>

int main(int argc, char** argv) {{
    std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
    size_t n = (size_t)in.tellg() / {8 * per_op};
    in.seekg(0);
{decl}
    VerilatedContext ctx;
    ctx.traceEverOn(true);
    Vunit top{{&ctx}};
    VerilatedSaifC trace;
    top.trace(&trace, 99);
    trace.open(argv[2]);
    for (size_t i = 0; i < n; ++i) {{
{drive}
        top.eval();
        trace.dump((uint64_t)(i + 1));
    }}
    trace.close();
    return 0;
}}
"""


def _loads(netlist: dict) -> dict[int, float]:
    """Load per net bit: for each gate input it drives, transistors / inputs, plus 1 for wire."""
    load: dict[int, float] = defaultdict(float)
    for cell in netlist["cells"].values():
        ins = [bits for port, bits in cell["connections"].items() if port not in ("Y", "Q")]
        weight = (cell_transistors(cell["type"]) or 0) / max(len(ins), 1)
        for bits in ins:
            for bit in bits:
                if isinstance(bit, int):
                    load[bit] += weight + 1.0
    return load


def _toggles(saif: str, module: str) -> dict[str, int]:
    """Net name (``n12`` or ``n12[3]``) to toggle count, for the nets of ``module``'s own scope
    (the cells below it, when the netlist keeps them as modules, have scopes of their own)."""
    start = saif.index("(NET", saif.index(f"(INSTANCE {module}"))
    depth, end = 0, start
    for end in range(start, len(saif)):
        depth += {"(": 1, ")": -1}.get(saif[end], 0)
        if depth == 0:
            break
    out = {}
    for m in re.finditer(r"\(([^\s()]+) \(T0 [^\n]*?\(TC (\d+)\)\)", saif[start:end]):
        out[m[1].replace("\\", "")] = int(m[2])
    return out


def bit_toggles(module: str, verilog: Path, netlist: dict, inputs: dict[str, np.ndarray], work: Path,
                name: str) -> dict[int, int]:
    """Toggles of every net bit of ``netlist`` (a Yosys JSON module, written with ``verilog``)
    when Verilator plays ``inputs`` into it, one operation per step; cached by the data."""
    ports = [n for n, p in netlist["ports"].items() if p["direction"] == "input"]
    if set(ports) != set(inputs):
        raise UsageError(f"switching activity needs inputs {sorted(ports)} for {module}")
    harness = _harness([(n, len(netlist["ports"][n]["bits"])) for n in ports])
    exe = build_harness(module, verilog, harness, work / "saif", name, ["-O1", "--trace-saif", "--trace-underscore"])
    raw = b"".join(np.ascontiguousarray(np.asarray(inputs[n], "<u8")).tobytes() for n in ports)
    digest = hashlib.sha256(raw).hexdigest()[:12]
    data, saif_path = work / f"{name}-{digest}.bin", work / f"{name}-{digest}.saif"
    with locked(work / f"{name}-{digest}.lock"):  # one writer per netlist and data set
        if not saif_path.exists():
            data.write_bytes(raw)
            partial = saif_path.with_suffix(".saif.partial")
            subprocess.run([str(exe), str(data), str(partial)], check=True, capture_output=True)
            os.replace(partial, saif_path)
            data.unlink()
    toggles = _toggles(saif_path.read_text(), module)
    out: dict[int, int] = {}
    for net_name, net in netlist["netnames"].items():
        bits = net["bits"]
        for i, bit in enumerate(bits):
            key = net_name if len(bits) == 1 else f"{net_name}[{i + net.get('offset', 0)}]"
            if isinstance(bit, int) and key in toggles:
                out[bit] = toggles[key]
    return out


def switched_units(config: UnitConfig, inputs: dict[str, np.ndarray], *, flow: str, root: Path) -> float:
    """Switched-capacitance units per operation of the gate-level netlist on ``inputs``."""
    area = synthesize(config, flow=flow, root=root)
    work = Path(area["dir"])
    netlist = json.loads((work / "netlist.json").read_text())["modules"][config.module_name]
    toggles = bit_toggles(config.module_name, work / "netlist.v", netlist, inputs, work, "activity")
    load = _loads(netlist)
    return sum(n * load.get(bit, 0.0) for bit, n in toggles.items()) / len(next(iter(inputs.values())))


def activity_inputs(config: UnitConfig, dataset: str, seed: int) -> dict[str, np.ndarray]:
    """``ACTIVITY_VECTORS`` operations of ``dataset`` in a seeded random order (an ordered
    exhaustive sweep would understate toggling). A random-bit port ``r`` (stochastic rounding)
    gets seeded uniform bits of its width on every data set, as from a free-running random
    source: N(0,1) data has none, and uniform codes would bring the verification plan's, half
    of them rounding-edge patterns (all zeros, all ones) no random source gives that often."""
    inputs = inputs_for(config, dataset, ACTIVITY_VECTORS, seed)
    order = np.random.default_rng(seed).permutation(len(next(iter(inputs.values()))))[:ACTIVITY_VECTORS]
    return {k: v[order] for k, v in inputs.items()} | config.random_inputs(len(order), seed)


def pj_per_unit(*, flow: str, root: Path, seed: int = 1) -> float:
    """Calibration: pJ per switched unit, from the 8-bit adder on uniform random operands."""
    unit, params, pj = CALIBRATION
    config = configure(unit, params)
    units = switched_units(config, activity_inputs(config, "uniform codes", seed), flow=flow, root=root)
    return pj / units


def activity_estimate(config: UnitConfig, dataset: str, *, flow: str = "osu018",
                      root: Path = Path("build"), seed: int = 1) -> float:
    """pJ per operation from switching activity on ``dataset`` (see :mod:`.unit_error`)."""
    inputs = activity_inputs(config, dataset, seed)
    return switched_units(config, inputs, flow=flow, root=root) * pj_per_unit(flow=flow, root=root, seed=seed)


def zero_inputs(config: UnitConfig) -> dict[str, np.ndarray]:
    """All-zero codes for every input of ``config``, ``ACTIVITY_VECTORS`` operations."""
    return {name: np.zeros_like(codes) for name, codes in activity_inputs(config, "uniform codes", 1).items()}

