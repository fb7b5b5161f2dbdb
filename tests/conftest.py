"""Fixtures shared by the whole suite: the demo data, an API client, gunicorn with production settings.

How the suite stays fast (STYLE.md, "Tests"):

- **In-process requests.** `api` sends its requests through Django's test client: the whole
  WSGI handler, middleware and URL stack, inside the test's transaction, which is rolled back
  afterwards. Only tests whose subject is the server itself use a live server or gunicorn
  (headers and error pages, schemathesis, throttling across workers, concurrent writers, the
  browser); each says why in its docstring, and they are the only transactional tests left.
- **The demo data, loaded once.** `load_demo` runs once per test database (once per xdist
  worker), inside a transaction that is rolled back after the rows it wrote have been copied
  out (`demo_snapshot`). The `demo` fixture then puts those rows back with `COPY ... FROM
  STDIN`, triggers off (`session_replication_role = replica`, so the copied history, data
  version and site totals are taken as they were, not recomputed): a few milliseconds instead
  of running the loader. A non-transactional test does that inside its own transaction, which
  is rolled back, so the next test starts empty again; a transactional one commits it, and the
  flush after the test removes it. Either way a test that does not ask for `demo` sees an
  empty database, as the tests that count rows expect. (A savepoint around a group of demo
  tests was the other way; it was not taken because it needs the tests reordered and gives
  every test in the group the same `now()`, and so the same data-version ETags, in a
  response cache that outlives the transaction.)
- **xdist.** `make test` runs `pytest -n 2 --dist loadgroup`: pytest-django gives each worker
  a test database of its own (`test_…_gw0`, `test_…_gw1`), so each loads the demo once; the
  tests that use gunicorn share a worker (group "gunicorn": one server, one collectstatic) and
  so do the browser tests (group "browser": one Chromium). xdist starts the two groups first
  (largest work units first), so the long schemathesis runs overlap the rest of the suite.
  On those two workers rolled-back tests then run after committed ones, which Django's own
  order avoids; here that is safe: the flush after a committed test is followed by
  post_migrate (groups, content types), and no migration inserts rows of its own.
"""

from __future__ import annotations

import hashlib
import io
import json as jsonlib
import secrets
import socket
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.client import ClientHandler
from django.test.signals import setting_changed

from bench.server import ROOT, collect_static, serve, server_env
from tests.servers import Hanging, Receiver


def pytest_configure() -> None:
    # Live-server threads would otherwise keep their connections open, and the
    # test database could not be dropped at the end of the run.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Test users need no slow, strong password hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def one_middleware_chain_per_process():
    """Test clients share one loaded middleware chain, as the requests of a server process do.

    Every Client() loads the middleware again for its first request, and WhiteNoise's reads the
    whole of STATIC_ROOT when it is made (with DEBUG off, as in production): some 1,300 files,
    0.2 s for each client, most of the time of the permission matrix and the editor tests. The
    chain is built once per process and built again after any setting changes (override_settings,
    the `settings` fixture), so a test that changes one still gets middleware that reads it.
    """
    chains = {}
    load_middleware = ClientHandler.load_middleware
    names = ("_view_middleware", "_template_response_middleware", "_exception_middleware", "_middleware_chain")

    def shared(handler, is_async=False):
        if is_async not in chains:
            load_middleware(handler, is_async)
            chains[is_async] = [getattr(handler, name) for name in names]
        for name, value in zip(names, chains[is_async], strict=True):
            setattr(handler, name, value)

    def forget(**kwargs):
        chains.clear()

    ClientHandler.load_middleware = shared
    setting_changed.connect(forget, dispatch_uid="one_middleware_chain_per_process")
    yield
    setting_changed.disconnect(dispatch_uid="one_middleware_chain_per_process")
    ClientHandler.load_middleware = load_middleware


# --- the demo data -----------------------------------------------------------------------

TABLES_SQL = """
    SELECT quote_ident(table_name) FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""
SEQUENCES_SQL = """
    SELECT quote_ident(table_name), quote_ident(column_name),
           pg_get_serial_sequence(quote_ident(table_name), column_name)
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = ANY(%s)
      AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL
"""


EMPTY = hashlib.md5(b"").hexdigest()  # noqa: S324 (a fingerprint, not security)


def _contents(cursor, tables: list[str]) -> dict[str, str]:
    """Each table's content as one hash (a row-order-independent fingerprint)."""
    parts = [f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {t} t)" for t in tables]  # noqa: S608 (names from the catalogue)
    cursor.execute("SELECT " + ", ".join(parts))
    return dict(zip(tables, cursor.fetchone(), strict=True))


class DemoSnapshot:
    """The rows `load_demo` writes into an empty database, table by table, as COPY data."""

    def __init__(self, tables: dict[str, bytes], sequences: list[tuple[str, int]]):
        self.tables = tables
        self.sequences = sequences  # (sequence, the highest value the copied rows hold)

    @classmethod
    def take(cls) -> DemoSnapshot:
        """Run the loader in a transaction, copy out what it wrote, and roll it back."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(TABLES_SQL)
            tables = [row[0] for row in cursor.fetchall()]
            before = _contents(cursor, tables)
            call_command("load_demo", stdout=io.StringIO())
            after = _contents(cursor, tables)
            written = [table for table in tables if after[table] != before[table]]
            changed = [table for table in written if before[table] != EMPTY]
            if changed:  # rows it changed, not added to an empty table, cannot be copied back as they are
                raise RuntimeError(f"load_demo changed tables that were not empty: {changed}")
            data = {}
            for table in written:
                with cursor.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                    data[table] = b"".join(bytes(chunk) for chunk in copy)
            cursor.execute(SEQUENCES_SQL, [written])
            sequences = []
            for table, column, sequence in cursor.fetchall():
                cursor.execute(f"SELECT max({column}) FROM {table}")  # noqa: S608 (names from the catalogue)
                sequences.append((sequence, cursor.fetchone()[0]))
            transaction.set_rollback(True)
        return cls(data, sequences)

    def restore(self) -> None:
        """Copy the rows back, as the loader left them (history, data version and totals included)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {' OR '.join(f'EXISTS (SELECT FROM {t})' for t in self.tables)}")  # noqa: S608
            if cursor.fetchone()[0]:
                raise RuntimeError("the demo fixture needs an empty database: ask for it before making rows")
            # Triggers off: the copied rows already hold what the triggers wrote (history,
            # data version, site totals), and their foreign keys point into the copy.
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, data in self.tables.items():
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(data)
            cursor.execute("SET LOCAL session_replication_role = origin")
            # Sequences are not rolled back, so they are already past the copied ids, unless
            # something reset them since.
            last = "(SELECT last_value FROM {})"
            setvals = ", ".join(f"setval(%s, greatest(%s, {last.format(name)}))" for name, _ in self.sequences)
            cursor.execute(f"SELECT {setvals}", [value for pair in self.sequences for value in pair])


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker) -> DemoSnapshot:
    """The demo data as `load_demo` writes it, loaded once per test database."""
    with django_db_blocker.unblock():
        return DemoSnapshot.take()


@pytest.fixture
def demo(db, demo_snapshot):
    """The demo data set (core.demo) as its management command loads it, in an otherwise empty database."""
    demo_snapshot.restore()


# --- the test database at the end ----------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def no_sessions_left_on_the_test_database(django_db_setup, django_db_blocker):
    """Set up before any server the tests start, so torn down after them and before
    pytest-django drops the test database: waits up to five seconds for the other sessions on
    it to end, then ends them. A stopped server (the live server's threads, gunicorn's workers)
    closes its connections a moment later, and the drop, run first, failed with "being
    accessed by other users": a warning, and the database left behind."""
    yield
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for _ in range(50):
            cursor.execute(f"SELECT count(*) {others}")
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.1)
        cursor.execute(f"SELECT pg_terminate_backend(pid) {others}")


# --- gunicorn ----------------------------------------------------------------------------


def database_url() -> str:
    """The URL of the database the tests use (pytest-django's test database once set up)."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgis://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def production_server(django_db_setup):
    """basewatch under gunicorn (two workers) with DEBUG=0 behind a TLS proxy, on the test database.

    Requests say they came over HTTPS with `X-Forwarded-Proto: https` (PROXY_HTTPS).
    """
    env = {
        **server_env(database_url(), settings="tests.production_settings"),
        "BEHIND_TLS_PROXY": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "RESPONSE_CACHE_MB": "64",  # as deployed
    }
    collect_static(env)
    with serve(ROOT / ".venv", "basewatch.wsgi", free_port(), env, "/api/v1/asset-types/", workers=2) as server:
        yield server


PROXY_HTTPS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.hookimpl(tryfirst=True)  # before xdist's, which reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that share a session-wide server run on one xdist worker (`--dist loadgroup`):
    one gunicorn (and one collectstatic) for all that use it, one Chromium for the browser."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "production_server" in fixtures:
            item.add_marker(pytest.mark.xdist_group("gunicorn"))
        elif "browser" in fixtures:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.hookimpl(trylast=True)  # after xdist's, which names each grouped test's group in its node id
def pytest_collection_finish(session: pytest.Session) -> None:
    """Stop at once if the groups did not take: pytest-xdist 3.8 writes the group into the node id
    through an attribute pytest 9.2 no longer reads, and the groups then split silently across
    workers (two gunicorns collecting static files into one folder at once). Hence pytest 9.1."""
    if not session.config.getoption("loadgroup", default=False):
        return
    for item in session.items:
        group = item.get_closest_marker("xdist_group")
        if group is not None and not item.nodeid.endswith("@" + group.args[0]):
            raise pytest.UsageError(f"pytest-xdist did not group {item.nodeid}: see tests/conftest.py")


# --- the API -----------------------------------------------------------------------------


class ApiResponse:
    """An answer with the parts of requests.Response the tests read; a streamed body is joined."""

    def __init__(self, response):
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers  # case-insensitive, like requests'
        self.content = b"".join(response.streaming_content) if response.streaming else response.content
        self.ok = self.status_code < 400

    @property
    def text(self) -> str:
        return self.content.decode(self.response.charset or "utf-8", errors="replace")

    def json(self):
        return jsonlib.loads(self.content)


class Api:
    """A tiny client for /api/v1/; `token=` signs a request.

    It goes through Django's test client: the WSGI handler with every middleware, the URL
    resolver and the views, in the test's own transaction (no server, no commit). CSRF is
    enforced as for any other HTTP client. `path` is relative to /api/v1/, or an absolute
    URL as found in a `next` link.
    """

    base = "http://testserver/api/v1/"

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)

    def request(
        self,
        method: str,
        path: str,
        token: str | None = None,
        params: dict | None = None,
        json=None,
        data: str | bytes | None = None,
        headers: dict | None = None,
    ) -> ApiResponse:
        url = path if path.startswith("http") else self.base + path
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params, doseq=True)
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Token {token}"
        content_type = headers.pop("Content-Type", "application/octet-stream")
        if json is not None:
            # As requests sends it: NaN and Infinity are not JSON.
            data, content_type = jsonlib.dumps(json, allow_nan=False), "application/json"
        body = {"data": data, "content_type": content_type} if data is not None else {}
        return ApiResponse(self.client.generic(method, url, headers=headers, **body))

    def get(self, path: str, **kwargs) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> ApiResponse:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> ApiResponse:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs) -> ApiResponse:
        return self.request("PUT", path, **kwargs)


@pytest.fixture
def api(db) -> Api:
    return Api()


# --- local servers for outgoing requests (webhooks, archiving) --------------------------


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def allow_local(settings):
    settings.OUTGOING_ALLOWED_HOSTS = ["127.0.0.1", "receiver.test"]
    return settings


@pytest.fixture
def hanging():
    servers = []

    def start(drip: bool = False) -> Hanging:
        servers.append(Hanging(drip))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
