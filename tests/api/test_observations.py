"""Observations through the API: visibility, filters, writes by role, conflicts, review."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import override_settings

from basewatch.core.models import ApiToken, Observation
from tests.api.helpers import assert_error, results
from tests.factories import make_asset_type, make_observation, make_site, make_source, make_user

pytestmark = pytest.mark.django_db


def token_for(user) -> str:
    return ApiToken.issue(user, "test")[1]


@pytest.fixture
def people():
    """One user per role, with an API key each."""
    users = {role: make_user(role, username=role) for role in ("viewer", "editor", "reviewer", "admin")}
    users["editor_b"] = make_user("editor", username="editor-b")
    users["nobody"] = make_user(None, username="nobody")
    return {name: (user, token_for(user)) for name, user in users.items()}


@pytest.fixture
def world():
    site = make_site(slug="base", name="Base Alpha")
    jets = make_asset_type(slug="jets", category="fixed_wing_combat")
    imagery = make_source(kind="satellite_imagery", url="https://imagery.example.org/1")
    published = make_observation(site, jets, dt.date(2024, 12, 1), count=6, sources=[imagery])
    draft = make_observation(site, jets, dt.date(2024, 12, 2), count=7, state="draft", notes="to check")
    return {"site": site, "jets": jets, "imagery": imagery, "published": published, "draft": draft}


def ids(response) -> set[int]:
    return {item["id"] for item in results(response)}


def test_anonymous_sees_published_only_with_sources_embedded(api, world):
    body = results(api.get("observations/"))
    assert [item["id"] for item in body] == [world["published"].pk]
    item = body[0]
    assert item["site"] == "base" and item["asset_type"] == "jets" and item["count"] == 6
    assert item["sources"][0]["url"] == "https://imagery.example.org/1"
    assert item["sources"][0]["kind"] == "satellite_imagery"
    assert "entered_by" not in item and "reviewed_by" not in item
    assert_error(api.get(f"observations/{world['draft'].pk}/"), 404, "detail")


def test_viewer_sees_drafts_and_filters_by_state(api, world, people):
    token = people["viewer"][1]
    assert ids(api.get("observations/", token=token)) == {world["published"].pk, world["draft"].pk}
    assert ids(api.get("observations/", params={"state": "draft"}, token=token)) == {world["draft"].pk}
    assert api.get(f"observations/{world['draft'].pk}/", token=token).json()["notes"] == "to check"
    # Without a role a signed-in user is like the public.
    assert ids(api.get("observations/", token=people["nobody"][1])) == {world["published"].pk}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"site": "base"}, {"published"}),
        ({"asset_type": "jets"}, {"published"}),
        ({"category": "fixed_wing_combat"}, {"published"}),
        ({"category": "helicopter"}, set()),
        ({"from": "2024-12-01", "to": "2024-12-01"}, {"published"}),
        ({"from": "2024-12-02"}, set()),
        ({"activity": "present"}, {"published"}),
        ({"activity": "absent"}, set()),
        ({"source_kind": "satellite_imagery"}, {"published"}),
        ({"source_kind": "news_report"}, set()),
        ({"q": "ALPHA"}, {"published"}),
    ],
)
def test_observation_filters(api, world, params, expected):
    assert ids(api.get("observations/", params=params)) == {world[name].pk for name in expected}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"site": "nowhere"}, "site"),
        ({"from": "13/12/2024x"}, "from"),
        ({"activity": "dancing"}, "activity"),
        ({"source_kind": "rumour"}, "source_kind"),
        ({"state": "lost"}, "state"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"asset": "99999999999999999999"}, "asset"),
        ({"q": "nul\x00byte"}, "q"),
    ],
)
def test_bad_observation_filters_are_400(api, world, params, field):
    assert_error(api.get("observations/", params=params), 400, field)


def new_observation(world, **fields) -> dict:
    return {
        "site": "base",
        "asset_type": "jets",
        "observed": "2024-12-13",
        "count": 4,
        "activity": "present",
        "credibility": 2,
        "source_ids": [world["imagery"].pk],
        **fields,
    }


def test_editor_creates_a_draft_recording_the_author(api, world, people):
    response = api.post("observations/", json=new_observation(world), token=people["editor"][1])
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["state"], body["entered_by"], body["version"]) == ("draft", "editor", 1)
    observation = Observation.objects.get(pk=body["id"])
    assert list(observation.sources.all()) == [world["imagery"]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"source_ids": []}, "source_ids"),
        ({"source_ids": None}, "source_ids"),
        ({"source_ids": [999999]}, "source_ids"),
        ({"count": -1}, "count"),
        ({"count": 4, "count_low": 5}, "count_low"),
        ({"count": 4, "count_high": 3}, "count_high"),
        ({"count": None, "count_high": 3}, "count"),
        ({"activity": "absent", "count": 2}, "count"),
        ({"observed": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "observed"),
        ({"observed": "2024-02-30"}, "observed"),
        ({"site": "nowhere"}, "site"),
        ({"asset_type": "nope"}, "asset_type"),
        ({"credibility": 9}, "credibility"),
        ({"count": "many"}, "count"),
        ({"count": 10**12}, "count"),
        ({"count": 1_000_001}, "count"),  # two such counts at a site overflowed its total: a 500
        ({"count": 4, "count_high": 1_000_001}, "count_high"),
        ({"observed": "1899-12-31"}, "observed"),  # year 1 made the site page's chart overflow
        ({"state": "bogus"}, "state"),
        ({"state": "rejected"}, "state"),  # no action leads a draft there
    ],
)
def test_bad_observation_is_rejected_and_nothing_is_stored(api, world, people, fields, field):
    before = Observation.objects.count()
    data = new_observation(world, **fields)
    if fields.get("source_ids", 0) is None:
        del data["source_ids"]
    assert_error(api.post("observations/", json=data, token=people["editor"][1]), 400, field)
    assert Observation.objects.count() == before


def test_an_editor_may_not_create_a_published_observation(api, world, people):
    before = Observation.objects.count()
    response = api.post("observations/", json=new_observation(world, state="published"), token=people["editor"][1])
    assert_error(response, 403, "action")
    assert Observation.objects.count() == before


def test_malformed_json_is_400(api, world, people):
    response = api.post(
        "observations/", data="{not json", headers={"Content-Type": "application/json"}, token=people["editor"][1]
    )
    assert_error(response, 400, "detail")


def test_writes_need_an_editor(api, world, people):
    assert_error(api.post("observations/", json=new_observation(world)), 401, "detail")
    for name in ("viewer", "nobody"):
        assert_error(api.post("observations/", json=new_observation(world), token=people[name][1]), 403, "detail")
    assert_error(
        api.patch(f"observations/{world['draft'].pk}/", json={"count": 1, "version": 1}, token=people["viewer"][1]),
        403,
        "detail",
    )
    assert Observation.objects.count() == 2


def test_revoked_token_is_refused(api, world, people):
    user, key = people["editor"]
    ApiToken.objects.get(user=user).revoke()
    assert_error(api.post("observations/", json=new_observation(world), token=key), 401, "detail")


def test_publishing_needs_a_reviewer_other_than_the_author(api, world, people):
    mine = api.post("observations/", json=new_observation(world, state="submitted"), token=people["reviewer"][1])
    assert mine.status_code == 201
    assert_error(
        api.patch(
            f"observations/{mine.json()['id']}/", json={"state": "published", "version": 1}, token=people["reviewer"][1]
        ),
        403,
        "action",
    )
    theirs = api.post(
        "observations/",
        json=new_observation(world, state="submitted", observed="2024-12-14"),
        token=people["editor"][1],
    )
    published = api.patch(
        f"observations/{theirs.json()['id']}/", json={"state": "published", "version": 1}, token=people["reviewer"][1]
    )
    assert published.status_code == 200, published.text
    body = published.json()
    assert (body["state"], body["reviewed_by"], body["version"]) == ("published", "reviewer", 2)
    assert theirs.json()["id"] in ids(api.get("observations/"))


@override_settings(EDITORS_MAY_PUBLISH=True)
def test_a_setting_lets_editors_publish(api, world, people):
    response = api.post("observations/", json=new_observation(world, state="published"), token=people["editor"][1])
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "published"


def test_update_with_the_etag_read(api, world, people):
    token, draft = people["editor"][1], world["draft"]
    read = api.get(f"observations/{draft.pk}/", token=token)
    etag = read.headers["ETag"]
    assert etag.startswith('"v1.')
    updated = api.patch(f"observations/{draft.pk}/", json={"count": 8}, headers={"If-Match": etag}, token=token)
    assert updated.status_code == 200, updated.text
    assert updated.json()["count"] == 8 and updated.json()["version"] == 2
    assert updated.headers["ETag"].startswith('"v2.')
    draft.refresh_from_db()
    assert (draft.count, draft.version) == (8, 2)


def test_stale_write_gets_412_and_changes_nothing(api, world, people):
    token, draft = people["editor"][1], world["draft"]
    etag = api.get(f"observations/{draft.pk}/", token=token).headers["ETag"]
    assert api.patch(f"observations/{draft.pk}/", json={"count": 8}, headers={"If-Match": etag}, token=token).ok
    stale = api.patch(
        f"observations/{draft.pk}/",
        json={"count": 9, "notes": "mine"},
        headers={"If-Match": etag},
        token=people["editor_b"][1],
    )
    assert_error(stale, 412, "version")
    assert stale.json()["current"]["count"] == 8
    stale_field = api.patch(f"observations/{draft.pk}/", json={"count": 9, "version": 1}, token=token)
    assert_error(stale_field, 412, "version")
    draft.refresh_from_db()
    assert (draft.count, draft.notes, draft.version) == (8, "to check", 2)


def test_a_version_may_be_sent_as_digits(api, world, people):
    # As DRF's IntegerField takes "8" for a count, and the editor's forms take the version.
    token, draft = people["editor"][1], world["draft"]
    stale = api.patch(f"observations/{draft.pk}/", json={"count": 9, "version": "2"}, token=token)
    assert_error(stale, 412, "version")
    updated = api.patch(f"observations/{draft.pk}/", json={"count": 8, "version": "1"}, token=token)
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2


@pytest.mark.parametrize(
    ("headers", "body", "status", "field"),
    [
        ({}, {"count": 9}, 428, "detail"),
        ({"If-Match": "*"}, {"count": 9}, 428, "detail"),
        ({"If-Match": "garbage"}, {"count": 9}, 400, "If-Match"),
        ({}, {"count": 9, "version": "one"}, 400, "version"),
        ({}, {"count": 9, "version": True}, 400, "version"),
        ({}, {"count": 9, "version": "0"}, 400, "version"),
        ({}, {"count": 9, "version": 1.5}, 400, "version"),
    ],
)
def test_update_without_a_usable_version(api, world, people, headers, body, status, field):
    response = api.patch(f"observations/{world['draft'].pk}/", json=body, headers=headers, token=people["editor"][1])
    assert_error(response, status, field)
    world["draft"].refresh_from_db()
    assert world["draft"].count == 7


def test_published_observations_are_changed_only_by_those_who_may_publish(api, world, people):
    published = world["published"]
    assert_error(
        api.patch(f"observations/{published.pk}/", json={"count": 1, "version": 1}, token=people["editor"][1]),
        403,
        "detail",
    )
    fixed = api.patch(f"observations/{published.pk}/", json={"count": 5, "version": 1}, token=people["reviewer"][1])
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["state"] == "published"


def test_retraction_keeps_the_row_and_hides_it(api, world, people):
    published = world["published"]
    retract = f"observations/{published.pk}/retract/"
    assert_error(api.post(retract, json={"reason": "x", "version": 1}, token=people["editor"][1]), 403, "detail")
    assert_error(api.post(retract, json={"version": 1}, token=people["reviewer"][1]), 400, "reason")
    assert_error(api.post(retract, json={"reason": "x"}, token=people["reviewer"][1]), 428, "detail")
    response = api.post(retract, json={"reason": "Misidentified aircraft", "version": 1}, token=people["reviewer"][1])
    assert response.status_code == 200, response.text
    assert (response.json()["state"], response.json()["version"]) == ("retracted", 2)
    assert response.headers["ETag"].startswith('"v2.')
    published.refresh_from_db()
    assert (published.state, published.state_reason, published.reviewed_by.username) == (
        "retracted",
        "Misidentified aircraft",
        "reviewer",
    )
    assert published.pk not in ids(api.get("observations/"))
    assert_error(api.get(f"observations/{published.pk}/"), 404, "detail")
    again = api.post(retract, json={"reason": "again", "version": 2}, token=people["reviewer"][1])
    assert_error(again, 400, "action")
    assert_error(
        api.post("observations/999999/retract/", json={"reason": "x", "version": 1}, token=people["reviewer"][1]),
        404,
        "detail",
    )


def test_reject_a_submitted_observation(api, world, people):
    submitted = api.post(
        "observations/", json=new_observation(world, state="submitted"), token=people["editor"][1]
    ).json()
    reject = f"observations/{submitted['id']}/reject/"
    stale = api.post(reject, json={"reason": "x", "version": 99}, token=people["reviewer"][1])
    assert_error(stale, 412, "version")
    assert stale.json()["current"]["state"] == "submitted"
    response = api.post(reject, json={"reason": "No source shows this", "version": 1}, token=people["reviewer"][1])
    assert response.status_code == 200, response.text
    assert Observation.objects.get(pk=submitted["id"]).state == "rejected"
    assert_error(
        api.post(
            f"observations/{world['draft'].pk}/reject/", json={"reason": "x", "version": 1}, token=people["reviewer"][1]
        ),
        400,
        "action",
    )
    assert_error(
        api.post(f"observations/{submitted['id']}/delete/", json={}, token=people["reviewer"][1]), 404, "detail"
    )


def test_nothing_is_deleted(api, world, people):
    response = api.request("DELETE", f"observations/{world['published'].pk}/", token=people["admin"][1])
    assert_error(response, 405, "detail")
    assert Observation.objects.filter(pk=world["published"].pk).exists()


def test_observations_csv_flattens_sources(api, world):
    response = api.get("observations/", params={"format": "csv"})
    assert response.headers["Content-Type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert row["site"] == "base" and row["count"] == "6" and row["state"] == "published"
    assert "<https://imagery.example.org/1>" in row["sources"] and "(2024-12-13, B)" in row["sources"]


def test_csv_cells_cannot_start_formulas(api, world, people):
    Observation.objects.filter(pk=world["published"].pk).update(notes='=HYPERLINK("http://evil")')
    [row] = list(csv.DictReader(io.StringIO(api.get("observations/", params={"format": "csv"}).text)))
    assert row["notes"].startswith("'=")
