"""The map page in real Chromium, on the demo data."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point

from tests.browser.helpers import screenshot, set_date, wait_for_map
from tests.factories import make_site

pytestmark = pytest.mark.django_db(transaction=True)

# Close enough to Khmeimim that it is not clustered with Tartus.
KHMEIMIM_VIEW = "lat=35.40&lng=35.95&z=10"


def open_popup(page, name: str) -> str:
    page.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 0")
    page.locator(f'.leaflet-marker-icon[title="{name}"]').click()
    popup = page.locator(".leaflet-popup-content .site-popup[data-loaded]")
    popup.wait_for()
    return popup.inner_text()


def test_map_shows_the_demo_sites_and_movements(page, demo):
    page.goto("/?as_of=2024-12-20&lat=25&lng=15&z=3")
    wait_for_map(page)
    assert page.evaluate("document.body.dataset.sites") == "4"
    assert page.evaluate("document.body.dataset.movements") == "2"
    assert page.locator("path.movement-line").count() == 2
    assert page.locator(".map-legend").inner_text().count("Russia") == 1
    screenshot(page, "map")
    assert page.errors == []


def test_date_change_redraws_khmeimim_posture(page, demo):
    page.goto(f"/?as_of=2024-11-01&{KHMEIMIM_VIEW}")
    wait_for_map(page)
    november = open_popup(page, "Khmeimim Air Base")
    assert "S-400" in november and "present" in november
    assert "An-124" not in november
    set_date(page, "2024-12-20")
    december = open_popup(page, "Khmeimim Air Base")
    assert "An-124 Ruslan\t2" in december and "Ka-52 Alligator\t1" in december
    assert "2024-12-13" in december
    assert "as_of=2024-12-20" in page.url


def badge(page, name: str) -> str:
    return page.locator(f'.leaflet-marker-icon[title="{name}"] .site-badge').inner_text()


def test_a_date_change_redraws_the_totals_and_a_filter_change_the_sites(page, demo):
    page.goto(f"/?as_of=2024-11-01&{KHMEIMIM_VIEW}")
    wait_for_map(page)
    assert badge(page, "Khmeimim Air Base") == "+"  # an S-400 unit present, not counted: not 0
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    marker = page.locator('.leaflet-marker-icon[title="Khmeimim Air Base"]').element_handle()
    set_date(page, "2024-12-20")  # the same sites: the markers stay and take the new totals
    assert badge(page, "Khmeimim Air Base") == "1+"  # the An-124s pass through: not counted
    assert page.evaluate("(marker) => marker.isConnected", marker)
    tables = [url for url in requests if "/api/v1/site-table/" in url]
    assert len(tables) == 1 and "as_of=2024-12-20" in tables[0]
    assert "columns=summary" in tables[0]  # the sites are placed: their summaries are all it needs
    assert not any("/api/v1/sites/?" in url for url in requests)  # the site table says all the map draws
    page.select_option("select[name=category]", "helicopter")  # other sites: drawn afresh
    wait_for_map(page)
    assert page.evaluate("document.body.dataset.sites") == "1"
    assert badge(page, "Khmeimim Air Base") == "1"  # the Ka-52 alone
    tables = [url for url in requests if "/api/v1/site-table/" in url]
    assert len(tables) == 2 and "category=helicopter" in tables[1] and "columns" not in tables[1]
    set_date(page, "2024-11-01")  # no helicopter anywhere yet: the table names other sites
    assert "columns" not in [url for url in requests if "/api/v1/site-table/" in url][2]
    assert page.evaluate("document.body.dataset.sites") == "0"
    assert "No sites match these filters." in page.inner_text("#map-message")
    assert page.errors == []


def test_a_site_added_meanwhile_is_drawn_on_the_next_date_change(page, demo):
    """A date change asks for the summaries of the sites drawn; when the table no longer lists
    the same sites (an editor added one), it asks for all of their columns and draws them afresh."""
    page.goto(f"/?as_of=2024-12-20&{KHMEIMIM_VIEW}")
    wait_for_map(page)
    drawn = int(page.evaluate("document.body.dataset.sites"))
    make_site(slug="new-base", name="New Base", location=Point(35.80, 35.30, srid=4326))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    set_date(page, "2024-12-13")
    assert int(page.evaluate("document.body.dataset.sites")) == drawn + 1
    page.locator('.leaflet-marker-icon[title="New Base"]').wait_for()
    tables = [url for url in requests if "/api/v1/site-table/" in url]
    assert len(tables) == 2 and "columns=summary" in tables[0] and "columns" not in tables[1]
    assert page.errors == []


def test_a_shared_url_restores_the_view_and_back_steps_through_changes(page, demo):
    page.goto("/?as_of=2024-12-20&kind=naval_base&lat=34.9&lng=35.87&z=8")
    wait_for_map(page)
    assert page.input_value("#date-input") == "2024-12-20"
    assert page.input_value("select[name=kind]") == "naval_base"
    assert page.evaluate("document.body.dataset.sites") == "1"
    assert "z=8" in page.url and "lat=34.9" in page.url
    page.select_option("select[name=kind]", "")
    wait_for_map(page)
    assert page.evaluate("document.body.dataset.sites") == "4"
    page.go_back()
    wait_for_map(page)
    assert page.input_value("select[name=kind]") == "naval_base"
    assert page.evaluate("document.body.dataset.sites") == "1"


def test_a_link_shared_before_as_of_was_named_opens_on_its_date(page, demo):
    page.goto(f"/?date=2024-11-01&{KHMEIMIM_VIEW}")  # not the newest date, which the map opens on by default
    wait_for_map(page)
    assert page.input_value("#date-input") == "2024-11-01"
    assert page.evaluate("document.body.dataset.date") == "2024-11-01"
    assert badge(page, "Khmeimim Air Base") == "+"
    query = parse_qs(urlsplit(page.url).query)
    assert query["as_of"] == ["2024-11-01"] and "date" not in query


def test_empty_states(page, demo):
    page.goto("/?as_of=2024-12-20&q=atlantis")
    wait_for_map(page)
    assert "No sites match these filters." in page.inner_text("#map-message")
    page.goto("/?as_of=2020-01-01")
    wait_for_map(page)
    assert "No observations before 2024-11-01" in page.inner_text("#map-message")


def test_the_map_works_with_tiles_blocked(page, demo):
    page.goto("/?as_of=2024-12-20")
    wait_for_map(page)
    page.locator("#tile-notice").wait_for()
    assert "could not be loaded" in page.inner_text("#tile-notice")
    assert page.evaluate("document.body.dataset.sites") == "4"


def test_movements_show_counts_and_dates_on_click(page, demo):
    page.goto("/?as_of=2024-12-20&lat=22&lng=8&z=4")
    wait_for_map(page)
    # The middle of the al-Khadim → Bamako line, in page pixels.
    middle = page.evaluate(
        """() => {
            const map = window.basewatchMap;
            const a = map.latLngToContainerPoint([31.9987, 21.1953]);
            const b = map.latLngToContainerPoint([12.5335, -7.9499]);
            const box = map.getContainer().getBoundingClientRect();
            return {x: box.left + (a.x + b.x) / 2, y: box.top + (a.y + b.y) / 2};
        }"""
    )
    page.mouse.click(middle["x"], middle["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "al-Khadim Air Base → Bamako–Sénou (Base Aérienne 101)" in text
    assert "Il-76TD RA-76845, EMERCOM of Russia (MChS)" in text and "arrived 2024-12-17" in text


def test_controls_are_reachable_by_keyboard(page, demo):
    page.goto("/?as_of=2024-12-20")
    wait_for_map(page)
    reached = set()
    for _ in range(25):  # the menu first, then the controls
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id || document.activeElement.name || ''"))
    assert {"step-back", "date-slider", "step-forward", "date-input", "play", "step", "operator", "q"} <= reached
    page.focus("#step-back")
    page.keyboard.press("Enter")  # back to the data date before
    wait_for_map(page)
    assert "as_of=2024-12-17" in page.url
    assert page.input_value("#date-input") == "2024-12-17"


def test_the_map_opens_on_the_newest_data_with_its_movements(page, demo):
    page.goto("/")
    wait_for_map(page)
    assert page.input_value("#date-input") == "2024-12-17"
    assert page.evaluate("document.body.dataset.movements") == "2"
    assert "as_of=2024-12-17" in page.url


def test_the_kml_link_follows_the_date_and_the_filters(page, demo):
    page.goto(f"/?as_of=2024-11-01&{KHMEIMIM_VIEW}")
    wait_for_map(page)
    set_date(page, "2024-12-20")
    page.select_option("select[name=category]", "helicopter")
    wait_for_map(page)
    href = page.get_attribute("#sites-kml", "href")
    query = parse_qs(urlsplit(href).query)
    assert query["as_of"] == ["2024-12-20"] and query["category"] == ["helicopter"] and query["format"] == ["kml"]
    assert "period" not in query  # the movements' period does not narrow the sites
    # The file holds what the map draws: Khmeimim alone, its Ka-52 on that day.
    kml = page.evaluate("async (url) => (await fetch(url)).text()", href)
    assert kml.count("<Placemark>") == 1
    assert "Khmeimim Air Base (1)" in kml and "<when>2024-12-20</when>" in kml
    set_date(page, "2024-11-01")
    assert parse_qs(urlsplit(page.get_attribute("#sites-kml", "href")).query)["as_of"] == ["2024-11-01"]
    assert page.errors == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?as_of=2024-12-20&lat=35.4&lng=35.95&z=6",
        "?date=2024-12-10&operator=RU&kind=air_base&q=air%20base~*&period=90",
        "?period=abc",  # a period the map does not offer is its 30 days (a 500 for `²` before)
        "?period=%C2%B2",
        # Dates the map does not take as they are: read as the newest data's, or as today.
        "?as_of=2024-02-31",
        "?as_of=garbage",
        "?as_of=1800-01-01",
        "?as_of=2999-01-01",
    ],
)
def test_the_first_draws_data_is_asked_for_once_while_the_scripts_load(page, demo, query):
    """The page preloads the site table's and the movements' first pages (front.views.first_load_urls
    builds their URLs as map.js does): map.js's own requests take them up, none is made twice."""
    page.goto("/" + query)
    wait_for_map(page)
    preloaded = page.evaluate("[...document.querySelectorAll('link[rel=preload]')].map((link) => link.href)")
    assert [url.split("?")[0].split("/api/v1/")[1] for url in preloaded] == ["site-table/", "movements/"]
    asked = page.evaluate(
        """() => performance.getEntriesByType("resource").map((entry) => entry.name)
            .filter((name) => name.includes("/api/v1/site-table/") || name.includes("/api/v1/movements/"))"""
    )
    assert sorted(asked) == sorted(preloaded)  # each asked for once, by the preload
    assert page.errors == []


def test_a_date_the_map_does_not_take_is_replaced_and_the_map_says_so(page, demo):
    """Not a day, or before 1900, in the address: the newest data's day; after today, typed or in
    the address: today. Each time the map says what it shows instead, and draws every site."""
    for query, shown, said in (
        ("?as_of=2024-02-31", "2024-12-17", "(2024-02-31 is not a date: that month has no such day.)"),
        ("?as_of=garbage", "2024-12-17", "(Write the date as YYYY-MM-DD, for example 2024-12-17.)"),
        ("?as_of=1800-01-01", "2024-12-17", "(Give a date from 1900-01-01 on.)"),
        ("?as_of=2999-01-01", "{today}", "2999-01-01 is after today: the map shows today, {today}."),
    ):
        page.goto("/" + query)
        wait_for_map(page)
        # The page's today (a run may cross midnight UTC).
        today = page.evaluate("JSON.parse(document.getElementById('map-config').textContent).today")
        shown, said = shown.format(today=today), said.format(today=today)
        assert page.evaluate("[document.body.dataset.date, document.body.dataset.sites]") == [shown, "4"]
        assert said in page.inner_text("#map-message")
        assert page.input_value("#date-input") == shown
    set_date(page, "2024-12-20")
    assert page.locator("#map-message").is_hidden()  # said once, for the draw it explained
    set_date(page, "2998-01-01")
    assert page.evaluate("document.body.dataset.date") == today
    assert page.inner_text("#map-message") == f"2998-01-01 is after today: the map shows today, {today}."
    set_date(page, "2999-06-01")  # today again: nothing to draw, and still said
    assert page.inner_text("#map-message") == f"2999-06-01 is after today: the map shows today, {today}."
    legend = page.inner_text(".map-legend")
    assert f"the assets counted there on {today}" in legend and f"30 days to {today}" in legend
    assert page.errors == []
