"""Memory-streamed lanes: the simulator, not Python, walks through the vectors.

The stream wrapper holds ``lanes`` copies of a unit (laid out as in :mod:`arithbench.sim.lanes`)
and, per input and output port, a memory of ``depth`` wide words, one word per step. For each
chunk of steps the bench writes the input words to binary files, raises ``start`` (the wrapper
``$fread``s them), and runs a clock in the simulator (cocotb's C++ clock: no Python per step).
At every falling edge the wrapper stores the lanes' outputs and moves to the next step; after
``count`` steps it raises ``done`` and ``$writememh``s the output memories. So Python touches the
simulator a handful of times per chunk instead of three times per step.

Timing matches a bench that drives a step, raises the clock and reads the outputs: a clocked
unit samples step ``t``'s inputs on rising edge ``t`` and its outputs are stored half a period
later, before step ``t + 1``'s inputs appear.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .lanes import PUBLIC, SHARED, lane_dtype, output_slice, stride

#: Memory bits a stream wrapper may hold (inputs and outputs, all lanes); sets the chunk depth.
MEMORY_BITS = 1 << 23
MAX_DEPTH = 1 << 14


def lane_ports(ports: list[dict]) -> list[dict]:
    """The ports that get one slice per lane (clock and reset are shared)."""
    return [p for p in ports if p["name"] not in SHARED]


def depth(ports: list[dict], lanes: int) -> int:
    """Steps per chunk: a power of two keeping the wrapper's memories near :data:`MEMORY_BITS`."""
    bits = lanes * sum(stride(p["width"]) for p in lane_ports(ports))
    d = 256
    while d < MAX_DEPTH and 2 * d * bits <= MEMORY_BITS:
        d *= 2
    return d


def stream_verilog(module: str, ports: list[dict], lanes: int, top: str, steps: int) -> str:
    """A Verilog top ``top``: ``lanes`` instances of ``module`` fed from ``steps``-deep memories.

    Interface: ``clk``, ``rst`` (passed to clocked units), ``start`` (rising: load the input
    files ``in_<port>.bin`` and begin), ``count`` (steps in this chunk), ``done`` (rises after
    the last step, when ``out_<port>.hex`` is written).
    """
    lines = [
        f"module {top} (",
        f"  input wire clk{PUBLIC},",
        f"  input wire rst{PUBLIC},",
        f"  input wire start{PUBLIC},",
        f"  input wire [31:0] count{PUBLIC},",
        f"  output reg done{PUBLIC}",
        ");",
        "  reg [31:0] step;",
        "  reg running;",
        "  integer fd, got;",
        "  initial begin step = 0; running = 0; done = 0; end",
    ]
    loads, stores, dumps, conns, assigns = [], [], [], [], []
    for p in ports:
        name, width = p["name"], p["width"]
        if name in SHARED:
            conns.append(f".{name}({name})")
            continue
        s, bits = stride(width), lanes * stride(width)
        lines.append(f"  reg [{bits - 1}:0] mem_{name} [0:{steps - 1}];")
        if p["dir"] == "in":
            lines.append(f"  wire [{bits - 1}:0] w_{name} = mem_{name}[step];")
            loads.append(f'    fd = $fopen("in_{name}.bin", "rb"); got = $fread(mem_{name}, fd, 0, count); $fclose(fd);')
            conns.append(f".{name}(w_{name}[i*{s} +: {width}])")
        else:
            lines.append(f"  wire [{bits - 1}:0] w_{name};")
            stores.append(f"      mem_{name}[step] <= w_{name};")
            dumps.append(f'    $writememh("out_{name}.hex", mem_{name}, 0, count - 1);')
            assigns += output_slice(name, f"w_{name}", width)
            conns.append(f".{name}({name}_lane)")
    lines += [
        "  always @(posedge start) begin",
        *loads,
        "    step = 0; done = 0; running = 1;",
        "  end",
        "  always @(negedge clk) if (running) begin",
        *stores,
        "      if (step + 1 == count) begin running <= 0; done <= 1; end",
        "      else step <= step + 1;",
        "  end",
        "  always @(posedge done) begin",
        *dumps,
        "  end",
        "  genvar i;",
        f"  generate for (i = 0; i < {lanes}; i = i + 1) begin : lane",
        *assigns,
        f"    {module} unit ({', '.join(conns)});",
        "  end endgenerate",
        "endmodule",
    ]
    return "\n".join(lines) + "\n"


def write_words(path: Path, values: np.ndarray, width: int, lanes: int) -> None:
    """Codes (length a multiple of ``lanes``; 2-D uint64 rows for ports over 64 bits) to the
    big-endian word file ``$fread`` expects, one ``lanes``-wide word per step."""
    rows = np.ascontiguousarray(values.astype(lane_dtype(width))).view(np.uint8)
    rows = rows.reshape(len(values) // lanes, -1)
    path.write_bytes(np.ascontiguousarray(rows[:, ::-1]).tobytes())


class UndefinedOutput(ValueError):
    """An output word held X or Z (Icarus): the design leaves something undriven."""


def read_words(path: Path, width: int, lanes: int, steps: int, flush: int = 0) -> np.ndarray:
    """A ``$writememh`` file of ``steps`` ``lanes``-wide words back to codes (uint64; 2-D
    ``(n, words)`` for ports over 64 bits). X or Z digits in the first ``flush`` steps (a
    pipeline filling up, whose outputs are discarded) read as 0; anywhere else they raise."""
    nbytes = lanes * stride(width) // 8
    text = path.read_bytes().decode("ascii")
    try:
        raw = bytes.fromhex(text)  # the usual layout: one word of hex digits per line
    except ValueError:  # comments, addresses, or X/Z digits
        lines = [line.strip() for line in text.splitlines()]
        data = [line for line in lines if line and line[:1] not in ("/", "@")]
        for step, line in enumerate(data):
            if line.strip("0123456789abcdefABCDEF_ "):
                if step >= flush:
                    raise UndefinedOutput(f"output {path.stem[4:]} is undefined (X or Z) at step {step}") from None
                data[step] = "0" * len(line)
        raw = bytes.fromhex("".join(data).replace("_", ""))
    if len(raw) != steps * nbytes:
        raise ValueError(f"{path}: expected {steps} words of {nbytes} bytes, found {len(raw)} bytes")
    rows = np.frombuffer(raw, np.uint8).reshape(steps, nbytes)[:, ::-1]  # big-endian words
    flat = np.ascontiguousarray(rows).view(lane_dtype(width)).reshape(-1).astype(np.uint64)
    if width > 64:
        return flat.reshape(-1, stride(width) // 64)
    return flat & np.uint64((1 << width) - 1)
