"""The review workflow of sourced claims (observations and movements): the rule book.

A claim is entered as a draft, submitted for review, and published or rejected by a
reviewer other than its author. Published claims are the public record: they are
withdrawn by retraction, with a reason, never deleted. Every face (the editor forms,
the review page, the API, the admin) asks this module what may be done and
basewatch.core.claims, the one write path, enforces it; nothing else decides.

The rules, as the README's permission table states them:

- Drafts and claims in review are the team's: any editor may change them, submit a
  draft (or a rejected claim, again) and withdraw a claim from review. Saving never
  moves a claim between states: withdrawing is an action of its own.
- Publishing is a review: a reviewer who is not the author publishes a submitted
  claim. Where the team allows editors to publish their own work
  (settings.EDITORS_MAY_PUBLISH), the author may publish it too, from draft or from
  review. Nobody publishes someone else's draft: its author has not said it is ready.
- A reviewer who is not the author rejects a submitted claim (the author withdraws it
  instead). A reviewer retracts any claim that is not yet retracted; an author may
  retract (abandon) their own claim that was never published. Both need a reason.
- A published claim is changed only by someone who may publish it; a retracted one
  by nobody.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from basewatch.core.roles import can_edit, can_review


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    RETRACTED = "retracted", "Retracted"


# In the order they are offered (actions_for): a reviewer's decision on a claim in review
# before the withdrawal any editor may make (the queue offered "Withdraw" first).
class Action(models.TextChoices):
    SUBMIT = "submit", "Submit for review"
    PUBLISH = "publish", "Publish"
    REJECT = "reject", "Reject"
    WITHDRAW = "withdraw", "Withdraw from review"
    RETRACT = "retract", "Retract"


# Where each action leads from each state; a pair not listed is refused.
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.SUBMIT): State.SUBMITTED,
    (State.REJECTED, Action.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Action.WITHDRAW): State.DRAFT,
    (State.DRAFT, Action.PUBLISH): State.PUBLISHED,
    (State.SUBMITTED, Action.PUBLISH): State.PUBLISHED,
    (State.SUBMITTED, Action.REJECT): State.REJECTED,
    (State.DRAFT, Action.RETRACT): State.RETRACTED,
    (State.SUBMITTED, Action.RETRACT): State.RETRACTED,
    (State.REJECTED, Action.RETRACT): State.RETRACTED,
    (State.PUBLISHED, Action.RETRACT): State.RETRACTED,
}
# Reviewers' refusals say why, for the editor and the record.
NEEDS_REASON = frozenset({Action.REJECT, Action.RETRACT})
# The decisions that record who reviewed the claim and when.
REVIEW_DECISIONS = frozenset({Action.PUBLISH, Action.REJECT, Action.RETRACT})


def _is_author(user, author_id: int | None) -> bool:
    return author_id is not None and user.pk == author_id


def publishes_own_work(user, author_id: int | None) -> bool:
    """The author, where the team lets editors publish their own work."""
    return settings.EDITORS_MAY_PUBLISH and can_edit(user) and _is_author(user, author_id)


def may_publish(user, state: str, author_id: int | None) -> bool:
    """A reviewer other than the author publishes a submitted claim; see the module docstring."""
    if publishes_own_work(user, author_id):
        return state in (State.DRAFT, State.SUBMITTED)
    return state == State.SUBMITTED and can_review(user) and not _is_author(user, author_id)


def may_take(user, action: str, state: str, author_id: int | None) -> bool:
    """Whether `user` may take `action` on a claim in `state` entered by `author_id`."""
    if (state, action) not in TRANSITIONS:
        return False
    if action in (Action.SUBMIT, Action.WITHDRAW):
        return can_edit(user)
    if action == Action.PUBLISH:
        return may_publish(user, state, author_id)
    if action == Action.REJECT:
        return can_review(user) and not _is_author(user, author_id)
    # Retract: reviewers, or the author abandoning a claim the public never saw.
    return can_review(user) or (can_edit(user) and _is_author(user, author_id) and state != State.PUBLISHED)


def may_change(user, state: str, author_id: int | None) -> bool:
    """Whether `user` may change the content of a claim in `state` (its state stays as it is)."""
    if state == State.RETRACTED:
        return False
    if state == State.PUBLISHED:
        return publishes_own_work(user, author_id) or (can_review(user) and not _is_author(user, author_id))
    return can_edit(user)


def actions_for(user, state: str, author_id: int | None) -> list[Action]:
    """The actions `user` may take on a claim in `state`, in the order they are offered."""
    return [action for action in Action if may_take(user, action, state, author_id)]


def action_leading_to(state: str, wanted: str) -> Action | None:
    """The action that moves a claim from `state` to `wanted` (an API client names the state it wants)."""
    return next((action for (start, action), end in TRANSITIONS.items() if start == state and end == wanted), None)
