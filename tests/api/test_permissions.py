"""Every write endpoint and role: who may write, and that a refused write changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source
from tests.factories import (
    make_asset,
    make_asset_type,
    make_movement,
    make_observation,
    make_site,
    make_source,
    make_token,
    make_user,
)

pytestmark = pytest.mark.django_db

MODELS = [Site, AssetType, Asset, Source, Observation, Movement]


@pytest.fixture
def rows():
    site, other = make_site(slug="a"), make_site(slug="b")
    jets = make_asset_type(slug="jets")
    source = make_source()
    author = make_user("editor", username="author")
    return {
        "site": site,
        "asset_type": jets,
        "asset": make_asset(asset_type=jets),
        "source": source,
        "observation": make_observation(site, jets, dt.date(2024, 12, 1), state="submitted", entered_by=author),
        "movement": make_movement(site, other, jets, state="submitted", entered_by=author),
    }


def writes(rows) -> list[tuple[str, str, dict, str]]:
    """(method, path, body, who may): "editor" or "reviewer" (and the roles above)."""
    obs, move = rows["observation"].pk, rows["movement"].pk
    source = [rows["source"].pk]
    return [
        (
            "POST",
            "sites/",
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [1, 2]},
                "properties": {"slug": "new", "name": "New", "kind": "other", "operator": "RU", "host_country": "SY"},
            },
            "editor",
        ),
        ("PATCH", "sites/a/", {"properties": {"name": "Renamed"}, "version": 1}, "editor"),
        (
            "POST",
            "observations/",
            {"site": "a", "asset_type": "jets", "observed": "2024-12-02", "count": 1, "source_ids": source},
            "editor",
        ),
        ("PATCH", f"observations/{obs}/", {"count": 3, "version": 1}, "editor"),
        ("POST", f"observations/{obs}/reject/", {"reason": "no", "version": 1}, "reviewer"),
        ("POST", f"observations/{obs}/retract/", {"reason": "no", "version": 1}, "reviewer"),
        ("POST", f"observations/{obs}/publish/", {"version": 1}, "reviewer"),
        ("POST", f"observations/{obs}/withdraw/", {"version": 1}, "editor"),
        (
            "POST",
            "movements/",
            {"origin": "a", "destination": "b", "asset_type": "jets", "arrived": "2024-12-02", "source_ids": source},
            "editor",
        ),
        ("PATCH", f"movements/{move}/", {"count": 3, "version": 1}, "editor"),
        ("POST", f"movements/{move}/reject/", {"reason": "no", "version": 1}, "reviewer"),
        ("POST", f"movements/{move}/retract/", {"reason": "no", "version": 1}, "reviewer"),
        ("POST", "asset-types/", {"slug": "su-34", "name": "Su-34", "category": "fixed_wing_combat"}, "editor"),
        ("PATCH", "asset-types/jets/", {"nato_name": "Jet", "version": 1}, "editor"),
        ("POST", "assets/", {"asset_type": "jets", "registration": "RF-95070"}, "editor"),
        ("PATCH", f"assets/{rows['asset'].pk}/", {"name": "Renamed", "version": 1}, "editor"),
        ("POST", "sources/", {"kind": "news_report", "title": "New report"}, "editor"),
        ("PATCH", f"sources/{rows['source'].pk}/", {"title": "Renamed", "version": 1}, "editor"),
    ]


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


REFUSED = {None: 401, "nobody": 403, "viewer": 403}


WRITES = 18


def test_every_write_is_a_case(rows):
    assert len(writes(rows)) == WRITES


@pytest.mark.parametrize("index", range(WRITES))
def test_write_matrix(api, rows, index):
    method, path, body, who_may = writes(rows)[index]
    before = snapshot()
    for role, status in [*REFUSED.items(), *([("editor", 403)] if who_may == "reviewer" else [])]:
        token = make_token(None if role == "nobody" else role) if role else None
        response = api.request(method, path, json=body, token=token)
        assert response.status_code == status, (role, method, path, response.text)
        assert snapshot() == before, (role, method, path)
    allowed = api.request(method, path, json=body, token=make_token(who_may))
    assert allowed.status_code in (200, 201), (who_may, method, path, allowed.text)


def test_session_writes_need_the_csrf_token(api, rows):
    """A browser session may write like a token, but only with its CSRF token."""
    browser = Client()
    browser.force_login(make_user("editor", username="browser-editor"))
    api.client.cookies["sessionid"] = browser.cookies["sessionid"].value
    body = {"kind": "news_report", "title": "From the browser"}
    refused = api.post("sources/", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    secret = "k" * 32  # any 32-letter secret, sent as cookie and header
    api.client.cookies["csrftoken"] = secret
    accepted = api.post("sources/", json=body, headers={"X-CSRFToken": secret})
    assert accepted.status_code == 201, accepted.text
    assert Source.objects.filter(title="From the browser").count() == 1
