"""Verification split into independent shards (vector ranges) on dask.distributed.

The parent builds the simulator once (cached under the build folder, which remote workers
must share); each shard makes its own slice of the vectors (index arithmetic for exhaustive
grids, :func:`arithbench.vectors.grid_slice`, so 2**32 pairs never sit in one memory),
simulates it in its own run folder and compares it with the golden model. Dask retries a shard
whose task fails and reschedules one whose worker is lost; the record keeps one result per
range, says which ranges were covered and how many attempts each took, so nothing is counted
twice and nothing is left out silently.
"""

from __future__ import annotations

import json
import logging
import shutil
import signal
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import checks
from ..catalog import configure
from ..errors import UsageError
from ..rtl.emit import generate
from ..unit import UnitConfig, VectorPlan
from .lanes import default_lanes
from .runner import Progress, build, simulate
from .toolchain import prepare
from ..vectors import grid_slice
from .verify import mismatches

#: Vectors per shard by default: 2**25 (about 1 GB in flight per worker). Each shard starts
#: a simulator (0.8 s for fp_mul bf16 at 256 lanes, 2026-11-30), so larger shards waste less;
#: 2**32 vectors make 128 of them.
SHARD_VECTORS = 1 << 25
#: Largest space a sharded exhaustive run accepts (2**40 vectors).
MAX_SHARDED_BITS = 40
RETRIES = 2


@dataclass
class ShardResult:
    start: int
    stop: int
    mismatches: int
    first: list[int]  # global indices of the first mismatching vectors
    sim_seconds: float
    wall_seconds: float
    worker: str
    attempts: int = 1
    #: Seconds in each phase of the shard: pairs, golden model, simulator (process), comparison.
    phases: dict = field(default_factory=dict)


@dataclass
class ShardedVerdict:
    module: str
    sim: str
    lanes: int
    total: int
    exhaustive: bool
    seed: int
    workers: str
    shards: list[ShardResult] = field(default_factory=list)
    failed: list[tuple[int, int, str]] = field(default_factory=list)
    build_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def covered(self) -> list[tuple[int, int]]:
        """Covered ranges, adjacent ones merged."""
        merged: list[list[int]] = []
        for s in sorted(self.shards, key=lambda r: r.start):
            if merged and merged[-1][1] == s.start:
                merged[-1][1] = s.stop
            else:
                merged.append([s.start, s.stop])
        return [tuple(r) for r in merged]

    @property
    def vectors(self) -> int:
        return sum(s.stop - s.start for s in self.shards)

    @property
    def complete(self) -> bool:
        return self.covered == [(0, self.total)] and not self.failed

    @property
    def mismatches(self) -> int:
        return sum(s.mismatches for s in self.shards)

    def record(self) -> str:
        """The verdict as JSON: every shard, the coverage, the summary."""
        return json.dumps({**self.__dict__, "covered": self.covered, "complete": self.complete,
                           "summary": self.summary()}, default=lambda o: o.__dict__, indent=2)

    def record_path(self, root: Path) -> Path:
        """Where the record of this run is kept under the build folder ``root``."""
        return Path(root) / "records" / f"{self.module}-{self.sim}-sharded.json"

    def summary(self) -> str:
        state = "PASS" if self.complete and not self.mismatches else "FAIL" if self.mismatches else "INCOMPLETE"
        plan = "exhaustive" if self.exhaustive else f"seed {self.seed}"
        ranges = ", ".join(f"[{a:,}, {b:,})" for a, b in self.covered) or "none"
        busy = sum(s.wall_seconds for s in self.shards)
        retried = sum(s.attempts > 1 for s in self.shards)
        return (f"{state} {self.module} on {self.sim}: {self.vectors:,} of {self.total:,} vectors ({plan}) in "
                f"{len(self.shards)} shards on {self.workers}, {self.mismatches} mismatches; covered {ranges}; "
                f"{retried} shards retried, {len(self.failed)} failed; {self.wall_seconds:.0f} s wall, "
                f"{busy:.0f} s of shard time (projected on 64 workers: {busy / 64 + self.build_seconds:.0f} s); "
                f"build {self.build_seconds:.0f} s; shard time by phase: {self.phase_text()}")

    def phase_text(self) -> str:
        """Seconds summed over shards per phase; the simulator's own loop is part of its phase."""
        totals: dict[str, float] = {}
        for s in self.shards:
            for name, secs in s.phases.items():
                totals[name] = totals.get(name, 0.0) + secs
        loop = sum(s.sim_seconds for s in self.shards)
        return ", ".join(f"{name} {secs:.0f} s" for name, secs in totals.items()) + f" (its loop {loop:.0f} s)"


def _total(config: UnitConfig, plan: VectorPlan) -> int:
    if plan.count is None and config.grid() is not None:
        bits = sum(config.grid().values())
        if bits > MAX_SHARDED_BITS:
            raise UsageError(f"exhaustive needs 2**{bits} vectors, more than 2**{MAX_SHARDED_BITS} even sharded: "
                             "give --vectors N")
        return 1 << bits
    return len(next(iter(config.vectors(plan).values())))


def _slice(config: UnitConfig, plan: VectorPlan, start: int, stop: int) -> dict[str, np.ndarray]:
    if plan.count is None and config.grid() is not None:
        return grid_slice(config.grid(), start, stop)
    return {name: codes[start:stop] for name, codes in config.vectors(plan).items()}


def run_shard(unit: str, params: dict, sim: str, lanes: int, root: str, plan: VectorPlan,
              start: int, stop: int, log_dir: str) -> ShardResult:
    """One shard, on a worker: its vectors, the simulator (from the shared build), the model."""
    began = time.perf_counter()
    worker = _worker_name()
    attempts = Path(log_dir) / f"{start}-{stop}.attempts"
    with open(attempts, "a") as f:  # one line per attempt, so retries show in the record
        f.write(worker + "\n")
    config = configure(unit, params)
    t0 = time.perf_counter()
    inputs = _slice(config, plan, start, stop)
    t1 = time.perf_counter()
    expected = config.model(inputs, lanes)
    t2 = time.perf_counter()
    run = simulate(config, inputs, sim=sim, lanes=lanes, root=Path(root))
    t3 = time.perf_counter()
    where = mismatches(expected, run.outputs)
    t4 = time.perf_counter()
    phases = {"pairs": t1 - t0, "golden model": t2 - t1, "simulator": t3 - t2, "comparison": t4 - t3}
    return ShardResult(start, stop, len(where), [int(start + i) for i in where[:5]], run.sim_seconds,
                       time.perf_counter() - began, worker, phases=phases)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "local"


def verify_sharded(config: UnitConfig, *, sim: str = "verilator", count: int | None | str = "default",
                   seed: int = 1, lanes: int | None = None, root: Path = Path("build"), workers: int = 2,
                   scheduler: str | None = None, shard_size: int | None = None, client=None,
                   progress: Progress | None = None) -> ShardedVerdict:
    """Verify ``config`` in shards on a Dask cluster: ``client`` if given, else the scheduler at
    ``scheduler``, else a local cluster of ``workers`` processes."""
    if config.sequential:
        raise UsageError("a unit with a clock (clocked=true or stages) verifies one stream per lane: run it without --workers")
    most = config.vectors_per_process()
    shard_size = min(SHARD_VECTORS, most) if shard_size is None else shard_size
    if shard_size < 1:
        raise UsageError(f"--shard-size must be at least 1, not {shard_size}")
    if shard_size > most:
        raise UsageError(f"--shard-size {shard_size:,} is more than one process holds of {config.module_name}'s "
                         f"vectors ({most:,}): give at most that")
    if count == "default":
        count = config.default_count()
    # Every shard makes the whole random plan and takes its slice: the plan must fit one process.
    checks.one_process(count, "a random plan is made whole in every shard: ask for fewer", config)
    plan = VectorPlan(count, seed)
    total = _total(config, plan)
    root = Path(root).resolve()
    prepare(sim)
    if lanes is None:
        lanes = default_lanes(generate(config, root / "rtl" / config.module_name)[1]["ports"], total)
    _, _, _, build_seconds = build(config, sim=sim, lanes=lanes, root=root)
    with dask_client(workers, scheduler, client) as client:
        log_dir = Path(tempfile.mkdtemp(prefix="shards-", dir=root))
        described = scheduler or f"{len(client.scheduler_info()['workers'])} local workers"
        verdict = ShardedVerdict(config.module_name, sim, lanes, total, count is None, seed, described,
                                 build_seconds=build_seconds)
        began = time.perf_counter()
        _run(client, config, sim, lanes, root, plan, total, shard_size, log_dir, verdict, progress)
    verdict.wall_seconds = time.perf_counter() - began
    for s in verdict.shards:
        s.attempts = len((log_dir / f"{s.start}-{s.stop}.attempts").read_text().split())
    shutil.rmtree(log_dir, ignore_errors=True)
    return verdict


@contextmanager
def dask_client(workers: int, scheduler: str | None, client=None):
    """``client`` as it is; else a client of the scheduler at ``scheduler``; else a local
    cluster of ``workers`` single-threaded processes, closed afterwards."""
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=20)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler} ({exc}): start one with "
                             "`dask scheduler` and workers with `dask worker ADDRESS`") from None
        with client:
            yield client
        return
    # The workers start with Ctrl-C ignored (a disposition survives exec): the terminal sends
    # SIGINT to the whole process group, and only this process should answer it, with one line.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        own = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.CRITICAL)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        with own, Client(own) as client:
            yield client
    except KeyboardInterrupt:
        logging.getLogger("distributed").setLevel(logging.CRITICAL)  # the cluster's shutdown chatter
        raise


def _run(client, config, sim, lanes, root, plan, total, shard_size, log_dir, verdict, progress) -> None:
    from distributed import as_completed

    ranges = [(a, min(a + shard_size, total)) for a in range(0, total, shard_size)]
    futures = {client.submit(run_shard, config.name, {k: str(v).lower() if isinstance(v, bool) else str(v)
                                                          for k, v in config.items},
                             sim, lanes, str(root), plan, a, b, str(log_dir), key=f"shard-{config.module_name}-{a}-{b}",
                             retries=RETRIES, pure=False): (a, b) for a, b in ranges}
    done: dict[tuple[int, int], ShardResult] = {}
    start = time.perf_counter()
    for future in as_completed(futures):
        a, b = futures[future]
        try:
            result = future.result()
        except Exception as exc:  # after Dask's retries: record it, never count it
            verdict.failed.append((a, b, f"{type(exc).__name__}: {exc}"))
            continue
        done.setdefault((a, b), result)  # one result per range, whatever happened on the way
        if progress is not None:
            progress(sum(r.stop - r.start for r in done.values()), total, time.perf_counter() - start)
    verdict.shards = sorted(done.values(), key=lambda r: r.start)
