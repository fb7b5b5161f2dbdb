"""The claim workflow, exhaustively: every state, every action (and a plain edit), every role,
with and without EDITORS_MAY_PUBLISH, through basewatch.core.claims, the one write path.

The expected table below is written out by hand from the README's permission table, not
computed from basewatch.core.workflow: a change to the rules must change both.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from basewatch.core import claims
from basewatch.core.models import Observation
from basewatch.core.workflow import Action, State
from tests.factories import make_asset_type, make_observation, make_site, make_user

pytestmark = pytest.mark.django_db

EDIT = "edit"  # a change of content, no action
ROLES = [
    "anonymous",
    "no role",
    "viewer",
    "editor (author)",
    "editor",
    "reviewer (author)",
    "reviewer",
    "admin (author)",
    "admin",
]
EDITORS = {"editor (author)", "editor", "reviewer (author)", "reviewer", "admin (author)", "admin"}
REVIEWERS = {"reviewer (author)", "reviewer", "admin (author)", "admin"}
AUTHORS = {"editor (author)", "reviewer (author)", "admin (author)"}
OTHER_REVIEWERS = REVIEWERS - AUTHORS

# (state, action) → (state it leads to, who may, who may when editors may publish their own work).
# Pairs not listed are refused for everyone.
EXPECTED = {
    (State.DRAFT, Action.SUBMIT): (State.SUBMITTED, EDITORS, EDITORS),
    (State.REJECTED, Action.SUBMIT): (State.SUBMITTED, EDITORS, EDITORS),
    (State.SUBMITTED, Action.WITHDRAW): (State.DRAFT, EDITORS, EDITORS),
    (State.DRAFT, Action.PUBLISH): (State.PUBLISHED, set(), AUTHORS),
    (State.SUBMITTED, Action.PUBLISH): (State.PUBLISHED, OTHER_REVIEWERS, OTHER_REVIEWERS | AUTHORS),
    (State.SUBMITTED, Action.REJECT): (State.REJECTED, OTHER_REVIEWERS, OTHER_REVIEWERS),
    (State.DRAFT, Action.RETRACT): (State.RETRACTED, REVIEWERS | AUTHORS, REVIEWERS | AUTHORS),
    (State.SUBMITTED, Action.RETRACT): (State.RETRACTED, REVIEWERS | AUTHORS, REVIEWERS | AUTHORS),
    (State.REJECTED, Action.RETRACT): (State.RETRACTED, REVIEWERS | AUTHORS, REVIEWERS | AUTHORS),
    (State.PUBLISHED, Action.RETRACT): (State.RETRACTED, REVIEWERS, REVIEWERS),
    # Changing the content keeps the state.
    (State.DRAFT, EDIT): (State.DRAFT, EDITORS, EDITORS),
    (State.SUBMITTED, EDIT): (State.SUBMITTED, EDITORS, EDITORS),
    (State.REJECTED, EDIT): (State.REJECTED, EDITORS, EDITORS),
    (State.PUBLISHED, EDIT): (State.PUBLISHED, OTHER_REVIEWERS, OTHER_REVIEWERS | AUTHORS),
}
CASES = list(itertools.product(State, [*Action, EDIT], [False, True]))


@pytest.fixture
def people():
    author_roles = {"editor (author)": "editor", "reviewer (author)": "reviewer", "admin (author)": "admin"}
    users = {"anonymous": AnonymousUser(), "no role": make_user(None)}
    for role in ("viewer", "editor", "reviewer", "admin"):
        users[role] = make_user(role)
    for label, role in author_roles.items():
        users[label] = make_user(role)
    return users


def _claim(state: State, author) -> Observation:
    site, asset_type = make_site(), make_asset_type()
    return make_observation(
        site, asset_type, dt.date(2024, 12, 13), count=2, state=state, entered_by=author, state_reason="earlier reason"
    )


def _author_for(role: str, people: dict):
    # The claim's author is the user acting when the role says so, else a third editor.
    return people[role] if role in AUTHORS else people.setdefault("someone", make_user("editor"))


@pytest.mark.parametrize(("state", "action", "editors_may_publish"), CASES)
def test_every_state_action_and_role(people, state, action, editors_may_publish):
    outcome, allowed, allowed_when_editors_publish = EXPECTED.get((state, action), (None, set(), set()))
    may = allowed_when_editors_publish if editors_may_publish else allowed
    seen = {}
    with override_settings(EDITORS_MAY_PUBLISH=editors_may_publish):
        for role in ROLES:
            claim = _claim(state, _author_for(role, people))
            before = claim.version
            user = people[role]
            try:
                if action == EDIT:
                    claim.notes = "changed"
                    claims.write_claim(claim, user, read_version=before)
                else:
                    claims.decide(claim, user, action, read_version=before, reason="because")
            except claims.ClaimRefused:
                seen[role] = False
                stored = Observation.objects.get(pk=claim.pk)
                assert (stored.state, stored.version, stored.notes) == (state, before, ""), role
                continue
            seen[role] = True
            stored = Observation.objects.get(pk=claim.pk)
            assert stored.state == outcome and stored.version == before + 1, role
            if action == EDIT:
                assert stored.notes == "changed" and stored.state_reason == "earlier reason"
            elif action in (Action.REJECT, Action.RETRACT):
                assert stored.state_reason == "because"
            else:  # the reason belongs to the last decision; it stays in the history
                assert stored.state_reason == ""
            if action in (Action.PUBLISH, Action.REJECT, Action.RETRACT):
                assert stored.reviewed_by_id == user.pk and stored.reviewed_at is not None
            elif action in (Action.SUBMIT, Action.WITHDRAW):
                assert stored.reviewed_by_id is None and stored.reviewed_at is None
    assert {role for role, done in seen.items() if done} == may


def test_actions_offered_are_the_ones_allowed(people):
    """What faces offer (claims.actions_for) is what the write path accepts."""
    for state, role in itertools.product(State, ROLES):
        claim = _claim(state, _author_for(role, people))
        offered = set(claims.actions_for(people[role], claim))
        expected = {action for (start, action), (_, who, _) in EXPECTED.items() if start == state and role in who}
        assert offered == expected - {EDIT}, (state, role)
        assert claims.may_change(people[role], claim) == (role in EXPECTED.get((state, EDIT), (None, set()))[1])


def test_reject_and_retract_need_a_reason(people):
    for action, state in ((Action.REJECT, State.SUBMITTED), (Action.RETRACT, State.PUBLISHED)):
        claim = _claim(state, people["editor"])
        with pytest.raises(claims.ClaimRefused) as refused:
            claims.decide(claim, people["reviewer"], action, read_version=claim.version, reason="  ")
        assert "reason" in refused.value.errors
        assert Observation.objects.get(pk=claim.pk).state == state


def test_a_decision_needs_the_version_it_was_taken_on(people):
    from basewatch.core.versions import StaleVersion, VersionRequired

    claim = _claim(State.SUBMITTED, people["editor"])
    with pytest.raises(VersionRequired):
        claims.decide(claim, people["reviewer"], Action.PUBLISH, read_version=None)
    with pytest.raises(StaleVersion):
        claims.decide(claim, people["reviewer"], Action.PUBLISH, read_version=claim.version - 1 or 99)
    assert Observation.objects.get(pk=claim.pk).state == State.SUBMITTED


def test_a_claim_keeps_at_least_one_source(people):
    claim = _claim(State.DRAFT, people["editor"])
    claim.notes = "no sources now"
    with pytest.raises(claims.ClaimRefused) as refused:
        claims.write_claim(claim, people["editor"], read_version=claim.version, sources=[])
    assert "sources" in refused.value.errors
    assert Observation.objects.get(pk=claim.pk).sources.count() == 1


def test_sending_a_claim_back_to_review_clears_the_last_decision(people):
    """The reason and who decided describe the decision that put the claim in its state."""
    claim = _claim(State.SUBMITTED, people["editor (author)"])
    reviewer = people["reviewer"]
    claims.decide(claim, reviewer, Action.REJECT, read_version=claim.version, reason="count again")
    rejected = Observation.objects.get(pk=claim.pk)
    assert (rejected.state_reason, rejected.reviewed_by, rejected.reviewed_at is not None) == (
        "count again",
        reviewer,
        True,
    )
    claims.decide(rejected, people["editor (author)"], Action.SUBMIT, read_version=rejected.version)
    resubmitted = Observation.objects.get(pk=claim.pk)
    assert (resubmitted.state, resubmitted.state_reason) == (State.SUBMITTED, "")
    assert (resubmitted.reviewed_by, resubmitted.reviewed_at) == (None, None)
