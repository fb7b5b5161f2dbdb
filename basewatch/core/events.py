"""What changed in the public record, announced where it changes.

A claim enters the public record when it is published, changes in it when a published claim
is corrected, and leaves it when it is retracted; the one write path
(basewatch.core.claims.write_claim) announces each, whichever face made the change. Sites
are announced when saved, from any face (a model signal: sites have no write path of
their own). Announcements are made inside the writing transaction, so that what listens
(the webhooks' outbox, basewatch.webhooks) stores its work with the change or not at all.

Drafts, reviews and rejections are the team's business and are not announced.
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_save
from django.dispatch import Signal

from basewatch.core.workflow import State


class Event(models.TextChoices):
    OBSERVATION_PUBLISHED = "observation.published", "Observation published"
    OBSERVATION_UPDATED = "observation.updated", "Published observation corrected"
    OBSERVATION_RETRACTED = "observation.retracted", "Observation retracted"
    MOVEMENT_PUBLISHED = "movement.published", "Movement published"
    MOVEMENT_UPDATED = "movement.updated", "Published movement corrected"
    MOVEMENT_RETRACTED = "movement.retracted", "Movement retracted"
    SITE_CREATED = "site.created", "Site added"
    SITE_UPDATED = "site.updated", "Site changed"


# Sent with `event` (an Event) and `instance` (the claim or site as stored).
announced = Signal()


def announce(event: Event, instance: models.Model) -> None:
    announced.send(sender=type(instance), event=Event(event), instance=instance)


def claim_event(kind: str, before: str | None, after: str, content_changed: bool) -> Event | None:
    """The public change, if any, of a claim of `kind` ("observation", "movement") moving from
    state `before` (None: new) to `after`."""
    if after == State.PUBLISHED and before != State.PUBLISHED:
        return Event(f"{kind}.published")
    if after == State.PUBLISHED and content_changed:
        return Event(f"{kind}.updated")
    if before == State.PUBLISHED and after == State.RETRACTED:
        return Event(f"{kind}.retracted")
    return None


def announce_claim(claim, before: str | None, content_changed: bool) -> None:
    event = claim_event(claim._meta.model_name, before, claim.state, content_changed)
    if event is not None:
        announce(event, claim)


def _site_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw:  # loaddata replays rows; it changes nothing anyone subscribed to
        announce(Event.SITE_CREATED if created else Event.SITE_UPDATED, instance)


def connect() -> None:
    from basewatch.core.models import Site

    post_save.connect(_site_saved, sender=Site, dispatch_uid="basewatch.core.events.site_saved")
