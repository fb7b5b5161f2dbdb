"""One observation per site, asset type, date and source: identical writes store one row.

Editors and tools retry, double-click and re-import; the same claim from the same source
must not be counted twice. Writing an observation first takes a transaction-scoped lock on
its (site, asset type, date), so of identical writes sent at once the first is stored and
the others, waiting on the lock, then find it. basewatch.core.claims calls both steps.
"""

from __future__ import annotations

from django.db import connection


class DuplicateObservation(Exception):
    """The observation being written is already on file."""

    def __init__(self, existing):
        super().__init__(f"Observation {existing.pk} already records this.")
        self.existing = existing

    @property
    def message(self) -> str:
        return (
            f"Observation {self.existing.pk} already records {self.existing.asset_type} at {self.existing.site} "
            f"on {self.existing.observed} from the same source: edit that one instead."
        )


def lock_same_claims(observation) -> None:
    """Wait for, then hold until the transaction ends, the lock of the observation's site, type and date."""
    key = f"observation:{observation.site_id}:{observation.asset_type_id}:{observation.observed}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def refuse_duplicate_observation(observation, sources) -> None:
    """Raise DuplicateObservation if another live observation says the same from one of `sources`.

    Call after lock_same_claims(), in the same transaction.
    """
    from basewatch.core.models import Observation

    existing = Observation.objects.same_claim(observation, sources).first()
    if existing is not None:
        raise DuplicateObservation(existing)
