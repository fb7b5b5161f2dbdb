"""OGC API - Features: conditional GET from the data version, and paging in the `Link` header."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_asset_type, make_observation, make_site, make_token

pytestmark = pytest.mark.django_db

QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"

EVERY_GET = [
    "/ogc/",
    "/ogc/conformance",
    "/ogc/api",
    "/ogc/collections",
    "/ogc/collections/sites",
    "/ogc/collections/sites/items",
    "/ogc/collections/sites/items/alpha",
    "/ogc/collections/observations/items",
    "/ogc/collections/movements/items",
]


@pytest.fixture
def sites():
    jets = make_asset_type(slug="jets")
    alpha = make_site(slug="alpha")
    make_observation(alpha, jets, dt.date(2024, 12, 1), count=3)
    return [alpha, make_site(slug="beta"), make_site(slug="gamma")]


@pytest.mark.parametrize("path", EVERY_GET)
def test_every_get_has_a_data_etag_and_last_modified_and_answers_304(client, sites, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["ETag"].startswith('"o')
    assert response.has_header("Last-Modified")
    again = client.get(path, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == response["ETag"]
    assert "Authorization" in again["Vary"]
    dated = client.get(path, headers={"If-Modified-Since": response["Last-Modified"]})
    assert dated.status_code == 304


def test_a_write_changes_the_etag(client, sites):
    before = client.get("/ogc/collections/sites/items")
    make_site(slug="delta")
    after = client.get("/ogc/collections/sites/items", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "delta" in [feature["id"] for feature in after.json()["features"]]


def test_the_etag_names_the_query_and_who_is_asking(client, sites):
    public = client.get("/ogc/collections/observations/items")
    token = make_token("viewer")
    viewer = client.get(
        "/ogc/collections/observations/items",
        headers={"Authorization": f"Token {token}", "If-None-Match": public["ETag"]},
    )
    assert viewer.status_code == 200  # a viewer sees drafts: the public's copy is not theirs
    assert viewer["ETag"] != public["ETag"]
    other_page = client.get("/ogc/collections/observations/items?limit=1")
    assert other_page["ETag"] != public["ETag"]


def test_errors_carry_no_etag(client, sites):
    response = client.get("/ogc/collections/sites/items?limit=0")
    assert response.status_code == 400
    assert not response.has_header("Last-Modified")
    assert not response["ETag"].startswith('"o')  # only the middleware's hash of the error body, if any


def href(page, rel: str) -> str:
    return {link["rel"]: link["href"] for link in page.json()["links"]}[rel]


def header(page, *rels: str) -> str:
    types = {QUERYABLES: "application/schema+json"}
    return ", ".join(
        f'<{href(page, rel)}>; rel="{rel}"; type="{types.get(rel, "application/geo+json")}"' for rel in rels
    )


def test_items_pages_link_self_next_and_prev_in_the_header_as_in_the_body(client, sites):
    first = client.get("/ogc/collections/sites/items?limit=1")
    assert first["Link"] == header(first, "self", QUERYABLES, "next")
    middle = client.get(href(first, "next"))
    assert middle["Link"] == header(middle, "self", QUERYABLES, "next", "prev")
    last = client.get(href(middle, "next"))
    assert last["Link"] == header(last, "self", QUERYABLES, "prev")
    assert [feature["id"] for feature in last.json()["features"]] == ["gamma"]


def test_a_single_page_links_itself_and_its_queryables_in_the_header(client, sites):
    page = client.get("/ogc/collections/sites/items")
    assert page["Link"] == header(page, "self", QUERYABLES)
    assert href(page, QUERYABLES) == "http://testserver/ogc/collections/sites/queryables"
