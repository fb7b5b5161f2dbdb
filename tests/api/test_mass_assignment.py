"""Server-owned fields cannot be set by clients, and anonymous readers never see editors' data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from basewatch.core.models import Asset, Observation, Site, Source
from tests.factories import (
    make_asset_type,
    make_movement,
    make_observation,
    make_site,
    make_source,
    make_token,
    make_user,
)

pytestmark = pytest.mark.django_db

# What a client might try to set that only the server decides.
FORGED = {
    "id": 987654,
    "pk": 987654,
    "entered_by": "forger",
    "reviewed_by": "forger",
    "reviewed_at": "2020-01-01T00:00:00Z",
    "state_reason": "forged",
    "created": "2020-01-01T00:00:00Z",
    "updated": "2020-01-01T00:00:00Z",
}


@pytest.fixture
def world():
    make_user("admin", username="forger")
    site, other = make_site(slug="alpha"), make_site(slug="beta")
    jets = make_asset_type(slug="jets")
    return {"site": site, "other": other, "jets": jets, "source": make_source()}


def assert_server_owned(row, editor_name: str) -> None:
    assert row.pk != 987654
    assert row.created.year > 2020 and row.updated.year > 2020
    for name in ("entered_by", "reviewed_by"):
        assert getattr(getattr(row, name, None), "username", editor_name) in (editor_name, None)
    assert getattr(row, "state_reason", "") != "forged"


def test_api_creates_ignore_server_owned_fields(api, world):
    token = make_token("editor", username="honest-editor")
    body = {
        "site": "alpha",
        "asset_type": "jets",
        "observed": "2024-12-01",
        "count": 2,
        "source_ids": [world["source"].pk],
    }
    created = api.post("observations/", json={**body, **FORGED, "version": 9}, token=token)
    assert created.status_code == 201, created.text
    observation = Observation.objects.get(pk=created.json()["id"])
    assert_server_owned(observation, "honest-editor")
    assert (observation.version, observation.state, observation.reviewed_by) == (1, "draft", None)

    source = api.post("sources/", json={"kind": "news_report", "title": "Report", **FORGED}, token=token)
    assert source.status_code == 201, source.text
    assert_server_owned(Source.objects.get(pk=source.json()["id"]), "honest-editor")
    asset = api.post("assets/", json={"asset_type": "jets", "registration": "RF-1", **FORGED}, token=token)
    assert asset.status_code == 201, asset.text
    assert Asset.objects.get(registration="RF-1").pk != 987654
    feature = {
        "type": "Feature",
        "id": "forged-slug",
        "geometry": {"type": "Point", "coordinates": [36.0, 35.0]},
        "properties": {"slug": "gamma", "name": "Gamma", "kind": "other", "operator": "RU", "host_country": "SY"}
        | {key: value for key, value in FORGED.items() if key != "id"},
    }
    site = api.post("sites/", json=feature, token=token)
    assert site.status_code == 201, site.text
    assert_server_owned(Site.objects.get(slug="gamma"), "honest-editor")
    assert not Site.objects.filter(slug="forged-slug").exists()


def test_api_updates_ignore_server_owned_fields(api, world):
    author = make_user("editor", username="author")
    observation = make_observation(world["site"], world["jets"], dt.date(2024, 12, 1), state="draft", entered_by=author)
    before = Observation.objects.values().get(pk=observation.pk)
    token = make_token("editor", username="honest-editor")
    patched = api.patch(
        f"observations/{observation.pk}/", json={"notes": "edited", "version": 1, **FORGED}, token=token
    )
    assert patched.status_code == 200, patched.text
    after = Observation.objects.values().get(pk=observation.pk)
    assert after["notes"] == "edited" and after["version"] == 2
    for name in ("id", "entered_by_id", "reviewed_by_id", "reviewed_at", "state_reason", "created"):
        assert after[name] == before[name], name


@pytest.mark.parametrize("state", ["published", "rejected", "retracted"])
def test_editors_cannot_set_a_workflow_state_they_may_not_give(api, world, state):
    token = make_token("editor")
    body = {"site": "alpha", "asset_type": "jets", "observed": "2024-12-01", "source_ids": [world["source"].pk]}
    # The state asked for is the workflow action leading there, which core refuses: 403 for the
    # role (publish), 400 for a move that does not exist (draft → rejected) or lacks its reason.
    created = api.post("observations/", json={**body, "state": state}, token=token)
    assert created.status_code in (400, 403) and {"state", "action", "reason"} & set(created.json()), created.text
    draft = make_observation(world["site"], world["jets"], dt.date(2024, 12, 2), state="draft")
    patched = api.patch(f"observations/{draft.pk}/", json={"state": state, "version": 1}, token=token)
    assert patched.status_code in (400, 403) and {"state", "action"} & set(patched.json()), patched.text
    assert Observation.objects.filter(state=state).count() == 0


def test_forms_ignore_server_owned_fields(world):
    editor = make_user("editor", username="form-editor")
    client = Client()
    client.force_login(editor)
    response = client.post(
        "/new/observation/",
        {
            "site": world["site"].pk,
            "asset_type": world["jets"].pk,
            "observed": "2024-12-05",
            "observed_precision": "day",
            "count": "3",
            "activity": "present",
            "credibility": "2",
            "presence": "based",
            "sources": [world["source"].pk],
            "action": "save",
            "state": "published",
            "version": "7",
            "new_source-TOTAL_FORMS": "0",
            "new_source-INITIAL_FORMS": "0",
            **{key: value for key, value in FORGED.items() if key not in ("entered_by", "reviewed_by")},
            "entered_by": make_user("admin").pk,
            "reviewed_by": make_user("admin").pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    observation = Observation.objects.get(observed=dt.date(2024, 12, 5))
    assert_server_owned(observation, "form-editor")
    assert (observation.state, observation.version, observation.reviewed_by) == ("draft", 1, None)


EDITOR_ONLY = ("entered_by", "reviewed_by", "reviewed_at", "state_reason", "email")


def test_anonymous_readers_never_see_editors_or_unpublished_work(api, world):
    author = make_user("editor", username="secret-author")
    author.email = "secret-author@example.org"
    author.save()
    make_observation(world["site"], world["jets"], dt.date(2024, 12, 1), entered_by=author, reviewed_by=author)
    make_observation(world["site"], world["jets"], dt.date(2024, 12, 2), state="draft", notes="draft-only note")
    make_movement(world["site"], world["other"], world["jets"], entered_by=author, state_reason="internal reason")
    paths = ["sites/", "sites/alpha/", "sites/alpha/timeseries/", "observations/", "movements/", "sources/"]
    for path in [*paths, "observations/?format=csv", "sites/?format=csv"]:
        response = api.get(path)
        assert response.status_code == 200, path
        for secret in ("secret-author", "draft-only note", "internal reason", *EDITOR_ONLY):
            assert secret not in response.text, (path, secret)
    anonymous = Client()
    for page in ["/", "/sites/alpha/", "/observations/"]:
        html = anonymous.get(page).content.decode()
        for secret in ("secret-author", "draft-only note", "internal reason"):
            assert secret not in html, (page, secret)
    signed_in = api.get("observations/", token=make_token("viewer")).json()["results"]
    assert {item["entered_by"] for item in signed_in} >= {"secret-author"}  # the check above can see them
    assert re.search("secret-author", api.get("movements/", token=make_token("viewer")).text)
