"""Check 12: the production topology (deploy/): nginx in front of gunicorn, on tier S plus the demo.

- Slow clients: 200 connections that never finish a request (nothing sent, half the headers,
  or the headers and a little of a promised body), reopened whenever the server closes one,
  held for 30 s while one client keeps making normal requests (map data, popups, time series,
  observation pages), each given 5 s. Against nginx: every normal request answered (target: no
  error; p50 and p99 reported); the same against bare gunicorn, the before figure (its workers each hold a slow
  client, so the normal requests time out).
- Mixed load: wrk at 64 connections for 30 s through nginx (HTTPS, gzip) on the same mix with
  dates varied over ten years: requests/s, p50, p99; target no error (no answer within 30 s
  is one).

`python -m stress.proxy wire <database URL>`: bytes on the wire of E1 (every site with its
posture, bench/run.py) through nginx, with and without gzip, on that database.
"""

from __future__ import annotations

import json
import os
import random
import select
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
from contextlib import ExitStack

import psycopg
import requests

from bench.nginx import GUNICORN_CONFIG, nginx
from bench.server import ROOT, collect_static, serve, server_env
from stress import cluster

SLOW_CLIENTS = 200
SECONDS = 30
WORKERS = 2 * os.cpu_count() + 1  # as deploy/gunicorn.conf.py starts them
CONNECTIONS = 64
PROBE_TIMEOUT = 5.0
# wrk's patience: 64 connections queue behind a few workers, so a request waits for the ones
# ahead of it; a browser waits longer than this, nginx 75 s.
WRK_TIMEOUT = "30s"
WORK = ROOT / "var" / "stress" / "proxy"
E1 = "/api/v1/sites/?as_of=2025-12-31&page_size=10000"


def topology(database_url: str, stack: ExitStack):
    """gunicorn (deploy/gunicorn.conf.py) on `database_url`, and nginx in front."""
    env = {**server_env(database_url, settings="basewatch.settings"), "BEHIND_TLS_PROXY": "1"}
    env["SECURE_SSL_REDIRECT"] = "1"
    env["RESPONSE_CACHE_MB"] = "64"  # as deployed
    collect_static(env)
    WORK.mkdir(parents=True, exist_ok=True)
    upstream = f"unix:{WORK / 'gunicorn.sock'}"
    app = stack.enter_context(
        serve(ROOT / ".venv", "basewatch.wsgi", 8792, env, "/api/v1/asset-types/", WORKERS, 30,
              WORK / "gunicorn.log", config=GUNICORN_CONFIG, binds=(upstream,))
    )  # fmt: skip
    proxy = stack.enter_context(nginx(WORK / "nginx", upstream))
    return app, proxy


def mix(database_url: str, count: int = 2000) -> list[str]:
    """The normal requests, as people browsing send them: for each map load (every site's place
    and total, the site table) three date changes (the site table again), four popups, two
    time series, and an observation list as JSON and as a page; dates spread over ten years,
    so few answers repeat (a fixed seed: the same list every run)."""
    conninfo = database_url.replace("postgis://", "postgresql://", 1)
    with psycopg.connect(conninfo) as connection:
        slugs = [row[0] for row in connection.execute("SELECT slug FROM core_site ORDER BY id")]
    chance = random.Random(12)  # noqa: S311 (a workload, not a secret)

    def day() -> str:
        return f"{chance.randint(2016, 2025)}-{chance.randint(1, 12):02d}-{chance.randint(1, 28):02d}"

    def path() -> str:
        slug, when = chance.choice(slugs), day()
        return chance.choice([
            *[f"/api/v1/site-table/?as_of={when}&page_size=10000"] * 4,  # a map's first draw, three date changes
            *[f"/api/v1/sites/{slug}/?as_of={when}"] * 4,  # a popup
            *[f"/api/v1/sites/{slug}/timeseries/"] * 2,
            f"/api/v1/observations/?from={when[:4]}-01-01&to={when}",
            f"/observations/?from={when[:4]}-01-01&to={when}",
        ])  # fmt: skip

    return [path() for _ in range(count)]


class SlowClients:
    """`count` connections to `address` that never finish their request, each reopened when the
    server closes it, until `stop()`."""

    def __init__(self, address: tuple[str, int], count: int, tls: bool):
        self.address, self.count, self.tls = address, count, tls
        self.sockets: list[socket.socket] = []
        self.reopened = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _open(self, n: int) -> socket.socket:
        connection = socket.create_connection(self.address, timeout=10)
        how = n % 3 if self.tls else n % 2  # gunicorn: Django refuses that POST without reading its body
        if self.tls and how:
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            connection = context.wrap_socket(connection)
        if how == 1:
            connection.sendall(b"GET /api/v1/sites/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        elif how == 2:
            connection.sendall(
                b"POST /api/v1/sources/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n{"
            )
        return connection

    def start(self) -> SlowClients:
        self.sockets = [self._open(n) for n in range(self.count)]
        self._thread.start()
        return self

    def _hold(self) -> None:
        while not self._stopping.wait(0.5):
            readable, _, _ = select.select(self.sockets, [], [], 0)
            for closed in readable:  # an answer (408, 400) or the end of the connection
                n = self.sockets.index(closed)
                closed.close()
                try:
                    self.sockets[n] = self._open(n)
                    self.reopened += 1
                except OSError:
                    self.sockets[n] = socket.socket()  # the server refused: try again next time
                    self.sockets[n].close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        for connection in self.sockets:
            connection.close()


def probe(base: str, paths: list[str], seconds: float, **kwargs) -> dict:
    """Normal requests one after another for `seconds`: their latency percentiles and errors."""
    times, errors, started = [], 0, time.monotonic()
    session = requests.Session()
    n = 0
    while time.monotonic() - started < seconds:
        begun = time.monotonic()
        try:
            status = session.get(base + paths[n % len(paths)], timeout=PROBE_TIMEOUT, allow_redirects=False, **kwargs)
            ok = status.status_code == 200
        except requests.RequestException:
            ok = False
            session = requests.Session()
        times.append(time.monotonic() - begun)
        errors += not ok
        n += 1
    cuts = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
    return {
        "requests": len(times),
        "errors": errors,
        "p50 (ms)": round(cuts[49] * 1000, 1),
        "p99 (ms)": round(cuts[98] * 1000, 1),
    }


def slow_clients(base: str, address: tuple[str, int], paths: list[str], tls: bool, **kwargs) -> dict:
    attack = SlowClients(address, SLOW_CLIENTS, tls).start()
    try:
        figures = probe(base, paths, SECONDS, **kwargs)
    finally:
        attack.stop()
    figures["slow connections reopened"] = attack.reopened
    return figures


def wrk(base: str, paths: list[str]) -> dict:
    listing = WORK / "mixed-paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", WRK_TIMEOUT,
               "-s", str(ROOT / "stress" / "mixed.lua"), base, "--", str(listing)]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    result = json.loads(output.strip().splitlines()[-1])
    seconds = result["duration_us"] / 1e6
    return {
        "requests": result["requests"],
        "requests/s": round(result["requests"] / seconds, 1),
        "p50 (ms)": round(result["p50_us"] / 1000, 1),
        "p99 (ms)": round(result["p99_us"] / 1000, 1),
        "non-2xx": result["non_2xx_3xx"],
        "socket errors": result["socket_errors"],
        "MB/s on the wire (gzip)": round(result["bytes"] / seconds / 1e6, 2),
    }


def run(url: str) -> dict:
    """The check on the database at `url` (make stress: tier S and the demo on its own cluster)."""
    paths = mix(url)
    figures = {}
    with ExitStack() as stack:
        app, proxy = topology(url, stack)
        certificate = str(proxy.directory / "cert.pem")
        for path in paths[:50]:  # warm every worker up before timing
            requests.get(proxy.base + path, verify=certificate, timeout=60)
        figures["slow clients, nginx"] = slow_clients(
            proxy.base, ("127.0.0.1", proxy.https_port), paths, tls=True, verify=certificate
        )
        figures["slow clients, bare gunicorn (before)"] = slow_clients(
            app.base, ("127.0.0.1", app.port), paths, tls=False, headers={"X-Forwarded-Proto": "https"}
        )
        figures["wrk 64 connections, mixed, nginx"] = wrk(proxy.base, paths)
    behind = figures["slow clients, nginx"]
    load = figures["wrk 64 connections, mixed, nginx"]
    figures["ok"] = behind["errors"] == 0 and load["non-2xx"] == 0 and load["socket errors"] == 0
    return figures


def wire(database_url: str) -> dict:
    """Bytes on the wire of E1 through nginx, gzip and identity, and how long each took."""
    figures = {}
    with ExitStack() as stack:
        _, proxy = topology(database_url, stack)
        certificate = str(proxy.directory / "cert.pem")
        requests.get(proxy.base + E1, verify=certificate, timeout=300)  # computed once, then kept per worker
        for encoding in ("identity", "gzip"):
            sizes, times = [], []
            for _ in range(3):
                started = time.monotonic()
                response = requests.get(
                    proxy.base + E1, verify=certificate, timeout=300, stream=True, headers={"Accept-Encoding": encoding}
                )
                sizes.append(len(response.raw.read(decode_content=False)))
                times.append(time.monotonic() - started)
            figures[encoding] = {"bytes": sizes[0], "median s": round(statistics.median(times), 3)}
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["wire"]:
        print(json.dumps(wire(sys.argv[2]), indent=2))
    else:
        print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else cluster.url("basewatch_stress")), indent=2))
