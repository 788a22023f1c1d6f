"""Serve the portal for development. With REDIS_URL set, also start a Celery worker and beat;
without it, tasks run in-process and periodic jobs run from a small in-process scheduler."""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _stop(signum, frame):
    """SIGTERM (a `kill`, a process manager) ends the server and its helpers as Ctrl-C does."""
    raise KeyboardInterrupt


def main():
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "matrix_portal.settings.dev"),
    )
    children = []
    if env.get("REDIS_URL"):
        celery = str(BIN / "celery")
        children.append(
            subprocess.Popen(
                [celery, "-A", "matrix_portal", "worker", "-l", "info", "-c", "2"], cwd=ROOT, env=env
            )
        )
        children.append(
            subprocess.Popen([celery, "-A", "matrix_portal", "beat", "-l", "info"], cwd=ROOT, env=env)
        )
    else:
        print(
            "Celery: no REDIS_URL, so tasks run in-process; periodic jobs run every minute in the background."
        )
        children.append(
            subprocess.Popen([sys.executable, "manage.py", "run_periodic_inline"], cwd=ROOT, env=env)
        )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"{args.host}:{args.port}"], cwd=ROOT, env=env
    )
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for child in [server, *children]:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in [server, *children]:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    main()
