"""The one write path of sourced claims (observations and movements).

Forms, the review page, the API, the admin and commands all create, change, submit,
withdraw, publish, reject and retract claims by calling `write_claim`; they only
translate its refusals into their own terms (field errors, 400/403/409/412, admin
messages). One call is one transaction: the claim, its new sources and its source
links are stored together or not at all.

What it enforces, in order:
1. the version the writer read (basewatch.core.versions), on every change to a stored claim;
2. who may change the claim in its state, and who may take the action from that state
   (basewatch.core.workflow, the rule book);
3. a reason for the actions that need one; the reason and who decided belong to the last
   decision (a rejection's reason stays until the claim is submitted again, and in the history);
4. the model's own validation (clean()), and at least one source;
5. no second live observation of the same site, asset type and date from the same
   source (basewatch.core.duplicates);
6. who entered the claim, and who decided a review and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from basewatch.core import events, workflow
from basewatch.core.duplicates import lock_same_claims, refuse_duplicate_observation
from basewatch.core.models import Observation, Source, SourcedClaim
from basewatch.core.versions import locked_if_current
from basewatch.core.workflow import Action, State


class System:
    """The operator running a management command (demo data, imports): trusted, never an author."""

    pk = None
    is_authenticated = True

    def __str__(self) -> str:
        return "system"


SYSTEM = System()


class ClaimRefused(Exception):
    """The write was refused and nothing was stored. `errors` maps a field (or None) to a message."""

    def __init__(self, errors: dict[str | None, str]):
        super().__init__("; ".join(f"{name or 'claim'}: {message}" for name, message in errors.items()))
        self.errors = errors


class NotAllowed(ClaimRefused):
    """The writer's role may not do this to the claim in its state."""


@dataclass
class Written:
    """What a write stored: the claim, and the typed sources that turned out to be on file already."""

    claim: SourcedClaim
    reused_sources: list[Source] = field(default_factory=list)


# The fields a claim's author and reviewers edit; the rest is bookkeeping this module keeps.
_BOOKKEEPING = {"id", "state", "state_reason", "entered_by", "reviewed_by", "reviewed_at", "created", "updated"}


def _content_fields(model: type[SourcedClaim]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.name not in _BOOKKEEPING and f.name != "version"]


def may_change(user, claim: SourcedClaim) -> bool:
    """Whether `user` may edit the claim's content now (faces use it to offer an Edit link)."""
    if user is SYSTEM:
        return claim.state != State.RETRACTED
    return workflow.may_change(user, claim.state, claim.entered_by_id)


def actions_for(user, claim: SourcedClaim) -> list[Action]:
    """The actions `user` may take on the claim now; a new claim is a draft of theirs."""
    if claim.pk is None:
        return [action for action in Action if workflow.may_take(user, action, State.DRAFT, user.pk)]
    return workflow.actions_for(user, claim.state, claim.entered_by_id)


def write_claim(
    claim: SourcedClaim,
    user,
    *,
    read_version: int | None = None,
    sources: Iterable[Source] | None = None,
    new_sources: Iterable[Source] = (),
    action: Action | str | None = None,
    reason: str = "",
) -> Written:
    """Store `claim` as the writer changed it, then take `action` on it, in one transaction.

    `claim` is a new, unsaved claim, or a stored one as the writer read it (at
    `read_version`) with their changes applied. `sources` replaces its sources (None
    keeps them); `new_sources` are unsaved sources typed by the writer, each stored
    unless a source with its URL is on file, which is used instead. Raises
    ClaimRefused (NotAllowed for a role that may not), VersionRequired or StaleVersion,
    DuplicateObservation; nothing is stored then.
    """
    action = Action(action) if action else None
    reason, new_sources = reason.strip(), list(new_sources)
    with transaction.atomic():
        creating = claim.pk is None
        if creating:
            # A new claim is a draft of its writer's, whatever the instance was given.
            stored, state, author_id = None, State.DRAFT, user.pk
            claim.state, claim.state_reason, claim.reviewed_by, claim.reviewed_at = state, "", None, None
            if user is not SYSTEM and not workflow.may_change(user, State.DRAFT, None):
                raise NotAllowed({None: "Entering claims needs an editor."})
        else:
            stored = locked_if_current(claim, read_version)
            state, author_id = stored.state, stored.entered_by_id
        stored_sources = set() if creating else set(stored.sources.all())
        picked = list(sources) if sources is not None else list(stored_sources)
        content_changed = creating or _changed(claim, stored) or set(picked) != stored_sources or bool(new_sources)
        # A decision needs no right to edit (a reviewer retracts a claim of their own); a save does.
        if not creating and (content_changed or action is None) and not may_change(user, stored):
            raise NotAllowed({None: f"You may not change a {stored.get_state_display().lower()} claim."})
        if not content_changed and action is None:
            return Written(stored)  # nothing to write: the version stays
        new_state = _take(action, state, user, author_id, reason)
        if content_changed:
            _validate(claim)
        if isinstance(claim, Observation) and content_changed:
            # Before typed sources are looked up by URL, so a twin write waiting on this lock finds them.
            lock_same_claims(claim)
        typed, reused = _store_typed_sources(new_sources)
        all_sources = [*picked, *typed]
        if not all_sources:
            raise ClaimRefused({"sources": "Give at least one source."})
        if isinstance(claim, Observation) and content_changed:
            refuse_duplicate_observation(claim, all_sources)
        if creating:
            claim.entered_by_id = user.pk
        else:
            claim.version = stored.version  # saving raises it by one
        if new_state != state:
            # The reason and the review stamps are the latest decision's: a claim sent (back) to
            # review awaits a new one. Earlier decisions stay in the history.
            claim.state = new_state
            claim.state_reason = reason if action in workflow.NEEDS_REASON else ""
            decided = action in workflow.REVIEW_DECISIONS
            claim.reviewed_by_id = user.pk if decided else None
            claim.reviewed_at = timezone.now() if decided else None
        claim.save()
        if creating:
            claim.sources.add(*all_sources)  # set() would first read the sources a new claim has not got
        elif set(all_sources) != stored_sources:
            claim.sources.set(all_sources)
        if claim.state == State.PUBLISHED and claim.asset_id and not claim.asset.confirmed:
            # The reviewer publishing a claim about an asset an import named vouches for it too.
            claim.asset.confirmed = True
            claim.asset.save()
        events.announce_claim(claim, None if creating else state, content_changed)
    return Written(claim, reused)


def decide(claim: SourcedClaim, user, action: Action | str, *, read_version: int | None, reason: str = "") -> Written:
    """Take a review action on a stored claim without changing its content."""
    return write_claim(claim, user, read_version=read_version, action=action, reason=reason)


def _changed(claim: SourcedClaim, stored: SourcedClaim) -> bool:
    return any(getattr(claim, name) != getattr(stored, name) for name in _content_fields(type(claim)))


def _take(action: Action | None, state: str, user, author_id: int | None, reason: str) -> str:
    """The state `action` leads to from `state`, if `user` may take it (the state itself without an action)."""
    if action is None:
        return state
    new_state = workflow.TRANSITIONS.get((State(state), action))
    if new_state is None:
        label = State(state).label.lower()
        raise ClaimRefused({"action": f"A claim that is {label} cannot be {action.label.lower()}ed."})
    if user is not SYSTEM and not workflow.may_take(user, action, state, author_id):
        raise NotAllowed({"action": _why_not(action)})
    if action in workflow.NEEDS_REASON and not reason:
        raise ClaimRefused({"reason": f"To {action.value} it, say why: for the editor and the record."})
    return new_state


def _why_not(action: Action) -> str:
    if action == Action.PUBLISH:
        return "Publishing needs a reviewer other than the author (and a submitted claim)."
    if action == Action.REJECT:
        return "Rejecting needs a reviewer other than the author."
    if action == Action.RETRACT:
        return "Retracting needs a reviewer, or the author of a claim that was never published."
    return "Your role may not do this."


def _validate(claim: SourcedClaim) -> None:
    try:
        claim.full_clean(exclude=["sources"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ClaimRefused(
            {None if name == "__all__" else name: " ".join(messages) for name, messages in error.message_dict.items()}
        ) from None


def _store_typed_sources(new_sources: Iterable[Source]) -> tuple[list[Source], list[Source]]:
    """Store each typed source, or take the one on file with its URL; (all of them, those on file)."""
    stored, reused = [], []
    for source in new_sources:
        existing = Source.objects.filter(url=source.url).first() if source.url else None
        if existing is not None:
            reused.append(existing)
            stored.append(existing)
        else:
            try:
                source.full_clean()
            except ValidationError as error:
                raise ClaimRefused({"new_sources": " ".join(error.messages)}) from None
            source.save()
            stored.append(source)
    return stored, reused
