"""``arithbench bench``: co-simulation and golden-model throughput, measured side by side.

(a) the cocotb bench that writes, steps and reads one vector per simulator step
    (:mod:`arithbench.sim.stepped_bench` with one lane);
(b) the lane-packed bench ``verify`` uses (:mod:`arithbench.sim.stream`: packed words streamed
    through memories in the simulator), and for comparison the same lanes written and read by
    Python at every step (the stepped bench with ``lanes`` lanes);
(c) a plain Verilator C++ loop over the same unit Verilog, checking expected results in C++
    (the ceiling any cocotb bench can approach);
(d) golden-model throughput: ``fp_mul`` e4m3 and bf16 against ml_dtypes doing the same work
    (inputs to float32, multiply, cast back), and ``lmul`` e4m3.

The four are measured in turn, round after round, and reported as medians.

Any other unit gets :func:`unit_rates`: its golden model and its Verilator verification on
the same planned vectors, medians over rounds.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np

from ..errors import MismatchError, UsageError
from ..rtl.emit import generate
from ..unit import UnitConfig, VectorPlan
from .runner import simulate
from .toolchain import build_harness

_CEILING_CPP = r"""
#include "Vunit.h"
#include "verilated.h"
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

int main(int argc, char** argv) {
    // argv[1]: file of n uint32 a, n uint32 b, n uint64 expected y; argv[2]: repetitions
    std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
    size_t bytes = in.tellg(), n = bytes / 16;
    in.seekg(0);
    std::vector<uint32_t> a(n), b(n);
    std::vector<uint64_t> y(n);
    in.read((char*)a.data(), n * 4);
    in.read((char*)b.data(), n * 4);
    in.read((char*)y.data(), n * 8);
    long reps = atol(argv[2]);
    VerilatedContext ctx;
    Vunit top{&ctx};
    size_t mismatches = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (long r = 0; r < reps; ++r)
        for (size_t i = 0; i < n; ++i) {
            top.a = a[i];
            top.b = b[i];
            top.eval();
            mismatches += (uint64_t)top.y != y[i];
        }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    printf("%zu %.6f %zu\n", n * reps, secs, mismatches);
    return 0;
}
"""


def _ceiling(config: UnitConfig, inputs, expected, root: Path, reps: int) -> tuple[int, float, int]:
    """Build (cached) and run the C++ loop; returns (vectors, seconds, mismatches)."""
    v_path, meta = generate(config, root / "rtl" / config.module_name)
    names = {p["name"] for p in meta["ports"]}
    if names != {"a", "b", "y"}:
        raise UsageError(f"the C++ ceiling loop drives units with ports a, b, y; {config.module_name} has {sorted(names)}")
    out_dir = root / "sim" / "ceiling" / config.module_name
    exe = build_harness(config.module_name, v_path, _CEILING_CPP, out_dir, "ceiling", ["-O3"])
    data = out_dir / "vectors.bin"
    with data.open("wb") as f:
        for arr, dtype in ((inputs["a"], "<u4"), (inputs["b"], "<u4"), (expected["y"], "<u8")):
            f.write(np.asarray(arr).astype(dtype).tobytes())
    out = subprocess.run([str(exe), str(data), str(reps)], capture_output=True, text=True, check=True).stdout
    n, secs, bad = out.split()
    return int(n), float(secs), int(bad)


def _rate(fn, n: int) -> float:
    fn()  # tables a model builds on first use are not part of its throughput
    t0 = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t0)


def model_rates(n: int = 1 << 20, seed: int = 1) -> dict[str, float]:
    """Vectors/s of the golden fp_mul (e4m3 and bf16) and lmul (e4m3) models, and of ml_dtypes
    doing fp_mul's work (inputs to float32, multiply, cast back), one timing each after a
    warm-up call."""
    import ml_dtypes

    from ..models.formats import float_format
    from ..models.lmul import lmul
    from ..models.mul import fp_mul

    rng = np.random.default_rng(seed)
    rates = {}
    for name, dtype in (("e4m3", ml_dtypes.float8_e4m3fn), ("bf16", ml_dtypes.bfloat16)):
        fmt = float_format(name)
        bits = np.uint8 if fmt.bits == 8 else np.uint16
        a, b = rng.integers(0, 1 << fmt.bits, n), rng.integers(0, 1 << fmt.bits, n)
        fa, fb = a.astype(bits).view(dtype), b.astype(bits).view(dtype)

        def ml():
            with np.errstate(all="ignore"):
                return (fa.astype(np.float32) * fb.astype(np.float32)).astype(dtype)

        rates[f"fp_mul {name} model"] = _rate(lambda: fp_mul(fmt, fmt, a, b, sat=False), n)
        rates[f"ml_dtypes {name}"] = _rate(ml, n)
        if name == "e4m3":
            rates["lmul e4m3 model"] = _rate(lambda: lmul(fmt, a, b), n)
    return rates


def run(config: UnitConfig, *, lanes: int = 256, vectors: int = 1 << 22,
        root: Path = Path("build"), seed: int = 1, rounds: int = 5, log=print) -> dict:
    """Measure (a)-(d) on one unit configuration, interleaved (a, b, c, d, a, b, c, d, ...) over
    ``rounds`` rounds so that a busy machine slows all of them alike; figures are medians over
    the rounds, ratios medians of each round's ratio."""
    if rounds < 1:
        raise UsageError(f"--rounds must be at least 1, not {rounds}")
    root = Path(root).resolve()
    exhaustive = config.vectors(VectorPlan(None, seed))
    expected_ex = config.model(exhaustive)
    many = config.vectors(VectorPlan(vectors, seed))
    expected_many = config.model(many)
    reps = max(1, (1 << 24) // len(exhaustive["a"]))
    samples: dict[str, list[float]] = {}

    def keep(name, value):
        samples.setdefault(name, []).append(value)

    for r in range(1, rounds + 1):
        log(f"round {r}/{rounds}: (a) 1 vector per step, (b) {lanes} lanes, (c) C++ loop, (d) models ...")
        one = simulate(config, exhaustive, lanes=1, root=root, drive="step")
        _check(one.outputs, expected_ex, "(a)")
        packed = simulate(config, many, lanes=lanes, root=root)
        _check(packed.outputs, expected_many, "(b)")
        packed_ex = simulate(config, exhaustive, lanes=lanes, root=root)
        _check(packed_ex.outputs, expected_ex, "(b)")
        stepped = simulate(config, many, lanes=lanes, root=root, drive="step")
        _check(stepped.outputs, expected_many, "(b)")
        n, secs, bad = _ceiling(config, exhaustive, expected_ex, root, reps)
        if bad:
            raise MismatchError(f"(c) the C++ loop saw {bad} mismatches")
        keep("a_one_vector", one.vectors / one.sim_seconds)
        keep("b_lane_packed", packed.vectors / packed.sim_seconds)
        keep("b_stepped_lanes", stepped.vectors / stepped.sim_seconds)
        keep("c_cpp_ceiling", n / secs)
        keep("exhaustive_sim_seconds", packed_ex.sim_seconds)
        keep("exhaustive_wall_seconds", packed_ex.wall_seconds)
        for name, share in packed.phases.items():
            keep(f"phase {name}", share / packed.sim_seconds)
        for name, rate in model_rates(seed=seed + r).items():
            keep(f"d_{name.replace(' ', '_')}", rate)
        keep("ratio_b_over_a", samples["b_lane_packed"][-1] / samples["a_one_vector"][-1])
        keep("ratio_b_over_c", samples["b_lane_packed"][-1] / samples["c_cpp_ceiling"][-1])
        for fmt in ("e4m3", "bf16"):
            keep(f"ratio_model_over_ml_dtypes_{fmt}",
                 samples[f"d_fp_mul_{fmt}_model"][-1] / samples[f"d_ml_dtypes_{fmt}"][-1])
    figures: dict[str, object] = {"unit": config.module_name, "lanes": lanes, "rounds": rounds,
                                  "cpus": os.cpu_count()}
    figures.update({k: float(np.median(v)) for k, v in samples.items() if not k.startswith("phase ")})
    figures["b_phases"] = {k[6:]: float(np.median(v)) for k, v in samples.items() if k.startswith("phase ")}
    return figures


def _check(got, want, label):
    for name, exp in want.items():
        bad = int(np.sum(np.asarray(exp, np.uint64) != got[name]))
        if bad:
            raise MismatchError(f"{label}: {bad} mismatches against the golden model; run `arithbench verify` first")


def format_figures(f: dict) -> str:
    return "\n".join([
        f"unit {f['unit']}, Verilator, {f['cpus']} CPUs; vectors/s (simulation loop time, build excluded), "
        f"medians of {f['rounds']} interleaved rounds:",
        f"  (a) cocotb, 1 vector per step        {f['a_one_vector']:>14,.0f}",
        f"  (b) cocotb, {f['lanes']} lanes, streamed     {f['b_lane_packed']:>14,.0f}",
        f"      same lanes, Python per step      {f['b_stepped_lanes']:>14,.0f}",
        "      (b) time by phase: " + ", ".join(f"{name} {100 * share:.0f}%" for name, share in f["b_phases"].items()),
        f"  (c) Verilator C++ loop (ceiling)     {f['c_cpp_ceiling']:>14,.0f}",
        f"  (d) golden fp_mul e4m3 model         {f['d_fp_mul_e4m3_model']:>14,.0f}",
        f"      ml_dtypes e4m3, same work        {f['d_ml_dtypes_e4m3']:>14,.0f}",
        f"      golden fp_mul bf16 model         {f['d_fp_mul_bf16_model']:>14,.0f}",
        f"      ml_dtypes bf16, same work        {f['d_ml_dtypes_bf16']:>14,.0f}",
        f"      golden lmul e4m3 model           {f['d_lmul_e4m3_model']:>14,.0f}",
        f"  ratios (medians of each round's): b/a = {f['ratio_b_over_a']:.1f}x, b/c = {100 * f['ratio_b_over_c']:.1f}%, "
        f"model/ml_dtypes = {f['ratio_model_over_ml_dtypes_e4m3']:.2f}x (e4m3), "
        f"{f['ratio_model_over_ml_dtypes_bf16']:.2f}x (bf16)",
        f"  exhaustive 65,536 pairs, {f['lanes']} lanes: {f['exhaustive_sim_seconds']:.3f} s simulation "
        f"({f['exhaustive_wall_seconds']:.2f} s with simulator start-up)",
    ])


def unit_rates(config: UnitConfig, *, vectors: int = 1 << 20, root: Path = Path("build"), seed: int = 1,
               rounds: int = 5, log=print) -> dict:
    """Vectors/s of ``config``'s golden model (one process, the model's own chunking) and of
    its verification on Verilator (simulation loop time, build excluded), on ``vectors``
    planned random vectors, alternated over ``rounds`` rounds; medians."""
    from .verify import verify

    inputs = config.vectors(VectorPlan(vectors, seed))
    n = len(next(iter(inputs.values())))
    model, simulated, lanes = [], [], 0
    for i in range(rounds):
        model.append(_rate(lambda: config.model(inputs), n))
        verdict = verify(config, count=vectors, seed=seed, root=root, inputs=inputs)
        if not verdict.passed:
            raise MismatchError(f"{config.module_name} fails verification: run arithbench verify")
        simulated.append(verdict.rate)
        lanes = verdict.lanes
        log(f"round {i + 1}/{rounds}: model {model[-1]:,.0f}/s, Verilator {simulated[-1]:,.0f}/s")
    return {"unit": config.module_name, "vectors": n, "rounds": rounds, "lanes": lanes, "cpus": os.cpu_count(),
            "model_vectors_per_s": float(np.median(model)), "verilator_vectors_per_s": float(np.median(simulated))}


def format_unit_rates(f: dict) -> str:
    return (f"unit {f['unit']}, {f['vectors']:,} planned vectors, {f['cpus']} CPUs; vectors/s, medians of "
            f"{f['rounds']} rounds:\n"
            f"  golden model, one process          {f['model_vectors_per_s']:>14,.0f}\n"
            f"  verify on Verilator, {f['lanes']} lanes    {f['verilator_vectors_per_s']:>14,.0f}")
