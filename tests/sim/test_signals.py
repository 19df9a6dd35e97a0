"""Signals from outside (issue 27): SIGTERM ends a command as Ctrl-C does, cleaning up after
itself; after SIGKILL, which nothing can answer, the simulator ends by itself and the next run
of the same build removes the abandoned run folder."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

#: Long enough runs of int_mul (width 8) to stop halfway: about 25 s on Icarus; on Verilator one
#: lane, so that the simulator is still running when it is stopped.
LONG = {"icarus": ["--vectors", "3000000"], "verilator": ["--vectors", "10000000", "--lanes", "1"]}


def start(*argv: str, cwd: Path | None = None) -> subprocess.Popen:
    """``arithbench ARGV`` in a session of its own, Ctrl-C handled as from a shell (a test worker
    may ignore SIGINT, and the command would inherit that)."""
    return subprocess.Popen([sys.executable, "-m", "arithbench.cli", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=cwd,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def running(build: Path, proc: subprocess.Popen, known: tuple = ()) -> Path:
    """The run folder, not among ``known``, of ``proc``'s simulation once vectors are flowing."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = [p.parent for p in build.glob("sim/*/*/run-*/progress") if p.parent not in known]
        if found:
            return found[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError("no simulation under way after 120 s")


def session(sid: int) -> list[psutil.Process]:
    """The live processes of session ``sid`` (a command's simulators stay in it when orphaned)."""
    alive = []
    for proc in psutil.process_iter(["status"]):
        try:
            if os.getsid(proc.pid) == sid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except OSError:
            pass
    return alive


def ends(sid: int, seconds: float) -> bool:
    """Whether session ``sid`` has no live process left within ``seconds``."""
    deadline = time.monotonic() + seconds
    while session(sid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not session(sid)


def last_line(err: str) -> str:
    return [line for line in err.splitlines() if line.strip()][-1]


@pytest.mark.sim
def test_sigterm_mid_verify_stops_the_simulator_removes_its_run_folder_and_exits_2(tmp_path):
    proc = start("verify", "int_mul", "--sim", "icarus", *LONG["icarus"], "--build", str(tmp_path))
    running(tmp_path, proc)
    proc.send_signal(signal.SIGTERM)  # the command alone, as `kill` does
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and last_line(err).startswith("arithbench: terminated") and "Traceback" not in err
    assert ends(proc.pid, 5)  # no simulator left behind
    assert not list(tmp_path.glob("sim/*/*/run-*"))


@pytest.mark.sim
@pytest.mark.parametrize("sim", ["icarus", "verilator"])
def test_after_sigkill_the_simulator_ends_and_the_next_run_removes_the_folder_but_never_a_live_ones(tmp_path, sim):
    command = ["verify", "int_mul", "--sim", sim, *LONG[sim], "--build", str(tmp_path)]
    killed = start(*command)
    abandoned = running(tmp_path, killed)
    killed.kill()
    killed.wait()
    assert ends(killed.pid, 5), session(killed.pid)  # the simulator noticed its parent was gone
    assert abandoned.exists()  # nothing could clean up
    live = start(*command)
    live_dir = running(tmp_path, live, known=(abandoned,))
    assert not abandoned.exists()  # removed as the live run began
    paused = session(live.pid)  # stopped, not ended, while the short run looks: it cannot finish meanwhile
    for proc in paused:
        proc.suspend()
    try:
        short = subprocess.run([sys.executable, "-m", "arithbench.cli", *command[:4], *LONG[sim][2:], "--vectors",
                                "1000", "--build", str(tmp_path)], capture_output=True, text=True)
        assert short.returncode == 0 and short.stdout.startswith("PASS"), short.stderr
        assert live_dir.exists() and live.poll() is None  # a live run's folder is never taken
    finally:
        for proc in paused:
            proc.resume()
    live.send_signal(signal.SIGTERM)
    live.communicate(timeout=30)
    assert ends(live.pid, 5) and not list(tmp_path.glob("sim/*/*/run-*"))


@pytest.mark.sim
@pytest.mark.parametrize("how,said", [("sigterm", "terminated"), ("ctrl-c", "interrupted")])
def test_a_stopped_report_ends_promptly_with_its_workers_and_leaves_nothing(tmp_path, how, said):
    out = tmp_path / "OUT"
    proc = start("report", "--units", "int_mul", "--build", str(tmp_path / "build"), "-o", str(out), cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not any(p.name() not in ("python", "python3") for p in psutil.Process(proc.pid).children(recursive=True)):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)  # until a worker runs a tool (a simulator build, Yosys)
    began = time.monotonic()
    if how == "sigterm":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - began < 20
    assert proc.returncode == 2, err
    assert last_line(err).startswith(f"arithbench: {said}") and "Traceback" not in err, err
    assert ends(proc.pid, 5), session(proc.pid)  # workers, simulators and Yosys included
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # no OUT, no temporary folder beside it
