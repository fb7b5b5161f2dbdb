"""The server under test: gunicorn with one worker on the benchmark database, and its process figures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def server_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": "benchmark-only-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
    }


@contextmanager
def gunicorn(database_url: str, port: int):
    """One sync worker, as a small deployment on this 2-core machine would run per core."""
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "basewatch.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", "1",
        "--timeout", "600",
        "--log-level", "warning",
    ]  # fmt: skip
    # DEBUG=0 serves hashed static file names (the map page needs them) from a manifest.
    collect = [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=server_env(database_url), check=True)  # noqa: S603 (fixed command)
    process = subprocess.Popen(command, cwd=ROOT, env=server_env(database_url))  # noqa: S603 (fixed command)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/v1/asset-types/", process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(url: str, process) -> None:
    for _ in range(200):
        if process.poll() is not None:
            sys.exit("bench: gunicorn exited at start-up")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own loopback server)
                return
        except OSError:
            time.sleep(0.1)
    sys.exit("bench: gunicorn did not answer")


def worker_pid(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return int(children[0])


def fresh_worker(process, port: int) -> int:
    """Replace the worker (gunicorn reloads on HUP) so no run inherits another's memory; its pid.

    Python keeps the memory a big answer needed, so a worker that served the naive path
    would report that peak for every contender after it.
    """
    old = worker_pid(process.pid)
    os.kill(process.pid, signal.SIGHUP)
    for _ in range(300):
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        if children and int(children[0]) != old and len(children) == 1:
            break
        time.sleep(0.05)
    _wait_until_up(f"http://127.0.0.1:{port}/api/v1/asset-types/", process)  # also warms the worker up
    return worker_pid(process.pid)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def reset_peak_rss(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
