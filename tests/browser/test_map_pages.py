"""The map draws lists that take several pages of the API, and nothing until all arrived."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import Error

from basewatch.api.pagination import FeatureCollectionPagination, SitePagination, SiteTotalsPagination
from tests.browser.helpers import wait_for_map
from tests.factories import make_asset_type, make_movement, make_observation, make_site

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = [f"Paged site {i}" for i in range(5)]
# 15° apart at zoom 3 is about 85 pixels: no two markers cluster, all are in view.
VIEW = "lat=20&lng=30&z=3"


@pytest.fixture
def pages_of_two(monkeypatch):
    """Pages of two rows: 5 sites take 3 pages, 3 movements 2 (the live server runs in this process)."""
    for pagination in (SitePagination, SiteTotalsPagination, FeatureCollectionPagination):
        monkeypatch.setattr(pagination, "page_size", 2)
        monkeypatch.setattr(pagination, "max_page_size", 2)


@pytest.fixture
def world(db, pages_of_two):
    """Five sites counting 1 each on 5 December and 2 to 6 from 15 December; 3 movements on 3 December."""
    asset_type = make_asset_type()
    sites = [
        make_site(name=name, slug=f"paged-{i}", location=Point(15 * i, 20, srid=4326)) for i, name in enumerate(NAMES)
    ]
    for i, site in enumerate(sites):
        make_observation(site, asset_type, dt.date(2024, 12, 1), count=1)
        make_observation(site, asset_type, dt.date(2024, 12, 15), count=i + 2)
    for origin, destination in itertools.pairwise(sites[:4]):
        make_movement(origin, destination, asset_type, departed=dt.date(2024, 12, 2), arrived=dt.date(2024, 12, 3))


def badges(page) -> dict[str, str]:
    """Each site marker's number by its title (no clusters at this zoom)."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.leaflet-marker-icon[title]')]
            .map((marker) => [marker.title, marker.querySelector(".site-badge").innerText]))"""
    )


def set_date(page, day: str) -> None:
    page.fill("#date-input", day)
    page.dispatch_event("#date-input", "change")


def test_every_page_of_sites_totals_and_movements_is_drawn(page, world):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"/?as_of=2024-12-05&{VIEW}")
    wait_for_map(page)
    assert badges(page) == {name: "1" for name in NAMES}
    assert page.evaluate("document.body.dataset.sites") == "5"
    assert page.locator("path.movement-line").count() == 3
    assert page.evaluate("document.body.dataset.movements") == "3"
    assert any("/api/v1/site-table/" in url and "page=3" in url for url in requests)
    assert any("/api/v1/movements/" in url and "page=2" in url for url in requests)

    requests.clear()
    set_date(page, "2024-12-20")  # the same sites: their new summaries, in three pages, redraw the markers
    wait_for_map(page)
    assert page.evaluate("document.body.dataset.date") == "2024-12-20"
    assert badges(page) == {name: str(i + 2) for i, name in enumerate(NAMES)}
    assert any("/api/v1/site-table/" in url and "as_of=2024-12-20" in url and "page=3" in url for url in requests)
    assert page.locator("path.movement-line").count() == 3
    assert page.errors == []


def test_a_page_that_fails_leaves_no_partial_map(page, world):
    failing = {"/api/v1/site-table/"}  # whose second page the server cannot give

    def answer(route):
        url = route.request.url
        if "page=2" in url and any(path in url for path in failing):
            route.fulfill(status=503, json={"detail": "The database is unreachable."})
        else:
            route.continue_()

    page.route("**/api/v1/**", answer)
    page.goto(f"/?as_of=2024-12-05&{VIEW}")
    wait_for_map(page)
    assert page.inner_text("#map-message") == "Could not load the map data: The database is unreachable."
    assert page.locator(".leaflet-marker-icon").count() == 0
    assert page.evaluate("document.body.dataset.sites") is None

    failing.clear()
    page.goto(f"/?as_of=2024-12-20&{VIEW}")
    wait_for_map(page)
    assert badges(page) == {name: str(i + 2) for i, name in enumerate(NAMES)}
    failing.add("/api/v1/site-table/")
    set_date(page, "2024-12-05")
    wait_for_map(page)
    # The first page of the table came: none of it is drawn, and the map says what it shows.
    message = "Could not load the map data: The database is unreachable. The map still shows 2024-12-20."
    assert page.inner_text("#map-message") == message
    assert badges(page) == {name: str(i + 2) for i, name in enumerate(NAMES)}
    assert page.evaluate("document.body.dataset.date") == "2024-12-20"
    assert page.errors == []


def test_the_pages_of_a_date_no_longer_wanted_are_not_drawn(page, world):
    page.goto(f"/?as_of=2024-12-05&{VIEW}")
    wait_for_map(page)
    held = []  # the second page of 20 December's site table, kept until the user has moved on
    page.route(
        lambda url: "/api/v1/site-table/" in url and "as_of=2024-12-20" in url and "page=2" in url,
        lambda route: held.append(route),
    )
    set_date(page, "2024-12-20")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the map never asked for the second page of the site table"
    set_date(page, "2024-12-10")
    wait_for_map(page)
    with contextlib.suppress(Error):  # the page may have cancelled it already
        held[0].continue_()
    page.wait_for_timeout(500)  # time to draw it if it were drawn
    assert page.evaluate("document.body.dataset.date") == "2024-12-10"
    assert badges(page) == {name: "1" for name in NAMES}
    assert page.errors == []


def test_a_site_added_between_two_pages_is_not_lost(page, world):
    added = []

    def add_a_site_first(route):
        # Numbered pages shift: page 2 now starts one row later, and the last site would fall off.
        if not added:
            added.append(make_site(name="Paged site 0a", slug="paged-0a", location=Point(7, 40, srid=4326)))
        route.continue_()

    page.route(lambda url: "/api/v1/site-table/" in url and "page=2" in url, add_a_site_first)
    page.goto(f"/?as_of=2024-12-05&{VIEW}")
    wait_for_map(page)
    assert added
    assert sorted(badges(page)) == sorted([*NAMES, "Paged site 0a"])
    assert page.evaluate("document.body.dataset.sites") == "6"
    assert page.errors == []
