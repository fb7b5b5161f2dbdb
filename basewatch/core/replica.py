"""Reads from a streaming replica: which requests may, and whether the replica may serve them now.

With DATABASE_REPLICA_URL set (README, "Production"), a PostgreSQL replica replays the
primary's WAL a moment after each commit. Anonymous GET and HEAD requests (most of the
traffic: researchers, notebooks, the public map) read from it; everything else uses the
primary: every write, and every read by a logged-in user or a client sending a token, so
an editor sees what they just saved (read-your-writes). Background jobs, management
commands and migrations run outside any request and so always on the primary.

The choice is made once, when a request starts (ReplicaMiddleware), and holds for all of it,
a streamed body included: the data version behind the ETag and the response cache
(core.models.DataVersion) is then read from the same server as the data it labels, so an
answer from a lagging replica is never labelled with the primary's newer version, nor the
other way round. Each process remembers how the replica is doing:

- its lag (seconds of received WAL not yet replayed), checked at most every
  REPLICA_CHECK_SECONDS, not per query; past REPLICA_MAX_LAG reads go to the primary until a
  check finds it caught up;
- a replica that fails to connect or answer is left alone for REPLICA_RETRY_SECONDS, so no
  request waits for its timeout meanwhile; the request that found it failing is answered
  again from the primary (a GET changes nothing, so running it twice is safe).

Writes never go to the replica, so nothing is lost when it stops.
"""

from __future__ import annotations

import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

REPLICA = "replica"

# The alias a request's reads go to; outside a request (jobs, commands, tests' own queries) the primary.
_reads_from: ContextVar[str] = ContextVar("basewatch_reads_from", default=DEFAULT_DB_ALIAS)

# Tables every request may write, and read back at once: always the primary.
_PRIMARY_APPS = {"sessions", "procrastinate"}
_PRIMARY_MODELS = {"loginfailure", "apitoken"}

# The replica's lag in seconds: nothing when every WAL record it received is replayed; else the
# age of the last transaction it replayed. No WAL receiver (the primary unreachable, or the
# replica not streaming) is no lag figure at all: the replica cannot know how far behind it is.
# Not in recovery: the alias names a primary (a test database's mirror), which lags nothing.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN NULL
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())
END
"""


@dataclass
class Health:
    """What this process knows of the replica; `until` is when to ask again (time.monotonic())."""

    usable: bool = False
    until: float = 0.0
    lag: float | None = None
    checking: bool = False


_health = Health()
_lock = threading.Lock()


def configured() -> bool:
    return REPLICA in settings.DATABASES


def may_read_from_replica(request) -> bool:
    """Anonymous GET/HEAD without a token: the same answer for everyone, so a moment's lag harms no one."""
    if request.method not in ("GET", "HEAD") or "Authorization" in request.headers:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def replica_usable() -> bool:
    """Whether the replica may serve reads now: reachable, and no further behind than REPLICA_MAX_LAG.

    One thread of the process checks when the last verdict has expired; the others keep the
    last verdict meanwhile instead of queueing behind it.
    """
    with _lock:
        if time.monotonic() < _health.until or _health.checking:
            return _health.usable
        _health.checking = True
    lag, wait = None, settings.REPLICA_RETRY_SECONDS
    try:
        lag = measure_lag()
        wait = settings.REPLICA_CHECK_SECONDS  # it answered: ask again soon, caught up or not
    except DatabaseError:
        connections[REPLICA].close()
    finally:
        with _lock:
            _health.checking = False
            _health.lag = lag
            _health.usable = lag is not None and lag <= settings.REPLICA_MAX_LAG
            _health.until = time.monotonic() + wait
    return _health.usable


def measure_lag() -> float | None:
    """The replica's lag in seconds (LAG_SQL) through this thread's connection to it; None when unknown."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        lag = cursor.fetchone()[0]
    return None if lag is None else max(0.0, float(lag))


def mark_down() -> None:
    """The replica failed a request: leave it alone for REPLICA_RETRY_SECONDS."""
    connections[REPLICA].close()
    with _lock:
        _health.usable = False
        _health.until = time.monotonic() + settings.REPLICA_RETRY_SECONDS


def reads_from() -> str:
    """The alias this request's reads go to."""
    return _reads_from.get()


def begin(request) -> str:
    """Choose, for the whole of `request`, where its reads go; the alias chosen."""
    # A request handled inside a transaction on the primary (a test's, rolled back after it) reads
    # what that transaction wrote: there, as the router does for reads inside a transaction.
    replica = configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    alias = REPLICA if replica and may_read_from_replica(request) and replica_usable() else DEFAULT_DB_ALIAS
    _reads_from.set(alias)
    return alias


def use_primary() -> None:
    """Read the rest of this request from the primary (before its data version is read)."""
    _reads_from.set(DEFAULT_DB_ALIAS)


def _request_finished(**kwargs) -> None:
    # Sent when the response is closed, after a streamed body has been sent: the reads of a
    # streamed body stay on the request's server, and nothing after the request inherits it.
    _reads_from.set(DEFAULT_DB_ALIAS)


request_finished.connect(_request_finished, dispatch_uid="basewatch.core.replica")


class ReplicaMiddleware:
    """Chooses each request's server (`begin`); a replica failing mid-request is answered from the primary.

    After AuthenticationMiddleware (it asks whether the user is logged in; the session and user
    are read from the primary, where they were written).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        begin(request)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        request.replica_view = (view, args, kwargs)

    def process_exception(self, request, exception):
        if reads_from() != REPLICA or not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        mark_down()
        use_primary()
        if not hasattr(request, "replica_view"):
            return None  # failed before its view was chosen: a 503, and the next request reads the primary
        view, args, kwargs = request.replica_view
        return view(request, *args, **kwargs)


class ReplicaRouter:
    """Django's database router: reads where the request chose (`begin`), writes and migrations on the primary."""

    def db_for_read(self, model, **hints):
        alias = _reads_from.get()
        if alias == DEFAULT_DB_ALIAS:
            return DEFAULT_DB_ALIAS
        meta = model._meta
        if meta.app_label in _PRIMARY_APPS or meta.model_name in _PRIMARY_MODELS:
            return DEFAULT_DB_ALIAS
        # What a transaction on the primary reads it may write from: it reads there.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
