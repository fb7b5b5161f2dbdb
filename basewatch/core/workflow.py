"""Editorial workflow shared by observations and movements.

An editor enters a claim as a draft and submits it; a reviewer other than the
author publishes or rejects it (settings.EDITORS_MAY_PUBLISH lets editors
publish their own). Published claims are the public record: only someone who
may publish them may change them, and they are withdrawn by retraction, with
a reason, never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from basewatch.core.roles import can_edit, can_review


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    RETRACTED = "retracted", "Retracted"


REVIEW_OUTCOMES = {State.PUBLISHED, State.REJECTED, State.RETRACTED}
# Only submitted work is rejected; anything not yet retracted can be retracted.
REJECTABLE = (State.SUBMITTED,)
RETRACTABLE = (State.DRAFT, State.SUBMITTED, State.PUBLISHED, State.REJECTED)


def may_publish(user, author_id: int | None) -> bool:
    """A reviewer who is not the author, or any editor where the team allows it."""
    if can_review(user) and user.pk != author_id:
        return True
    return settings.EDITORS_MAY_PUBLISH and can_edit(user)


def may_set_state(user, state: str, author_id: int | None) -> bool:
    if state in (State.DRAFT, State.SUBMITTED):
        return can_edit(user)
    if state == State.PUBLISHED:
        return may_publish(user, author_id)
    return can_review(user)


def may_change(user, claim) -> bool:
    """Whether `user` may edit the claim's content in its current state."""
    if claim.state == State.RETRACTED:
        return False
    if claim.state == State.PUBLISHED:
        return may_publish(user, claim.entered_by_id)
    return can_edit(user)


def stamp_review(claim, user) -> None:
    """Record who decided a review outcome, and when."""
    if claim.state in REVIEW_OUTCOMES:
        claim.reviewed_by = user
        claim.reviewed_at = timezone.now()
