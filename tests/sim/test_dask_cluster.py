"""Past one machine: a real `dask scheduler` and two `dask worker` processes over TCP on
localhost (separate processes, as on a cluster), a sharded `arithbench verify --scheduler` run,
one worker killed mid-run: the record must still be complete and correct."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for_workers(address: str, count: int, timeout: float = 60) -> None:
    from distributed import Client

    with Client(address, timeout=timeout) as client:
        client.wait_for_workers(count, timeout=timeout)


@pytest.mark.sim
def test_real_scheduler_and_workers_survive_a_killed_worker(tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    build = tmp_path / "build"  # the shared build folder every worker reads
    processes = [_start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                         "--dashboard-address", ":0"], tmp_path / "scheduler.log")]
    try:
        time.sleep(2)
        workers = [_start([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny",
                           "--dashboard-address", ":0"], tmp_path / f"worker{i}.log") for i in range(2)]
        processes += workers
        _wait_for_workers(address, 2)
        verify = subprocess.Popen([str(BIN / "arithbench"), "verify", "fp_mul", "-p", "fmt=e5m2", "--vectors",
                                   "exhaustive", "--scheduler", address, "--shard-size", "2048", "--sim", "icarus",
                                   "--lanes", "256", "--build", str(build)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while len(list(build.glob("shards-*/*.attempts"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers[0].send_signal(signal.SIGKILL)  # mid-run: shards are running on both workers
        out, err = verify.communicate(timeout=600)
        assert verify.returncode == 0, err
        record = json.loads((build / "records" / "fp_mul_e5m2_rne_sat-icarus-sharded.json").read_text())
        shards = record["shards"]
        assert record["complete"] and record["failed"] == [] and sum(s["mismatches"] for s in shards) == 0
        assert sorted((s["start"], s["stop"]) for s in shards) == [(a, min(a + 2048, 65536))
                                                                   for a in range(0, 65536, 2048)]
        assert sum(s["stop"] - s["start"] for s in shards) == 65536
        assert "PASS" in out and "65,536 of 65,536 vectors" in out
    finally:
        for p in processes:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in processes:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
