"""One observation per site, asset type, date and source: identical creates store one row.

Editors and tools retry, double-click and re-import; the same claim from the same source
must not be counted twice. Creating an observation first takes a transaction-scoped lock on
its (site, asset type, date), so of identical creates sent at once the first is stored and
the others, waiting on the lock, then find it.
"""

from __future__ import annotations

from django.db import connection


class DuplicateObservation(Exception):
    """The observation being created is already on file."""

    def __init__(self, existing):
        super().__init__(f"Observation {existing.pk} already records this.")
        self.existing = existing

    @property
    def message(self) -> str:
        return (
            f"Observation {self.existing.pk} already records {self.existing.asset_type} at {self.existing.site} "
            f"on {self.existing.observed} from the same source: edit that one instead."
        )


def refuse_duplicate_observation(observation, sources) -> None:
    """Raise DuplicateObservation if a live observation says the same from one of `sources`.

    Call inside the transaction that will create `observation` (unsaved): the lock is held
    until that transaction ends.
    """
    from basewatch.core.models import Observation

    key = f"observation:{observation.site_id}:{observation.asset_type_id}:{observation.observed}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
    existing = Observation.objects.same_claim(observation, sources).first()
    if existing is not None:
        raise DuplicateObservation(existing)
