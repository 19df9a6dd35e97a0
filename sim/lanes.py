"""Lane packing: N copies of a unit side by side, driven by one wide word per port.

Each port of lane ``i`` sits at bits ``[i*stride, i*stride + width)`` of the wide port, with
``stride`` the port width rounded up to 8, 16, 32 or 64 bits, or to a multiple of 64 bits for
wider ports (whose values travel as 2-D uint64 arrays, one row of little-endian words per
vector). That makes packing a NumPy ``astype`` plus one ``int.from_bytes`` per step, with no
per-vector Python loop.
"""

from __future__ import annotations

import numpy as np

_STRIDES = (8, 16, 32, 64)
#: Ports every lane shares instead of getting its own slice.
SHARED = frozenset({"clk", "rst"})
#: Marks a wrapper's port for cocotb's access; Verilator keeps everything else private (making
#: a whole module public, ``--public-depth 1``, halves its speed).
PUBLIC = " /*verilator public_flat_rw*/"


def stride(width: int) -> int:
    """Bits a lane of a ``width``-bit port occupies in the wide port."""
    for s in _STRIDES:
        if width <= s:
            return s
    return -(-width // 64) * 64


#: Input bits per simulator step that a bench drives by default. Verilator's build time grows
#: with lanes times logic, so units with wide block ports get fewer lanes (never under 8).
LANE_INPUT_BITS = 4096
MAX_DEFAULT_LANES = 64
#: Lanes for runs of at least :data:`LONG_RUN` vectors. Measured on fp_mul bf16 (2 CPUs,
#: 2026-11-30, words streamed by DPI): the loop over 2**24 vectors takes 0.66 s at 256 lanes,
#: 1.01 s at 64; the 256-lane build (37 s, against 10 s) pays for itself within about eighty
#: such runs, and an exhaustive 16-bit run is 256 of them. Shorter runs are dominated by the
#: build and simulator start-up, so they keep 64 lanes.
LONG_RUN_LANES = 256
LONG_RUN = 1 << 24
#: Input bits per step allowed to long runs.
LONG_RUN_INPUT_BITS = 8192


def default_lanes(ports: list[dict], vectors: int = 0) -> int:
    """Lanes for a unit with these ports (its generated description's ``ports``): 64, or 256
    for runs of :data:`LONG_RUN` vectors or more, halved while the packed input ports pass
    :data:`LANE_INPUT_BITS` (:data:`LONG_RUN_INPUT_BITS`)."""
    width = sum(stride(p["width"]) for p in ports if p["dir"] == "in" and p["name"] not in SHARED)
    long = vectors >= LONG_RUN
    lanes, limit = (LONG_RUN_LANES, LONG_RUN_INPUT_BITS) if long else (MAX_DEFAULT_LANES, LANE_INPUT_BITS)
    while lanes > 8 and lanes * width > limit:
        lanes //= 2
    return lanes


def lane_dtype(width: int) -> np.dtype:
    """NumPy type of one lane's slice (one 64-bit word of a wider port's row)."""
    return np.dtype(f"<u{min(stride(width), 64) // 8}")


def pack(values: np.ndarray, width: int, lanes: int) -> list[int]:
    """Codes (length a multiple of ``lanes``) to one Python int per step."""
    rows = np.ascontiguousarray(values.astype(lane_dtype(width)).reshape(len(values) // lanes, -1))
    return [int.from_bytes(row.tobytes(), "little") for row in rows]


def unpack(words: list[int], width: int, lanes: int) -> np.ndarray:
    """One wide int per step back to codes: uint64, 2-D (n, words) for ports over 64 bits."""
    nbytes = lanes * stride(width) // 8
    raw = b"".join(w.to_bytes(nbytes, "little") for w in words)
    flat = np.frombuffer(raw, dtype=lane_dtype(width)).astype(np.uint64)
    if width > 64:
        return flat.reshape(-1, stride(width) // 64)
    return flat & np.uint64((1 << width) - 1)


def output_slice(name: str, wide: str, width: int) -> list[str]:
    """Verilog inside a lane's generate block: the unit's output ``name`` (connected to
    ``<name>_lane``), zero-padded into lane ``i``'s slice of the wide wire ``wide``."""
    s = stride(width)
    pad = f"{{{s - width}'b0}}, " if s > width else ""
    return [f"    wire [{width - 1}:0] {name}_lane;", f"    assign {wide}[i*{s} +: {s}] = {{{pad}{name}_lane}};"]


def wrapper_verilog(module: str, ports: list[dict], lanes: int, top: str) -> str:
    """A Verilog top ``top`` holding ``lanes`` instances of ``module`` on wide ports.

    Clock and reset inputs (``clk``, ``rst``) are shared by every lane rather than packed.
    """
    decls, conns, assigns = [], [], []
    for p in ports:
        name, width = p["name"], p["width"]
        if name in SHARED:
            decls.append(f"input wire {name}{PUBLIC}")
            conns.append(f".{name}({name})")
            continue
        s = stride(width)
        if p["dir"] == "in":
            decls.append(f"input wire [{lanes * s - 1}:0] {name}{PUBLIC}")
            conns.append(f".{name}({name}[i*{s} +: {width}])")
        else:
            decls.append(f"output wire [{lanes * s - 1}:0] {name}{PUBLIC}")
            assigns += output_slice(name, name, width)
            conns.append(f".{name}({name}_lane)")
    body = "\n".join(assigns)
    return (
        f"module {top} (\n  " + ",\n  ".join(decls) + "\n);\n"
        "  genvar i;\n"
        f"  generate for (i = 0; i < {lanes}; i = i + 1) begin : lane\n"
        f"{body}\n"
        f"    {module} unit ({', '.join(conns)});\n"
        "  end endgenerate\n"
        "endmodule\n"
    )
