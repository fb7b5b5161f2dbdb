"""Change tracking: the data version that conditional GETs read, and the version of every item."""

from __future__ import annotations

import datetime as dt

import pgtrigger
from django.contrib.gis.db import models
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
    queue on the row; editorial writes are few.
    """

    version = models.BigIntegerField(default=0)
    changed = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="dataversion_single_row")]

    def __str__(self) -> str:
        return f"data version {self.version}"

    @classmethod
    def current(cls) -> tuple[int, dt.datetime | None]:
        """The version and the time of the last write; (0, None) before the first write (or after a test flush)."""
        return cls.objects.filter(pk=1).values_list("version", "changed").first() or (0, None)


def _bump_data_version() -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="bump_data_version",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        func=(
            "INSERT INTO core_dataversion (id, version, changed) VALUES (1, 1, now()) "
            "ON CONFLICT (id) DO UPDATE SET version = core_dataversion.version + 1, changed = now(); "
            "RETURN NULL;"
        ),
    )


# Captures too: the API shows them with their source, and the worker changes them.
for _served in (Site, AssetType, Asset, Source, Capture, Observation, Movement, ObservationSource, MovementSource):
    pgtrigger.register(_bump_data_version())(_served)

for _versioned in (Site, AssetType, Asset, Source, Observation, Movement):
    pgtrigger.register(version_trigger())(_versioned)
