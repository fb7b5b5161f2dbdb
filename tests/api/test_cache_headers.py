"""Cache-Control: anonymous API and OGC API reads may be kept by a CDN for a few seconds;
answers to a session or a token never by a shared cache. And If-None-Match compared weakly,
as it comes back through nginx's gzip."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_site, make_token, make_user

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str | None]:
    value = response.headers.get("Cache-Control", "")
    return {name: number for name, _, number in (part.strip().partition("=") for part in value.split(",")) if name}


def assert_public(response, max_age: int = 10, stale: int = 30) -> None:
    found = directives(response)
    assert "public" in found and "private" not in found, response.headers.get("Cache-Control")
    assert found["max-age"] == str(max_age) and found["stale-while-revalidate"] == str(stale)
    vary = {name.strip() for name in response.headers["Vary"].split(",")}
    assert {"Accept", "Authorization", "Cookie"} <= vary


def assert_private(response) -> None:
    found = directives(response)
    assert "private" in found and "no-cache" in found, response.headers.get("Cache-Control")
    assert "public" not in found and "max-age" not in found and "stale-while-revalidate" not in found


def test_anonymous_reads_are_public_for_a_short_while(api):
    make_site(slug="khmeimim")
    first = api.get("sites/")
    assert first.status_code == 200
    assert_public(first)
    kept = api.get("sites/")  # from the response cache
    assert getattr(kept.response, "from_cache", False)
    assert_public(kept)
    not_modified = api.get("sites/", headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304
    assert_public(not_modified)
    for path, params in [
        ("sites/khmeimim/", {}),
        ("sites/khmeimim/timeseries/", {}),
        ("observations/", {}),
        ("sites/", {"format": "csv"}),
        ("sites/", {"format": "kml"}),
    ]:
        response = api.get(path, params=params)
        assert response.status_code == 200, (path, params)
        assert_public(response)


def test_the_lifetimes_are_settings(api, settings):
    settings.API_MAX_AGE, settings.API_STALE_WHILE_REVALIDATE = 3, 7
    assert_public(api.get("asset-types/"), max_age=3, stale=7)


def test_token_and_session_answers_are_private(api):
    make_site(slug="khmeimim")
    for role in ("viewer", "editor"):
        assert_private(api.get("sites/", token=make_token(role)))
    # A token holding no role sees what anonymous clients see, but its answer is still its own.
    assert_private(api.get("sites/", token=make_token(None)))
    refused = api.get("sites/", token="no-such-token")
    assert refused.status_code == 401
    assert_private(refused)
    browser = Client()
    browser.force_login(make_user("editor"))
    assert_private(browser.get("/api/v1/sites/"))
    assert_private(browser.get("/ogc/collections/sites/items"))


def test_errors_and_writes_are_not_public(api):
    bad = api.get("sites/", params={"as_of": "2024-13-45"})
    assert bad.status_code == 400
    assert "public" not in directives(bad)
    created = api.post("sources/", json={"kind": "news_report", "title": "A report"}, token=make_token("editor"))
    assert created.status_code == 201
    assert_private(created)


def test_ogc_api_reads_follow_the_same_rule(api):
    make_site(slug="khmeimim")
    client = Client()
    items = client.get("/ogc/collections/sites/items")
    assert items.status_code == 200
    assert_public(items)
    html = client.get("/ogc/collections/sites/items", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert_public(html)
    token = {"Authorization": f"Token {make_token('viewer')}"}
    assert_private(client.get("/ogc/collections/sites/items", headers=token))


def test_a_weak_etag_sent_back_is_a_match(api):
    """nginx's gzip sends ETag: W/"d…"; a client revalidating sends that back."""
    make_site(slug="khmeimim")
    etag = api.get("sites/").headers["ETag"]
    assert etag.startswith('"d')
    assert api.get("sites/", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert api.get("sites/", headers={"If-None-Match": f'W/"x{etag[1:]}'}).status_code == 200
    ogc = Client().get("/ogc/collections/sites/items")
    again = Client().get("/ogc/collections/sites/items", headers={"If-None-Match": f"W/{ogc['ETag']}"})
    assert again.status_code == 304
