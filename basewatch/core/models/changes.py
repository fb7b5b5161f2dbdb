"""Change tracking: the data version that conditional GETs read, and the version of every item."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pgtrigger
from django.contrib.gis.db import models
from django.db import connection, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from basewatch.core.models.captures import Capture
from basewatch.core.models.catalogue import Asset, AssetType, Site, Source
from basewatch.core.models.claims import Movement, MovementSource, Observation, ObservationSource
from basewatch.core.versions import version_trigger


class DataVersion(models.Model):
    """A counter of changes to everything the API serves, for cheap conditional GETs.

    A statement-level trigger on each of those tables bumps the one row (creating it
    if missing), in the writing transaction, so a reader never sees a version newer
    than the data it reads after it. API answers put the version in their ETag: a
    client's If-None-Match is answered 304 without reading anything else. Writers
    queue on the row until they commit; editorial writes are few and quick, and a long
    writer (an import) raises the version once, at its end (`raised_once`).
    """

    version = models.BigIntegerField(default=0)
    changed = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="dataversion_single_row")]

    def __str__(self) -> str:
        return f"data version {self.version}"

    @classmethod
    def current(cls) -> tuple[int, dt.datetime | None]:
        """The version and the time of the last write; (0, None) before the first write (or after a test flush).

        Read from the server the router reads the data from, so the version describes them. Every
        API read asks for it first: written as its one statement, it costs a third of the ORM query."""
        with connections[router.db_for_read(cls)].cursor() as cursor:
            cursor.execute("SELECT version, changed FROM core_dataversion WHERE id = 1")
            return cursor.fetchone() or (0, None)


# Raises the data version (creating its row if missing): the triggers' statement, and raised_once's.
_RAISE = (
    "INSERT INTO core_dataversion (id, version, changed) VALUES (1, 1, now()) "
    "ON CONFLICT (id) DO UPDATE SET version = core_dataversion.version + 1, changed = now()"
)
# While 'on' (for the rest of a transaction, set by raised_once) the triggers leave the row alone.
_DEFERRED = "basewatch.data_version_deferred"


@contextlib.contextmanager
def raised_once() -> Iterator[None]:
    """Writes inside raise the data version once, when the block ends, instead of at every statement.

    The version's row is locked from the first raise until the transaction commits, and every
    other writer waits for it: a transaction that writes for minutes (an import of thousands
    of rows, or its dry run) would stop every editor meanwhile. Inside this block the triggers
    skip the row; leaving it raises the version once, so the lock is held only from there to
    the commit, and readers still never see data newer than the version. A block that raises
    is rolled back (a savepoint), and raises nothing: nothing it wrote is kept.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [_DEFERRED])
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [_DEFERRED])
            cursor.execute(_RAISE)


def _bump_data_version() -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="bump_data_version",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        func=f"IF current_setting('{_DEFERRED}', true) = 'on' THEN RETURN NULL; END IF; {_RAISE}; RETURN NULL;",
    )


# Captures too: the API shows them with their source, and the worker changes them.
for _served in (Site, AssetType, Asset, Source, Capture, Observation, Movement, ObservationSource, MovementSource):
    pgtrigger.register(_bump_data_version())(_served)

for _versioned in (Site, AssetType, Asset, Source, Observation, Movement):
    pgtrigger.register(version_trigger())(_versioned)
