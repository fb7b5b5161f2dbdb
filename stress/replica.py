"""Check 13: a streaming replica under load, stopped, and lagging (README, "Production").

A PostgreSQL pair of its own (`Pair`: scripts/db.sh on ports 26401 and 26402, under
var/replica; tests/test_replica.py uses it too): basewatch under gunicorn with
DATABASE_REPLICA_URL, anonymous readers and an editor writing the whole time.

(a) The replica is stopped abruptly: anonymous reads must answer from the primary within
    FALLBACK_LIMIT seconds (the failed request is answered again from the primary, later ones
    go there at once); errors are counted, and every write acknowledged with 2xx must be on
    the primary at the end.
(b) Replay on the replica is paused (pg_wal_replay_pause(), as a replica stuck behind a long
    query or a slow disk would be): its lag grows, and once past BASEWATCH_REPLICA_MAX_LAG
    anonymous readers must see the primary's newest writes again; the lag measured on the
    replica is reported.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

from bench.server import ROOT, serve, server_env

FALLBACK_LIMIT = 5.0  # seconds from the replica's stop until anonymous reads answer again
MAX_LAG = 3  # BASEWATCH_REPLICA_MAX_LAG of the server under test
LAG_LIMIT = MAX_LAG + 2 * 1 + 2.0  # the lag limit, two checks (1 s apart) and a request's time
NAME = "basewatch_replica_stress"


@dataclass(frozen=True)
class Pair:
    """A primary and its streaming replica, both started by scripts/db.sh."""

    # Below the kernel's range of ports for outgoing connections (32768-60999 here): the pair
    # starts in the middle of a test run, when a client socket can hold any port of that range,
    # and twice a replica on 54402 found its port taken ("Address already in use").
    port: int = 26401
    replica_port: int = 26402
    directory: Path = ROOT / "var" / "replica" / "pg"

    @property
    def env(self) -> dict[str, str]:
        environment = {
            **os.environ,
            "BASEWATCH_DB_PORT": str(self.port),
            "BASEWATCH_DB_DIR": str(self.directory),
            "BASEWATCH_REPLICA_PORT": str(self.replica_port),
            "BASEWATCH_REPLICA_DIR": f"{self.directory}-replica",
        }
        environment.pop("DATABASE_URL", None)
        return environment

    def db(self, *action: str) -> None:
        """scripts/db.sh with `action` (start, stop, replica start, replica kill, …) on this pair."""
        command = ["bash", "scripts/db.sh", *action]
        subprocess.run(command, cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    def url(self, name: str, replica: bool = False) -> str:
        return f"postgis://basewatch@127.0.0.1:{self.replica_port if replica else self.port}/{name}"

    def connect(self, name: str, replica: bool = False) -> psycopg.Connection:
        port = self.replica_port if replica else self.port
        return psycopg.connect(f"postgresql://basewatch@127.0.0.1:{port}/{name}", autocommit=True, connect_timeout=3)

    def recreate(self, name: str) -> None:
        with self.connect("postgres") as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')

    def wait_replayed(self, name: str, timeout: float = 60.0) -> None:
        """Until the replica has replayed everything the primary had written when this was called."""
        with self.connect(name) as primary:
            written = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with self.connect(name, replica=True) as replica:
                    behind = replica.execute(
                        "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) > 0", [written]
                    ).fetchone()[0]
                if not behind:
                    return
            except psycopg.OperationalError:
                pass  # the database's creation not replayed yet
            time.sleep(0.05)
        raise TimeoutError(f"the replica on port {self.replica_port} did not catch up in {timeout} s")


def server(pair: Pair, name: str, port: int, workers: int = 2, **env: str):
    """basewatch under gunicorn (`workers` sync workers) on `pair`'s database `name`, anonymous reads
    from its replica."""
    environment = {
        **server_env(pair.url(name), settings="basewatch.settings"),
        "DATABASE_REPLICA_URL": pair.url(name, replica=True),
        "BASEWATCH_REPLICA_CHECK_SECONDS": "1",
        "BASEWATCH_REPLICA_RETRY_SECONDS": "2",
        "RESPONSE_CACHE_MB": "8",
        **env,
    }
    ready = "/api/v1/asset-types/"
    return serve(ROOT / ".venv", "basewatch.wsgi", port, environment, ready, workers=workers, timeout=60)


@dataclass
class Log:
    entries: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **entry) -> None:
        with self.lock:
            self.entries.append(entry)


def drive(base: str, token: str, until: float, log: Log, readers: int = 4) -> None:
    """`readers` anonymous readers of the asset types and one editor adding one every 0.1 s, until `until`."""

    def read() -> None:
        session = requests.Session()
        while time.time() < until:
            started = time.time()
            try:
                response = session.get(base + "/api/v1/asset-types/?page_size=1000", timeout=30)
                status = response.status_code
                slugs = {item["slug"] for item in response.json()["results"]} if status == 200 else set()
                etag = response.headers.get("ETag", "")
            except (requests.RequestException, ValueError):
                status, slugs, etag = 0, set(), ""
            log.add(kind="read", start=started, end=time.time(), status=status, slugs=slugs, etag=etag)
            time.sleep(0.01)

    def write() -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        n = 0
        while time.time() < until:
            slug = f"stress-{int(until)}-{n}"
            body = {"slug": slug, "name": f"Stress type {int(until)} {n}", "category": "other"}
            started = time.time()
            try:
                status = session.post(base + "/api/v1/asset-types/", json=body, timeout=30).status_code
            except requests.RequestException:
                status = 0
            log.add(kind="write", start=started, end=time.time(), status=status, slug=slug)
            n += 1
            time.sleep(0.1)

    threads = [threading.Thread(target=read) for _ in range(readers)] + [threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def editor_token(pair: Pair, name: str) -> str:
    """An editor's API key, its rows written straight into the primary."""
    import hashlib
    import secrets

    key = "bw_" + secrets.token_urlsafe(32)
    with pair.connect(name) as connection:
        user = connection.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined) VALUES ('!', false, %s, '', '', '', false, true, now()) RETURNING id",
            [f"editor-{secrets.token_hex(4)}"],
        ).fetchone()[0]
        connection.execute(
            "INSERT INTO auth_user_groups (user_id, group_id) SELECT %s, id FROM auth_group WHERE name = 'editor'",
            [user],
        )
        connection.execute(
            "INSERT INTO core_apitoken (user_id, name, key_prefix, key_hash, created)"
            " VALUES (%s, 'stress', %s, %s, now())",
            [user, key[:10], hashlib.sha256(key.encode()).hexdigest()],
        )
    return key


def run(pair: Pair | None = None, seconds: float = 12.0) -> dict:
    pair = pair or Pair()
    pair.db("replica", "start")
    pair.recreate(NAME)
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env={**pair.env, "DATABASE_URL": pair.url(NAME)},
        check=True,
    )
    token = editor_token(pair, NAME)
    pair.wait_replayed(NAME)
    figures = {}
    with server(pair, NAME, _free_port(), BASEWATCH_REPLICA_MAX_LAG=str(MAX_LAG)) as app:
        figures.update(_stopped(pair, app.base, token, seconds))
        pair.db("replica", "start")
        pair.wait_replayed(NAME)
        time.sleep(3)  # the server's retry wait: it reads from the replica again
        figures.update(_lagging(pair, app.base, token, seconds))
    with pair.connect(NAME) as connection:
        figures["asset types on the primary"] = connection.execute("SELECT count(*) FROM core_assettype").fetchone()[0]
    pair.db("replica", "stop")
    pair.db("stop")
    figures["ok"] = figures.pop("(a) ok") and figures.pop("(b) ok")
    return figures


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stopped(pair: Pair, base: str, token: str, seconds: float) -> dict:
    log = Log()
    until = time.time() + 2 * seconds
    load = threading.Thread(target=drive, args=(base, token, until, log))
    load.start()
    time.sleep(seconds)
    stopped = time.time()
    pair.db("replica", "kill")
    load.join()
    reads = [e for e in log.entries if e["kind"] == "read"]
    after = [e for e in reads if e["start"] >= stopped]
    failed = [e for e in after if e["status"] != 200]
    # The first moment from which every read answered: the fallback's time.
    last_failure = max((e["end"] for e in failed), default=stopped)
    answering = [e["end"] for e in after if e["status"] == 200 and e["end"] >= last_failure]
    fallback = (min(answering) - stopped) if answering else float("inf")
    acknowledged = {e["slug"] for e in log.entries if e["kind"] == "write" and e["status"] == 201}
    with pair.connect(NAME) as connection:
        stored = {row[0] for row in connection.execute("SELECT slug FROM core_assettype")}
    return {
        "(a) reads": len(reads),
        "(a) reads after the stop": len(after),
        "(a) failed reads after the stop": len(failed),
        "(a) fallback (s)": round(fallback, 2),
        "(a) slowest read after the stop (s)": round(max((e["end"] - e["start"] for e in after), default=0.0), 2),
        "(a) writes acknowledged": len(acknowledged),
        "(a) acknowledged writes missing": len(acknowledged - stored),
        "(a) ok": bool(after) and fallback <= FALLBACK_LIMIT and not acknowledged - stored and bool(acknowledged),
    }


def _lagging(pair: Pair, base: str, token: str, seconds: float) -> dict:
    log = Log()
    until = time.time() + 2 * seconds
    load = threading.Thread(target=drive, args=(base, token, until, log))
    load.start()
    time.sleep(seconds / 2)
    lags = []
    with pair.connect(NAME, replica=True) as replica:
        paused = time.time()
        replica.execute("SELECT pg_wal_replay_pause()")
        while time.time() < until - 1:
            lag = replica.execute(
                "SELECT extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
            ).fetchone()[0]
            lags.append((time.time(), float(lag)))
            time.sleep(0.25)
        replica.execute("SELECT pg_wal_replay_resume()")
    load.join()
    acknowledged = [e for e in log.entries if e["kind"] == "write" and e["status"] == 201]
    reads = [e for e in log.entries if e["kind"] == "read" and e["status"] == 200]
    # A read is fresh when it holds every write acknowledged a second before it started (the
    # primary's answer); stale when it lacks one (a paused replica's).
    fresh_reads = []
    for read in reads:
        wanted = {e["slug"] for e in acknowledged if e["end"] < read["start"] - 1.0}
        fresh_reads.append((read["start"], wanted <= read["slugs"]))
    stale_while_paused = [start for start, fresh in fresh_reads if start > paused and not fresh]
    # From when on were reads fresh again despite the pause: the router left the replica.
    last_stale = max(stale_while_paused, default=paused)
    fresh_after = [start for start, fresh in fresh_reads if start > last_stale and fresh]
    lag_at_switch = next((lag for at, lag in lags if at >= last_stale), None)
    errors = sum(1 for e in log.entries if e["kind"] == "read" and e["status"] != 200)
    return {
        "(b) max lag measured (s)": round(max((lag for _, lag in lags), default=0.0), 1),
        "(b) stale reads while paused": len(stale_while_paused),
        "(b) reads to the primary from (s after pause)": round(last_stale - paused, 2),
        "(b) lag then (s)": None if lag_at_switch is None else round(lag_at_switch, 1),
        "(b) fresh reads after": len(fresh_after),
        "(b) read errors": errors,
        "(b) ok": bool(stale_while_paused) and bool(fresh_after) and last_stale - paused <= LAG_LIMIT and errors == 0,
    }
