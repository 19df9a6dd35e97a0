"""The cocotb bench: streams packed input words through the stream wrapper, records the outputs.

It knows nothing about units: the job file (``ARITHBENCH_JOB``) names the ports, lane count,
chunk depth, how words move (``io``) and the data files (see :mod:`arithbench.sim.stream` for
the wrapper's protocol). With ``dpi`` the wrapper itself reads and writes the step files, and
this bench only paces the chunks. Comparison against the golden model happens in the parent
process, on the recorded outputs, in one vectorised step.
"""

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import RisingEdge, Timer

from arithbench.processes import die_with_parent
from arithbench.sim.lanes import lane_dtype
from arithbench.sim.stream import lane_ports, read_words, write_words


def follow_parent(job: dict) -> None:
    """End the simulator with the arithbench process that started it (``job["parent"]``), even
    when that process is killed outright (:func:`die_with_parent`; elsewhere than Linux the
    simulator runs on to its end). A parent already gone ends the simulator here."""
    die_with_parent()
    if os.getppid() != job["parent"]:
        os._exit(1)


@cocotb.test()
async def play(dut):
    job = json.loads(Path(os.environ["ARITHBENCH_JOB"]).read_text())
    follow_parent(job)
    lanes, depth, steps, files = job["lanes"], job["depth"], job["steps"], job["io"] == "files"
    ins = [p for p in lane_ports(job["ports"]) if p["dir"] == "in"]
    outs = [p for p in lane_ports(job["ports"]) if p["dir"] == "out"]
    data = np.load(job["inputs"]) if files else {}
    inputs = {p["name"]: data[p["name"]] for p in ins} if files else {}
    got = {p["name"]: [] for p in outs}
    progress = Path(job["progress"])

    dut.start.value = 0
    dut.clk.value = 0
    dut.rst.value = 1
    await Timer(1, "ns")
    for _ in range(3 if job.get("reset", False) else 0):  # reset held for three cycles before the first step
        dut.clk.value = 1
        await Timer(1, "ns")
        dut.clk.value = 0
        await Timer(1, "ns")
    dut.rst.value = 0

    clock = Clock(dut.clk, 2, "ns")
    # Seconds spent in each phase of a chunk: `arithbench bench` prints where the time goes.
    names = (("write inputs", "load ($fread)", "run clock", "dump ($writememh)", "read outputs") if files else
             (None, "start chunk", "run clock", "end chunk", None))  # DPI copies run with the clock
    phases = dict.fromkeys((n for n in names if n), 0.0)
    start = last = time.perf_counter()
    for first in range(0, steps, depth):
        count = min(depth, steps - first)
        t0 = time.perf_counter()
        for p in ins if files else ():
            values = inputs[p["name"]][first * lanes:(first + count) * lanes]
            write_words(Path(f"in_{p['name']}.bin"), values, p["width"], lanes)
        t1 = time.perf_counter()
        dut.first.value = first
        dut.count.value = count
        dut.start.value = 1
        await Timer(1, "ns")
        t2 = time.perf_counter()
        clock.start(start_high=True)  # rising edge now: the units see step 0 of the chunk
        await RisingEdge(dut.done)
        clock.stop()
        t3 = time.perf_counter()
        dut.start.value = 0
        await Timer(1, "ns")  # the wrapper has written its output files
        t4 = time.perf_counter()
        for p in outs if files else ():
            got[p["name"]].append(read_words(Path(f"out_{p['name']}.hex"), p["width"], lanes, count,
                                             flush=max(job.get("flush", 0) - first, 0)))
        t5 = time.perf_counter()
        for name, (a, b) in zip(names, ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5))):
            if name:
                phases[name] += b - a
        if (now := time.perf_counter()) - last > 0.5:
            last = now
            progress.write_text(f"{(first + count) * lanes} {steps * lanes} {now - start}")
    elapsed = time.perf_counter() - start

    widths = {p["name"]: p["width"] for p in outs}
    result = {name: np.concatenate(parts).astype(lane_dtype(widths[name]) if widths[name] <= 64 else np.uint64)
              for name, parts in got.items() if files}
    tmp = Path(job["outputs"] + ".tmp.npz")
    np.savez(tmp, _elapsed=np.float64(elapsed), _phases=np.array(list(phases.values())),
             _phase_names=np.array(list(phases)), **result)
    os.replace(tmp, job["outputs"])
