"""`make run`'s launcher (scripts/run_dev.py) ends everything it started when it is stopped."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_sigterm_stops_the_server_and_its_helpers(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    port = _free_port()
    launcher = subprocess.Popen(
        [sys.executable, "scripts/run_dev.py", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started: set[int] = set()
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            started = _descendants(launcher.pid)
            if len(started) >= 3:  # the periodic runner, runserver and runserver's reloaded child
                break
            time.sleep(0.5)
        assert len(started) >= 2, "the launcher did not start its processes"
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=30)
        deadline = time.time() + 15
        while time.time() < deadline and any(_alive(pid) for pid in started):
            time.sleep(0.2)
        assert not [pid for pid in started if _alive(pid)]
    finally:
        for pid in started | _descendants(launcher.pid) | {launcher.pid}:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
