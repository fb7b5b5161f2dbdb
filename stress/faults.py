"""Check 8: PostgreSQL stopped abruptly under steady load, three times, and started again.

A second process reads and writes over loopback the whole time. During each outage every
request must fail fast with 503; within 5 s of the restart the errors must stop, without
restarting the app; every write acknowledged with 2xx must be there at the end, and no
observation may be left without its sources.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.server import ROOT, collect_static, serve, server_env
from stress import cluster

OUTAGES = 3
OUTAGE_SECONDS = 30
STEADY_SECONDS = 10  # of normal load before each outage, and after the last
FAST = 2.0  # seconds: slower than this during an outage is a hang
RECOVERY_LIMIT = 5.0
LOG = ROOT / "var" / "stress" / "fault-requests.jsonl"


@dataclass
class Outage:
    down: float  # pg_ctl stop -m immediate returned
    starting: float  # pg_ctl start called
    up: float  # PostgreSQL accepts connections again


def drive(base: str, token: str, source: int, until: float, log: Path) -> None:
    """The load: one thread reading, one writing observations (a new date each), until `until`."""
    lock = threading.Lock()

    def record(kind: str, started: float, status: int, created: int | None = None) -> None:
        entry = {"kind": kind, "start": started, "end": time.time(), "status": status, "id": created}
        with lock, log.open("a") as out:
            out.write(json.dumps(entry) + "\n")

    def read() -> None:
        session = requests.Session()
        paths = ["/api/v1/sites/khmeimim/", "/api/v1/observations/", "/sites/khmeimim/", "/api/v1/sites/"]
        n = 0
        while time.time() < until:
            started = time.time()
            try:
                status = session.get(base + paths[n % len(paths)], timeout=60).status_code
            except requests.RequestException:
                status = 0
            record("read", started, status)
            n += 1
            time.sleep(0.02)

    def write() -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        n = 0
        while time.time() < until:
            body = {
                "site": "khmeimim",
                "asset_type": "an-124",
                "observed": (dt.date(2000, 1, 1) + dt.timedelta(days=n)).isoformat(),
                "count": 1 + n % 9,
                "source_ids": [source],
            }
            started = time.time()
            try:
                response = session.post(base + "/api/v1/observations/", json=body, timeout=60)
                created = response.json().get("id") if response.status_code == 201 else None
                status = response.status_code
            except (requests.RequestException, ValueError):
                status, created = 0, None
            record("write", started, status, created)
            n += 1
            time.sleep(0.05)

    threads = [threading.Thread(target=read), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run() -> dict:
    url = cluster.fresh_database("basewatch_faults", ["load_demo"])
    with cluster.connect("basewatch_faults") as connection:
        source = connection.execute("SELECT min(id) FROM core_source").fetchone()[0]
    token = _issue_token(url)
    env = {**server_env(url, settings="basewatch.settings"), "DB_CONN_MAX_AGE": "60"}
    collect_static(env)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    LOG.unlink(missing_ok=True)
    outages = []
    app = ("basewatch.wsgi", 8790, env, "/api/v1/asset-types/")
    with serve(ROOT / ".venv", *app, workers=3, timeout=30, log=LOG.with_name("fault-server.log")) as server:
        workers_before = _workers(server)
        total = OUTAGES * (STEADY_SECONDS + OUTAGE_SECONDS) + STEADY_SECONDS + 5
        load = multiprocessing.Process(target=drive, args=(server.base, token, source, time.time() + total, LOG))
        load.start()
        for _ in range(OUTAGES):
            time.sleep(STEADY_SECONDS)
            down = time.time()
            cluster.db("kill")
            time.sleep(OUTAGE_SECONDS)
            starting = time.time()
            cluster.db("start")  # returns once PostgreSQL accepts connections
            outages.append(Outage(down, starting, time.time()))
        load.join()
        workers_after = _workers(server)
    return _figures(outages, workers_before == workers_after)


def _issue_token(url: str) -> str:
    """An editor and a key for the writer, made the way an operator would."""
    env = {"BASEWATCH_PASSWORD": "stress-test-password-1"}
    cluster.manage(url, "adduser", "stress-editor", "--role", "editor", env=env)
    return cluster.manage(url, "api_token", "create", "stress-editor", "--name", "stress").split()[-1]


def _workers(server) -> list[str]:
    pid = server.process.pid
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()


def _figures(outages: list[Outage], same_workers: bool) -> dict:
    entries = [json.loads(line) for line in LOG.read_text().splitlines()]
    during, recoveries, first_successes = [], [], []
    ends = [outage.down for outage in outages[1:]] + [float("inf")]
    for outage, next_down in zip(outages, ends, strict=True):
        # Requests sent while PostgreSQL was down (one already running when it stopped may still finish).
        inside = [e for e in entries if outage.down + 0.5 <= e["start"] and e["end"] <= outage.starting]
        during += inside
        # From the restart until the next outage.
        after = sorted((e for e in entries if outage.up <= e["start"] < next_down), key=lambda e: e["start"])
        failures = [e for e in after if not 200 <= e["status"] < 300]
        recoveries.append(max((e["end"] - outage.up for e in failures), default=0.0))
        successes = [e["end"] - outage.starting for e in after if 200 <= e["status"] < 300]
        first_successes.append(min(successes, default=float("inf")))
    acknowledged = [e["id"] for e in entries if e["kind"] == "write" and e["status"] == 201]
    with cluster.connect("basewatch_faults") as connection:
        stored = {row[0] for row in connection.execute("SELECT id FROM core_observation")}
        orphans = connection.execute(
            "SELECT count(*) FROM core_observation o"
            " WHERE NOT EXISTS (SELECT 1 FROM core_observation_sources s WHERE s.observation_id = o.id)"
        ).fetchone()[0]
    return {
        "requests": len(entries),
        "requests during outages": len(during),
        "503 during outages": sum(e["status"] == 503 for e in during),
        "slowest during outages (s)": round(max((e["end"] - e["start"] for e in during), default=0.0), 3),
        "recovery after restart (s)": [round(r, 2) for r in recoveries],
        "first 2xx after pg_ctl start (s)": [round(r, 2) for r in first_successes],
        "writes acknowledged": len(acknowledged),
        "acknowledged writes missing": len(set(acknowledged) - stored),
        "observations without sources": orphans,
        "app restarted": not same_workers,
        "ok": bool(during)
        and all(e["status"] == 503 for e in during)
        and all(e["end"] - e["start"] < FAST for e in during)
        and all(r < RECOVERY_LIMIT for r in recoveries)
        and not set(acknowledged) - stored
        and orphans == 0
        and same_workers,
    }
