"""Versions: an item changes only if it is unchanged since the writer read it.

Every tracked item (site, source, asset type, asset, observation, movement) carries a
`version` that every change raises by one: save() raises it, and a database trigger
raises it on any UPDATE (QuerySet.update, raw SQL), so no change goes unnoticed.
A writer names the version it read (the hidden field of a form, If-Match or `version`
in the API, the admin's page); the stored row is locked and compared before the write,
so of two writers holding the same version exactly one succeeds and the other is told,
with nothing changed. The forms, the API, the admin and basewatch.core.claims all go
through `locked_if_current`.
"""

from __future__ import annotations

import pgtrigger
from django.db import models, transaction


class VersionRequired(Exception):
    """A change to a stored item did not say which version it was based on."""


class StaleVersion(Exception):
    """Someone else changed the item since the writer read it; nothing was written."""

    def __init__(self, read: int, current):
        super().__init__(f"You sent version {read}; the current version is {current.version}.")
        self.read = read
        self.current = current


class VersionedModel(models.Model):
    # db_default too: rows written by SQL (the benchmark's world) start at 1 as well.
    version = models.PositiveIntegerField(
        default=1, db_default=1, editable=False, help_text="Raised by one on every change."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # The trigger sets the same number in the database; this keeps the instance equal to it.
        if not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)


def version_trigger() -> pgtrigger.Trigger:
    """Raise `version` on every UPDATE, whoever writes (registered on each versioned model)."""
    return pgtrigger.Trigger(
        name="raise_version",
        level=pgtrigger.Row,
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        func="NEW.version := OLD.version + 1; RETURN NEW;",
    )


def parse_version(value) -> int | None:
    """A version as a client sent it (a number or digits); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        return int(value) or None
    return None


def locked_if_current(item: models.Model, read_version: int | None):
    """Lock the stored row of `item` and return it, if it is still at `read_version`.

    Raises VersionRequired when no version was given and StaleVersion when the row
    moved on. Call inside the transaction that writes: the lock is held until it ends.
    """
    if read_version is None:
        raise VersionRequired
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked_if_current() must run inside the writing transaction")
    stored = type(item)._default_manager.select_for_update().get(pk=item.pk)
    if stored.version != read_version:
        raise StaleVersion(read_version, stored)
    return stored


def save_if_current(item: models.Model, read_version: int | None, save=None):
    """Save `item` if its stored row is still at `read_version`, in one transaction; the saved item.

    `save` (a form's or serializer's save()) replaces item.save() where the face has more to save.
    """
    with transaction.atomic():
        if item.pk is not None:
            locked_if_current(item, read_version)
            # The row is as the writer read it, so `item` (read then, changed since) is
            # the stored row plus the writer's changes; it carries the same version.
            item.version = read_version
        if save is not None:
            return save()
        item.save()
        return item
