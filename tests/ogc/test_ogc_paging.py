"""OGC API - Features: items paged by keyset cursor, in each collection's stable order.

Following `next` from the first page reads every feature exactly once, in order; following
`prev` from the last gives the same pages back; numberMatched is on every page; the
filters ride along in the links; a cursor the API did not give out is a 400 naming it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.db.models import F

from basewatch.core.models import Movement, Observation, Site
from basewatch.lib import cursor
from tests.factories import make_asset_type, make_movement, make_observation, make_site, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Eleven sites; observations and movements with several on one day (their ids break the tie); drafts."""
    sites = [make_site(slug=f"site-{letter}") for letter in "kbjcaihdgef"]
    jets = make_asset_type(slug="jets")
    for n in range(13):
        make_observation(sites[n % 3], jets, dt.date(2024, 12, 1 + n % 4), count=n)
        departed = dt.date(2024, 11, 1 + n % 3) if n % 2 else None  # a journey starts on its departure, else arrival
        make_movement(sites[n % 3], sites[3], jets, departed=departed, arrived=dt.date(2024, 11, 10 + n % 2))
    make_observation(sites[0], jets, dt.date(2024, 12, 2), count=99, state="draft")
    make_movement(sites[0], sites[1], jets, arrived=dt.date(2024, 11, 3), state="submitted")


def in_order(collection: str) -> list:
    """Every feature id of `collection` the public may read, in its paging order."""
    if collection == "sites":
        return list(Site.objects.order_by("slug").values_list("slug", flat=True))
    if collection == "observations":
        return list(Observation.objects.published().order_by("-observed", "-id").values_list("id", flat=True))
    journeys = Movement.objects.published().with_journey().order_by(F("journey_start").desc(), "-id")
    return list(journeys.values_list("id", flat=True))


def walk(client, url: str, rel: str, headers: dict | None = None) -> list[list]:
    """Follow `rel` links from `url`; the ids on each page, in the order read."""
    pages = []
    while url:
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([feature["id"] for feature in body["features"]])
        assert body["numberReturned"] == len(pages[-1])
        links = {link["rel"]: link["href"] for link in body["links"]}
        assert (links.get(rel) is not None) == (f'rel="{rel}"' in response["Link"])  # body and header agree
        url = links.get(rel)
    return pages


@pytest.mark.parametrize("collection", ["sites", "observations", "movements"])
def test_next_links_read_every_feature_once_in_order_and_prev_links_read_them_back(client, world, collection):
    first = f"/ogc/collections/{collection}/items?limit=3"
    forward = walk(client, first, "next")
    expected = in_order(collection)
    assert [pk for page in forward for pk in page] == expected
    assert all(len(page) == 3 for page in forward[:-1]) and len(forward) >= 4
    last = client.get(first).json()
    while following := {link["rel"]: link["href"] for link in last["links"]}.get("next"):
        last = client.get(following).json()
        assert last["numberMatched"] == len(expected)
    here = {link["rel"]: link["href"] for link in last["links"]}["self"]
    assert walk(client, here, "prev") == forward[::-1]
    assert "prev" not in {link["rel"] for link in client.get(first).json()["links"]}


def test_a_viewer_pages_through_drafts_too(client, world):
    headers = {"Authorization": f"Token {make_token('viewer')}"}
    pages = walk(client, "/ogc/collections/observations/items?limit=4", "next", headers)
    everything = list(Observation.objects.order_by("-observed", "-id").values_list("id", flat=True))
    assert [pk for page in pages for pk in page] == everything


def test_filters_ride_along_in_the_links(client, world):
    url = "/ogc/collections/observations/items?limit=2&filter=count%20%3E%204&datetime=2024-12-02/.."
    pages = walk(client, url, "next")
    wanted = Observation.objects.published().filter(count__gt=4, observed__gte=dt.date(2024, 12, 2))
    assert [pk for page in pages for pk in page] == list(
        wanted.order_by("-observed", "-id").values_list("id", flat=True)
    )
    assert len(pages) >= 2


def test_rows_added_while_paging_neither_repeat_nor_shift_later_pages(client, world):
    first = client.get("/ogc/collections/observations/items", {"limit": 5}).json()
    boundary = Observation.objects.get(pk=first["features"][-1]["id"])
    make_observation(boundary.site, boundary.asset_type, dt.date(2024, 12, 20))  # newer than every page
    make_observation(boundary.site, boundary.asset_type, boundary.observed)  # the boundary's day, a higher id
    following = {link["rel"]: link["href"] for link in first["links"]}["next"]
    rest = walk(client, following, "next")
    seen = [feature["id"] for feature in first["features"]] + [pk for page in rest for pk in page]
    assert len(seen) == len(set(seen)) == 13


def test_past_the_end_is_an_empty_page_leading_back_to_the_first(client, world):
    oldest = Observation.objects.published().order_by("observed", "id").first()
    position = cursor.encode(False, oldest.observed, oldest.pk)
    body = client.get("/ogc/collections/observations/items", {"cursor": position}).json()
    assert body["features"] == [] and body["numberMatched"] == 13
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert "next" not in links and "cursor" not in links["prev"]


def packed(position) -> str:
    """A cursor-shaped string holding `position`, as a client might forge one."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("collection", "value"),
    [
        ("observations", ""),
        ("observations", "not-a-cursor"),
        ("observations", packed(["a", "site-a", 1])),  # a site's cursor: a slug where a date belongs
        ("observations", packed(["a", "2024-13-01", 1])),
        ("observations", packed(["a", "2024-12-01", 0])),
        ("observations", packed(["a", "2024-12-01", 2**70])),
        ("movements", packed(["x", "2024-12-01", 1])),
        ("sites", packed(["a", "site\u0000", 1])),  # PostgreSQL text holds no NUL
        ("sites", packed(["a", 5, 1])),
        ("sites", "A" * 5000),
    ],
)
def test_a_cursor_the_api_did_not_give_out_is_a_400_naming_it(client, world, collection, value):
    response = client.get(f"/ogc/collections/{collection}/items", {"cursor": value})
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == "cursor"


def test_offset_is_refused_with_the_way_to_page(client, world):
    response = client.get("/ogc/collections/sites/items", {"offset": "3"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "offset"
    assert "`next`" in response.json()["description"]


@pytest.mark.parametrize("collection", ["sites", "observations", "movements"])
def test_a_deep_page_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries, collection):
    third = walk(client, f"/ogc/collections/{collection}/items?limit=2", "next")[2]
    assert third
    first = client.get(f"/ogc/collections/{collection}/items", {"limit": 2}).json()
    url = {link["rel"]: link["href"] for link in first["links"]}["next"]
    # the data version (ETag), count, page, sources (prefetched), and a savepoint from the test client.
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200
