"""The cocotb bench: plays packed input words into the lane wrapper, records the outputs.

It knows nothing about units: the job file (``ARITHBENCH_JOB``) names the ports, lane count
and data files. Comparison against the golden model happens in the parent process, on the
recorded outputs, in one vectorised step.
"""

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import Timer

from arithbench.sim.bench import follow_parent
from arithbench.sim.lanes import SHARED, pack, unpack


@cocotb.test()
async def play(dut):
    job = json.loads(Path(os.environ["ARITHBENCH_JOB"]).read_text())
    follow_parent(job)
    lanes = job["lanes"]
    data = np.load(job["inputs"])
    ins = [p for p in job["ports"] if p["dir"] == "in" and p["name"] not in SHARED]
    outs = [p for p in job["ports"] if p["dir"] == "out"]
    words = [(getattr(dut, p["name"]), pack(data[p["name"]], p["width"], lanes)) for p in ins]
    out_handles = [getattr(dut, p["name"]) for p in outs]
    got = [[] for _ in outs]
    steps = len(words[0][1])
    progress = Path(job["progress"])

    clocked = job.get("clocked", False)
    if clocked:  # one reset cycle, then one clock per step; outputs read after the edge
        dut.clk.value = 0
        dut.rst.value = 1
        await Timer(1, "ns")
        dut.clk.value = 1
        await Timer(1, "ns")
        dut.clk.value = 0
        dut.rst.value = 0
        await Timer(1, "ns")

    start = last = time.perf_counter()
    for step in range(steps):
        for handle, packed in words:
            handle.value = packed[step]
        await Timer(1, "ns")
        if clocked:
            dut.clk.value = 1
            await Timer(1, "ns")
            dut.clk.value = 0
        for record, handle in zip(got, out_handles):
            record.append(handle.value.to_unsigned())
        if step & 63 == 63 and (now := time.perf_counter()) - last > 0.5:
            last = now
            progress.write_text(f"{(step + 1) * lanes} {steps * lanes} {now - start}")
    elapsed = time.perf_counter() - start

    result = {p["name"]: unpack(g, p["width"], lanes) for p, g in zip(outs, got)}
    tmp = Path(job["outputs"] + ".tmp.npz")
    np.savez(tmp, _elapsed=np.float64(elapsed), **result)
    os.replace(tmp, job["outputs"])
