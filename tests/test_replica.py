"""A real streaming replica behind basewatch (core.replica): who reads where, ETags, the replica stopped.

On gunicorn, against a PostgreSQL pair of its own (stress.replica.Pair: scripts/db.sh's
primary on port 26401 and its replica on 26402, streaming): the subject is where a server's
requests read, across processes and two PostgreSQL servers, which only a real pair shows.
The pair's database is a copy of the test database's schema (pg_dump, only when its
migrations differ), so nothing is migrated twice.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid

import psycopg
import pytest
import requests
from django.contrib.auth.models import AnonymousUser

from basewatch.core import replica
from basewatch.core.models import AssetType
from basewatch.core.replica import ReplicaRouter
from stress.replica import Pair, editor_token, server
from tests.conftest import database_url, free_port
from tests.factories import make_user

# The test database is only the pair's source of schema (django_db: pytest-django creates it).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("replica")]  # one pair of fixed ports

NAME = "basewatch_replica_test"
PGBIN = "/usr/lib/postgresql/15/bin"  # as scripts/db.sh
TYPES = "/api/v1/asset-types/?page_size=1000"


def _migrations(connection) -> list[str]:
    try:
        return [row[0] for row in connection.execute("SELECT app || '.' || name FROM django_migrations ORDER BY 1")]
    except psycopg.errors.UndefinedTable:  # a new database
        return []


@pytest.fixture(scope="module")
def pair(django_db_setup):
    pair = Pair()
    try:  # a pair that failed to start is stopped too, not left holding its ports
        pair.db("replica", "start")
        source = database_url().replace("postgis://", "postgresql://")
        with pair.connect("postgres") as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [NAME]).fetchone()
        with psycopg.connect(source) as test_database:
            wanted = _migrations(test_database)
        if not exists or _migrations(pair.connect(NAME)) != wanted:
            pair.recreate(NAME)
            dump = [f"{PGBIN}/pg_dump", "--format=custom", "--no-owner", source]
            restore = [
                f"{PGBIN}/pg_restore",
                "--no-owner",
                "--exit-on-error",
                "-d",
                pair.url(NAME).replace("postgis", "postgresql"),
            ]
            schema = subprocess.run(dump, check=True, capture_output=True).stdout  # noqa: S603
            subprocess.run(restore, input=schema, check=True)  # noqa: S603
        pair.wait_replayed(NAME)
        yield pair
    finally:
        pair.db("replica", "stop")
        pair.db("stop")


@pytest.fixture(scope="module")
def app(pair):
    # A lag limit no test reaches: while replay is paused the replica must still serve. One worker,
    # whose last verdict on the replica ("usable") holds for ten minutes: a replica that stops is
    # then found by the request that reads from it, not by a check.
    env = {"BASEWATCH_REPLICA_MAX_LAG": "600", "BASEWATCH_REPLICA_CHECK_SECONDS": "600"}
    with server(pair, NAME, free_port(), workers=1, **env) as running:
        yield running


@pytest.fixture(scope="module")
def token(pair):
    key = editor_token(pair, NAME)
    pair.wait_replayed(NAME)
    return key


def version_of(response) -> int:
    return int(re.match(r'^"d(\d+)\.', response.headers["ETag"]).group(1))


def data_version(pair: Pair, replica: bool) -> int:
    with pair.connect(NAME, replica=replica) as connection:
        return connection.execute("SELECT coalesce(max(version), 0) FROM core_dataversion").fetchone()[0]


def replica_backends_reading(pair: Pair, table: str) -> int:
    """Sessions on the replica whose last statement read `table` (gunicorn keeps its connections)."""
    with pair.connect(NAME, replica=True) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() AND query LIKE %s",
            [NAME, f"%{table}%"],
        ).fetchone()[0]


def add_type(app, token: str) -> str:
    slug = f"replica-{uuid.uuid4().hex[:10]}"
    body = {"slug": slug, "name": f"Replica test {slug}", "category": "other"}
    response = requests.post(
        app.base + "/api/v1/asset-types/", json=body, headers={"Authorization": f"Token {token}"}, timeout=30
    )
    assert response.status_code == 201, response.text
    return slug


def slugs(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["slug"] for item in response.json()["results"]}


def test_who_reads_where(rf):
    editor = make_user("editor")
    router = ReplicaRouter()
    anonymous = rf.get("/api/v1/asset-types/")
    anonymous.user = AnonymousUser()
    assert replica.may_read_from_replica(anonymous)
    assert replica.may_read_from_replica(rf.head("/"))
    logged_in = rf.get("/api/v1/asset-types/")
    logged_in.user = editor
    assert not replica.may_read_from_replica(logged_in)
    assert not replica.may_read_from_replica(rf.get("/", HTTP_AUTHORIZATION="Token bw_x"))
    assert not replica.may_read_from_replica(rf.post("/api/v1/asset-types/"))
    # Outside a request (jobs, commands, this test) everything is on the primary.
    assert router.db_for_read(AssetType) == "default"
    assert router.db_for_write(AssetType) == "default"
    assert router.allow_migrate("default", "core") and not router.allow_migrate("replica", "core")


def test_anonymous_reads_come_from_the_replica_and_editors_read_their_writes(pair, app, token):
    with pair.connect(NAME, replica=True) as replica:
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            slug = add_type(app, token)
            # The editor reads the primary at once: what they just saved, labelled with its version.
            mine = requests.get(app.base + TYPES, headers={"Authorization": f"Token {token}"}, timeout=30)
            assert slug in slugs(mine)
            assert version_of(mine) == data_version(pair, replica=False)
            # Anyone else reads the paused replica: not yet the new type, and an ETag naming the
            # replica's data version, never the primary's newer one.
            theirs = requests.get(app.base + TYPES, timeout=30)
            assert slug not in slugs(theirs)
            assert version_of(theirs) == data_version(pair, replica=True) < version_of(mine)
            assert theirs.headers["Cache-Control"].startswith("public")
            assert replica_backends_reading(pair, "core_assettype") >= 1
            # Posture SQL of basewatch's own (api.pg_json) reads there too. (pg_stat_activity keeps
            # a statement's first 1,024 bytes: the statement's start is what names it.)
            assert requests.get(app.base + "/api/v1/site-totals/", timeout=30).status_code == 200
            assert replica_backends_reading(pair, "SELECT coalesce(json_agg(json_build_object('site'") >= 1
            # A conditional GET with the editor's ETag is not "not modified" for the replica's reader.
            revalidated = requests.get(app.base + TYPES, headers={"If-None-Match": mine.headers["ETag"]}, timeout=30)
            assert revalidated.status_code == 200
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")
    pair.wait_replayed(NAME)
    caught_up = requests.get(app.base + TYPES, timeout=30)
    assert slug in slugs(caught_up)
    assert version_of(caught_up) == version_of(mine)


def test_reads_fall_back_to_the_primary_when_the_replica_stops(pair, app, token):
    assert requests.get(app.base + TYPES, timeout=30).status_code == 200  # the replica serving
    pair.db("replica", "kill")
    try:
        slug = add_type(app, token)
        started = time.monotonic()
        answers = [requests.get(app.base + TYPES, timeout=30) for _ in range(6)]
        took = time.monotonic() - started
        # Every answer is whole and current (the primary's), the first included: the request that
        # found the replica gone was answered again from the primary.
        assert all(slug in slugs(answer) for answer in answers)
        assert {version_of(answer) for answer in answers} == {data_version(pair, replica=False)}
        assert took < 5
    finally:
        pair.db("replica", "start")
    pair.wait_replayed(NAME)
    time.sleep(2.5)  # BASEWATCH_REPLICA_RETRY_SECONDS: the server asks the replica again
    # Back on the replica: the data version is read there (the body may then come from a worker's
    # response cache, kept under that version).
    assert replica_backends_reading(pair, "core_dataversion") == 0  # a replica started afresh
    assert slug in slugs(requests.get(app.base + TYPES, timeout=30))
    assert replica_backends_reading(pair, "core_dataversion") >= 1
