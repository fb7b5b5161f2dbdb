"""The servers under test: gunicorn with one sync worker each on the benchmark database, and their process figures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
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


def server_env(database_url: str, settings: str = "bench.settings") -> dict[str, str]:
    """Production settings (DEBUG=0) on `database_url`, served over plain HTTP on loopback."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": "benchmark-only-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        # The benchmark times computing answers: with the response cache on, every request
        # after the first would time a dictionary lookup (make stress runs with it on).
        "RESPONSE_CACHE_MB": "0",
    }


@contextmanager
def gunicorn(database_url: str, port: int, workers: int = 1, **env: str):
    """basewatch (with bench/urls.py) behind `workers` sync workers (one: a small deployment per core)."""
    environment = {**server_env(database_url), **env}
    collect_static(environment)
    with serve(ROOT / ".venv", "basewatch.wsgi", port, environment, "/api/v1/asset-types/", workers) as server:
        yield server


def collect_static(env: dict[str, str]) -> None:
    """DEBUG=0 serves hashed static file names (pages need them) from a manifest."""
    collect = [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)  # noqa: S603 (fixed command)


@contextmanager
def serve(
    venv: Path,
    app: str,
    port: int,
    env: dict[str, str],
    ready_path: str,
    workers: int = 1,
    timeout: int = 600,
    log: Path | None = None,
    config: Path | None = None,
    binds: tuple[str, ...] = (),
):
    """`app` under gunicorn from `venv` with `workers` sync workers, stopped on leaving; its
    error output goes to `log` (or to ours). `config`: a gunicorn configuration file (such as
    deploy/gunicorn.conf.py) whose settings the ones given here override; `binds`: addresses
    served besides the port (e.g. `unix:/tmp/gunicorn.sock`)."""
    command = [
        str(venv / "bin" / "gunicorn"),
        *(["--config", str(config)] if config else []),
        app,
        *[argument for bind in binds for argument in ("--bind", bind)],
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--timeout", str(timeout),
        "--log-level", "warning",
    ]  # fmt: skip
    output = log.open("w") if log else None
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=output)  # noqa: S603 (fixed command)
    server = Server(process, port, ready_path)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        if output:
            output.close()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_until_up(server: Server) -> None:
    """Until the server answers `ready_path` with any HTTP status (an HTTPS redirect counts)."""
    opener = urllib.request.build_opener(_NoRedirects)
    for _ in range(300):
        if server.process.poll() is not None:
            sys.exit(f"bench: gunicorn on port {server.port} exited at start-up")
        try:
            with opener.open(server.base + server.ready_path, timeout=5):
                return
        except urllib.error.HTTPError:
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
