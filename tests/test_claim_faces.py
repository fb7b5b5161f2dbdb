"""Every face writes claims through basewatch.core.claims, so every face answers alike.

The same decision is taken through the edit form, the review page, an API PATCH of
`state`, the API's decision endpoint and the admin; each face must refuse or allow it
as the others do and leave the claim in the same state. These are the disagreements
found before the write path was one: publishing straight from draft, a rejection's
reason kept by one face and cleared by another, decisions without a version check, and
Save draft silently taking a submitted claim out of review.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from basewatch.core.models import Observation
from basewatch.core.workflow import Action, State
from tests.factories import make_asset_type, make_observation, make_site, make_source, make_token, make_user

pytestmark = pytest.mark.django_db


def _form_fields(claim: Observation) -> dict:
    return {
        "site": claim.site_id,
        "asset_type": claim.asset_type_id,
        "asset": "",
        "observed": claim.observed.isoformat(),
        "observed_precision": claim.observed_precision,
        "count": claim.count,
        "count_low": "",
        "count_high": "",
        "activity": claim.activity,
        "credibility": claim.credibility,
        "presence": claim.presence,
        "notes": claim.notes,
        "sources": [source.pk for source in claim.sources.all()],
    }


def edit_form(user, claim, action: str | None, version: int, reason: str = "", notes: str | None = None) -> int:
    client = Client()
    client.force_login(user)
    data = {
        **_form_fields(claim),
        "version": version,
        "action": action or "save",
        "new_source-TOTAL_FORMS": "1",
        "new_source-INITIAL_FORMS": "0",
        "new_source-MIN_NUM_FORMS": "0",
        "new_source-MAX_NUM_FORMS": "10",
        "new_source-0-reliability": "F",
    }
    if notes is not None:
        data["notes"] = notes
    return client.post(f"/edit/observations/{claim.pk}/", data).status_code


def review_page(user, claim, action: str | None, version: int, reason: str = "", notes: str | None = None) -> int:
    client = Client()
    client.force_login(user)
    body = {"decision": action, "version": version, "reason": reason}
    return client.post(f"/review/observation/{claim.pk}/", body).status_code


def _api(user) -> Client:
    from basewatch.core.models import ApiToken

    return Client(headers={"Authorization": f"Token {ApiToken.issue(user, 'test')[1]}"})


def api_patch(user, claim, action: str | None, version: int, reason: str = "", notes: str | None = None) -> int:
    states = {Action.SUBMIT: State.SUBMITTED, Action.WITHDRAW: State.DRAFT, Action.PUBLISH: State.PUBLISHED,
              Action.REJECT: State.REJECTED, Action.RETRACT: State.RETRACTED}  # fmt: skip
    body: dict = {"version": version}
    if action:
        body |= {"state": states[action], "reason": reason}
    if notes is not None:
        body["notes"] = notes
    response = _api(user).patch(f"/api/v1/observations/{claim.pk}/", json.dumps(body), content_type="application/json")
    return response.status_code


def api_decision(user, claim, action: str | None, version: int, reason: str = "", notes: str | None = None) -> int:
    body = json.dumps({"version": version, "reason": reason})
    url = f"/api/v1/observations/{claim.pk}/{action}/"
    return _api(user).post(url, body, content_type="application/json").status_code


def admin(user, claim, action: str | None, version: int, reason: str = "", notes: str | None = None) -> int:
    client = Client()
    client.force_login(user)
    data = {**_form_fields(claim), "read_version": version, "action": action or "", "reason": reason}
    if notes is not None:
        data["notes"] = notes
    response = client.post(f"/admin/core/observation/{claim.pk}/change/", data)
    # The admin answers 200 with the form again when it refuses, and sends to the list when it saved.
    if response.status_code == 302:
        assert response["Location"] == "/admin/core/observation/", response["Location"]
        return 302
    return 400 if response.status_code == 200 else response.status_code


DECISION_FACES = [edit_form, review_page, api_patch, api_decision, admin]
SAVING_FACES = [edit_form, api_patch, admin]  # the faces that change content


@pytest.fixture
def people():
    users = {"author": make_user("editor"), "editor": make_user("editor"), "reviewer": make_user("reviewer")}
    for user in users.values():
        user.is_staff = True  # as `adduser` makes editors and up: the admin lets them in
        user.save()
    return users


def _claim(state: State, author, **fields) -> Observation:
    return make_observation(
        make_site(), make_asset_type(), dt.date(2024, 12, 13), count=2, state=state, entered_by=author, **fields
    )


def _stored(claim) -> Observation:
    return Observation.objects.get(pk=claim.pk)


@pytest.mark.parametrize("face", DECISION_FACES, ids=lambda f: f.__name__)
def test_nobody_publishes_someone_elses_draft(face, people):
    claim = _claim(State.DRAFT, people["author"])
    status = face(people["reviewer"], claim, Action.PUBLISH, claim.version)
    assert status in (400, 403), status
    assert _stored(claim).state == State.DRAFT and _stored(claim).version == claim.version


@pytest.mark.parametrize("face", DECISION_FACES, ids=lambda f: f.__name__)
def test_a_reviewer_publishes_a_submitted_claim(face, people):
    claim = _claim(State.SUBMITTED, people["author"])
    assert face(people["reviewer"], claim, Action.PUBLISH, claim.version) in (200, 302)
    stored = _stored(claim)
    assert stored.state == State.PUBLISHED and stored.reviewed_by == people["reviewer"]


@pytest.mark.parametrize("face", DECISION_FACES, ids=lambda f: f.__name__)
def test_a_decision_on_a_stale_version_is_refused(face, people):
    claim = _claim(State.SUBMITTED, people["author"])
    Observation.objects.filter(pk=claim.pk).update(notes="changed meanwhile")  # raises the version
    status = face(people["reviewer"], claim, Action.PUBLISH, claim.version)
    assert status in (400, 409, 412), status
    assert _stored(claim).state == State.SUBMITTED


@pytest.mark.parametrize("face", DECISION_FACES, ids=lambda f: f.__name__)
def test_resubmitting_clears_the_rejection_reason_everywhere(face, people):
    claim = _claim(State.REJECTED, people["author"], state_reason="count the hangars again")
    assert face(people["author"], claim, Action.SUBMIT, claim.version) in (200, 302)
    stored = _stored(claim)
    assert stored.state == State.SUBMITTED and stored.state_reason == ""


@pytest.mark.parametrize("face", DECISION_FACES, ids=lambda f: f.__name__)
def test_withdrawing_from_review_is_an_action_of_its_own(face, people):
    claim = _claim(State.SUBMITTED, people["author"])
    assert face(people["author"], claim, Action.WITHDRAW, claim.version) in (200, 302)
    assert _stored(claim).state == State.DRAFT


@pytest.mark.parametrize("face", SAVING_FACES, ids=lambda f: f.__name__)
def test_saving_a_submitted_claim_keeps_it_in_review(face, people):
    claim = _claim(State.SUBMITTED, people["author"])
    assert face(people["editor"], claim, None, claim.version, notes="a better count") in (200, 302)
    stored = _stored(claim)
    assert stored.state == State.SUBMITTED and stored.notes == "a better count"


@pytest.mark.parametrize("face", SAVING_FACES, ids=lambda f: f.__name__)
def test_saving_a_rejected_claim_keeps_its_reason_until_resubmitted(face, people):
    claim = _claim(State.REJECTED, people["author"], state_reason="count the hangars again")
    assert face(people["author"], claim, None, claim.version, notes="counted again") in (200, 302)
    stored = _stored(claim)
    assert (stored.state, stored.state_reason) == (State.REJECTED, "count the hangars again")


@pytest.mark.parametrize("face", [review_page, api_patch, api_decision, admin], ids=lambda f: f.__name__)
def test_a_reviewer_rejects_with_a_reason_and_only_with_one(face, people):
    claim = _claim(State.SUBMITTED, people["author"])
    assert face(people["reviewer"], claim, Action.REJECT, claim.version, reason="") in (400,)
    assert _stored(claim).state == State.SUBMITTED
    assert face(people["reviewer"], claim, Action.REJECT, claim.version, reason="no source for it") in (200, 302)
    stored = _stored(claim)
    assert (stored.state, stored.state_reason) == (State.REJECTED, "no source for it")


def test_an_api_create_takes_the_same_path(people):
    """A create asking for `published` is publishing straight from draft: only for authors who may."""
    site, asset_type, source = make_site(), make_asset_type(), make_source()
    body = {"site": site.slug, "asset_type": asset_type.slug, "observed": "2024-12-13", "count": 1,
            "activity": "present", "credibility": 2, "source_ids": [source.pk], "state": "published"}  # fmt: skip
    token = make_token("reviewer")
    api = Client(headers={"Authorization": f"Token {token}"})
    response = api.post("/api/v1/observations/", json.dumps(body), content_type="application/json")
    assert response.status_code == 403, response.content
    assert not Observation.objects.filter(site=site).exists()


@pytest.mark.parametrize("face", [review_page, api_patch, api_decision, admin], ids=lambda f: f.__name__)
def test_a_reviewer_retracts_their_own_published_claim(face, people):
    """A decision needs no right to edit: reviewers may not change their own published work, but retract it."""
    claim = _claim(State.PUBLISHED, people["reviewer"])
    assert face(people["reviewer"], claim, Action.RETRACT, claim.version, reason="the wrong base") in (200, 302)
    stored = _stored(claim)
    assert (stored.state, stored.state_reason, stored.reviewed_by) == (
        State.RETRACTED,
        "the wrong base",
        people["reviewer"],
    )


@pytest.mark.parametrize("face", SAVING_FACES, ids=lambda f: f.__name__)
def test_a_reviewer_may_not_change_their_own_published_claim(face, people):
    claim = _claim(State.PUBLISHED, people["reviewer"])
    status = face(people["reviewer"], claim, None, claim.version, notes="quietly changed")
    # The admin shows such a claim's content read-only (it offers the retraction), so it ignores the notes.
    assert status in (400, 403) or (face is admin and status == 302), status
    assert _stored(claim).notes == "" and _stored(claim).version == claim.version
