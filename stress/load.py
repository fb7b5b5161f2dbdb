"""Check 10: 60 s of wrk at 64 connections on the sites GeoJSON and the observations list
(tier S), and guessing throttled across all gunicorn workers.

Targets: no non-2xx answer and no socket error, p99 under 1 s, worker memory flat over the
second half of each run; of 200 failed logins and 200 bad tokens from one client, all but
the first five refused with 429, whichever worker answers.
"""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

import requests

from bench.server import ROOT, collect_static, serve, server_env
from stress import cluster

SECONDS = 60
CONNECTIONS = 64
WORKERS = 4
ENDPOINTS = {"sites GeoJSON": "/api/v1/sites/", "observations list": "/api/v1/observations/"}
GUESSES = 200
P99_LIMIT_MS = 1000.0
GROWTH_LIMIT_MB = 10.0


def run(database: str) -> dict:
    # Plain HTTP on loopback: cookies must not require HTTPS, or the login form's CSRF
    # cookie would never come back.
    env = {**server_env(cluster.url(database), settings="basewatch.settings"), "CSRF_COOKIE_SECURE": "0"}
    env["RESPONSE_CACHE_MB"] = "64"  # as deployed: researchers' repeated reads are served from it
    collect_static(env)
    figures = {}
    log = ROOT / "var" / "stress" / "load-server.log"
    with serve(ROOT / ".venv", "basewatch.wsgi", 8791, env, "/api/v1/asset-types/", WORKERS, 30, log) as server:
        for name, path in ENDPOINTS.items():
            figures[name] = _wrk(server, path)
        figures["throttling"] = _guess(server, database)
    figures["ok"] = all(
        endpoint["non-2xx"] == 0
        and endpoint["socket errors"] == 0
        and endpoint["p99 (ms)"] < P99_LIMIT_MS
        and endpoint["worker growth, 2nd half (MB)"] < GROWTH_LIMIT_MB
        for endpoint in (figures[name] for name in ENDPOINTS)
    ) and all(refused >= GUESSES - 5 for refused in figures["throttling"].values())
    return figures


def _wrk(server, path: str) -> dict:
    requests.get(server.base + path, timeout=60)  # the first answer is computed; after that, cached per worker
    samples = {}
    timer = threading.Timer(SECONDS / 2, lambda: samples.setdefault("middle", _rss(server)))
    timer.start()
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s", "--latency", server.base + path]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    timer.join()
    end = _rss(server)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": total,
        "requests/s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "non-2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket errors": sum(map(int, errors.groups())) if errors else 0,
        "p50 (ms)": _latency(output, "50%"),
        "p99 (ms)": _latency(output, "99%"),
        "worker RSS at the end (MB)": round(max(end.values()), 1),
        "worker growth, 2nd half (MB)": round(max(end[pid] - samples["middle"].get(pid, end[pid]) for pid in end), 1),
    }


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\b", output, re.MULTILINE).groups()
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 1)


def _rss(server) -> dict[str, float]:
    """Each worker's resident memory, MB."""
    pid = server.process.pid
    workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    sizes = {}
    for worker in workers:
        status = Path(f"/proc/{worker}/status").read_text()
        sizes[worker] = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
    return sizes


def _guess(server, database: str) -> dict[str, int]:
    """How many of GUESSES failed logins and bad tokens were refused with 429."""
    forget_failures(database)
    session = requests.Session()
    form = session.get(server.base + "/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    statuses = [
        session.post(
            server.base + "/accounts/login/",
            data={"username": "stress-target", "password": f"guess-{n}", "csrfmiddlewaretoken": csrf},
            headers={"Referer": server.base + "/accounts/login/"},
            timeout=30,
        ).status_code
        for n in range(GUESSES)
    ]
    if statuses[0] != 200:
        raise RuntimeError(f"a failed login answered {statuses[0]}, not the form again")
    forget_failures(database)  # the bad tokens are counted on their own
    tokens = [
        requests.get(
            server.base + "/api/v1/sites/", headers={"Authorization": f"Token guess-{n}"}, timeout=30
        ).status_code
        for n in range(GUESSES)
    ]
    return {"failed logins refused (429)": statuses.count(429), "bad tokens refused (429)": tokens.count(429)}


def forget_failures(database: str) -> None:
    with cluster.connect(database) as connection:
        connection.execute("DELETE FROM core_loginfailure")
