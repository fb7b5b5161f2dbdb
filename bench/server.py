"""The servers under test: gunicorn with one sync worker each on the benchmark database, and their process figures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A running gunicorn master; `ready_path` answers once its worker can serve."""

    process: subprocess.Popen
    port: int
    ready_path: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


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
    """basewatch (with bench/urls.py) behind one sync worker, as a small deployment here would run per core."""
    env = server_env(database_url)
    # DEBUG=0 serves hashed static file names (the map page needs them) from a manifest.
    collect = [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)  # noqa: S603 (fixed command)
    with serve(ROOT / ".venv", "basewatch.wsgi", port, env, "/api/v1/asset-types/") as server:
        yield server


@contextmanager
def serve(venv: Path, app: str, port: int, env: dict[str, str], ready_path: str):
    """`app` under gunicorn from `venv`, one sync worker, stopped on leaving."""
    command = [
        str(venv / "bin" / "gunicorn"),
        app,
        "--bind", f"127.0.0.1:{port}",
        "--workers", "1",
        "--timeout", "600",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (fixed command)
    server = Server(process, port, ready_path)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(server: Server) -> None:
    for _ in range(300):
        if server.process.poll() is not None:
            sys.exit(f"bench: gunicorn on port {server.port} exited at start-up")
        try:
            with urllib.request.urlopen(server.base + server.ready_path, timeout=5):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"bench: gunicorn on port {server.port} did not answer")


def worker_pid(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return int(children[0])


def fresh_worker(server: Server) -> int:
    """Replace the worker (gunicorn reloads on HUP) so no run inherits another's memory; its pid.

    Python keeps the memory a big answer needed, so a worker that served the naive path
    would report that peak for every contender after it.
    """
    master = server.process.pid
    old = worker_pid(master)
    os.kill(master, signal.SIGHUP)
    for _ in range(300):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children and int(children[0]) != old and len(children) == 1:
            break
        time.sleep(0.05)
    _wait_until_up(server)  # also warms the worker up
    return worker_pid(master)


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
