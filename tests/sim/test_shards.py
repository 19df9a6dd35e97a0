"""Sharded verification on a Dask LocalCluster: complete records, lost workers recovered."""

import os
import signal
import threading
import time

import numpy as np
import psutil
import pytest

from arithbench.catalog import configure
from arithbench.sim.shards import _total, verify_sharded
from arithbench.unit import VectorPlan
from arithbench.vectors import exhaustive, grid_slice


def test_grid_slices_are_the_exhaustive_order():
    whole = exhaustive({"a": 5, "b": 7})
    for start, stop in [(0, 1), (100, 3000), (4000, 4096)]:
        part = grid_slice({"a": 5, "b": 7}, start, stop)
        assert all(np.array_equal(whole[k][start:stop], part[k]) for k in whole)


def test_sharded_exhaustive_spaces_go_past_one_machines_limit():
    assert _total(configure("int_mul", {"width": "16"}), VectorPlan(None, 1)) == 1 << 32
    assert _total(configure("fp_mul", {"fmt": "bf16"}), VectorPlan(None, 1)) == 1 << 32


@pytest.fixture
def cluster():
    from distributed import Client, LocalCluster

    local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(local)
    yield client
    client.close()
    local.close()


@pytest.mark.sim
def test_shards_cover_the_space_once(cluster, build_root):
    verdict = verify_sharded(configure("int_add"), sim="icarus", count=None, lanes=256, root=build_root,
                             shard_size=10_000, client=cluster)
    assert verdict.complete and verdict.mismatches == 0
    assert verdict.covered == [(0, 65536)] and verdict.vectors == 65536 and len(verdict.shards) == 7
    assert len({s.worker for s in verdict.shards}) == 2


@pytest.mark.sim
def test_a_worker_killed_mid_run_leaves_a_complete_correct_record(cluster, tmp_path):
    config = configure("fp_mul", {"fmt": "e5m2"})
    box = {}

    def run():
        box["verdict"] = verify_sharded(config, sim="icarus", count=None, lanes=256, root=tmp_path,
                                        shard_size=4096, client=cluster)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 300
    while not list(tmp_path.glob("shards-*/*.attempts")) and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = cluster.run(os.getpid)
    victim = sorted(pids)[0]
    worker = psutil.Process(pids[victim])
    while not worker.children(recursive=True) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the worker runs a simulator: inside a shard
    os.kill(pids[victim], signal.SIGKILL)
    thread.join(600)
    verdict = box["verdict"]
    assert verdict.complete and verdict.mismatches == 0
    assert verdict.covered == [(0, 65536)] and verdict.vectors == 65536
    assert len({(s.start, s.stop) for s in verdict.shards}) == len(verdict.shards) == 16
    assert any(s.attempts > 1 for s in verdict.shards)  # the lost worker's shard ran again
