"""Two 500s that hostile input reached, found with third-party tools, now clear 400s."""

from __future__ import annotations

import pytest
from django.test import Client

from basewatch.api.parsers import MAX_DEPTH
from basewatch.core.models import LoginFailure, Site
from tests.factories import make_token, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["username", "password"])
def test_login_with_a_nul_character_is_a_400(field):
    """The throttle looked the name up in PostgreSQL, which cannot hold NUL: a 500, unlimited."""
    make_user("editor", username="ana")
    values = {"username": "ana", "password": "a-long-test-password", field: "an\x00a"}
    response = Client().post("/accounts/login/", values)
    assert response.status_code == 400
    assert b"NUL" in response.content
    assert not LoginFailure.objects.exists()
    assert "_auth_user_id" not in Client().session


def _nested(depth: int) -> str:
    return '{"name": ' * depth + '"x"' + "}" * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_json_nested_too_deep_is_a_400(depth):
    """A thousand levels made Python's JSON decoder recurse past its limit: a 500."""
    api = Client(headers={"Authorization": f"Token {make_token('editor')}"})
    response = api.generic("POST", "/api/v1/asset-types/", _nested(depth), content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert "nested" in response.json()["detail"]


def test_the_deepest_document_basewatch_reads_still_parses():
    """A site with a MultiPolygon footprint is the deepest body the API takes."""
    api = Client(headers={"Authorization": f"Token {make_token('editor')}"})
    ring = [[35.9, 35.4], [35.95, 35.4], [35.95, 35.45], [35.9, 35.4]]
    body = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [35.92, 35.42]},
        "properties": {
            "slug": "deep",
            "name": "Deep",
            "kind": "air_base",
            "operator": "RU",
            "host_country": "SY",
            "footprint": {"type": "MultiPolygon", "coordinates": [[ring]]},
        },
    }
    response = api.post("/api/v1/sites/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    assert Site.objects.get(slug="deep").footprint.num_coords == 4
