"""The map page on a phone (360 by 740 pixels): the map gets the screen, the controls fold behind one button."""

from __future__ import annotations

import pytest

from tests.browser.helpers import screenshot, wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}
SYRIA = "lat=35&lng=36&z=7"


def map_height(page) -> float:
    return page.evaluate("document.getElementById('map').getBoundingClientRect().height")


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_phone_the_map_takes_the_screen_and_the_controls_fold(page, demo):
    page.set_viewport_size(PHONE)
    page.goto(f"/?as_of=2024-12-20&{SYRIA}")
    wait_for_map(page)
    page.locator("#tile-notice").wait_for()  # the notice of blocked tiles takes its room too
    toggle = page.locator("#controls-toggle")
    assert toggle.inner_text().startswith("Date & filters: 2024-12-20")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.is_hidden("#map-controls")
    assert map_height(page) >= 0.6 * PHONE["height"]
    assert no_sideways_scrolling(page)
    legend = page.locator(".map-legend")
    assert legend.locator(".legend-body").is_hidden()  # folded: the map is small enough
    assert legend.bounding_box()["height"] < 50
    screenshot(page, "map-phone")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.is_visible("#date-input") and page.is_visible("select[name=kind]")
    assert page.is_visible("#sites-kml")  # with the controls, the help and its KML link (hidden before)
    assert no_sideways_scrolling(page)
    page.select_option("select[name=kind]", "naval_base")
    wait_for_map(page)
    page.fill("#date-input", "2024-12-13")
    page.dispatch_event("#date-input", "change")
    wait_for_map(page)
    assert toggle.inner_text().startswith("Date & filters: 2024-12-13 · 1 filter")
    screenshot(page, "map-phone-controls")
    toggle.click()
    assert page.is_hidden("#map-controls") and page.is_hidden("#sites-kml")

    legend.locator(".legend-toggle").click()
    assert legend.locator(".legend-body").is_visible()
    assert no_sideways_scrolling(page)
    assert page.errors == []


def test_a_popup_on_a_phone_fits_beside_the_zoom_buttons(page, demo):
    page.set_viewport_size(PHONE)
    page.goto(f"/?as_of=2024-12-20&{SYRIA}")
    wait_for_map(page)
    page.locator('.leaflet-marker-icon[title="Khmeimim Air Base"]').click()
    page.locator(".site-popup[data-loaded]").wait_for()
    page.wait_for_timeout(500)  # the map pans the popup into view
    popup = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    zoom = page.locator(".leaflet-control-zoom").bounding_box()
    assert popup["x"] >= zoom["x"] + zoom["width"]  # not under the buttons
    assert popup["x"] + popup["width"] <= PHONE["width"]
    assert no_sideways_scrolling(page)
    # Within the map's height (it scrolls), and its rows start at its left edge: the phone's
    # card layout of posture tables padded each cell for a label the popup's cells do not have.
    map_box = page.locator("#map").bounding_box()
    assert popup["y"] >= map_box["y"] and popup["y"] + popup["height"] <= map_box["y"] + map_box["height"]
    content = page.locator(".leaflet-popup-content").bounding_box()
    first_cell = page.locator(".site-popup .posture-table td").first.bounding_box()
    assert first_cell["x"] - content["x"] < 10


def test_on_a_desktop_the_controls_stay_in_view(page, demo):
    page.goto(f"/?as_of=2024-12-20&{SYRIA}")
    wait_for_map(page)
    assert page.is_hidden("#controls-toggle")
    assert page.is_visible("#date-input") and page.is_visible("select[name=operator]")
    assert page.locator(".map-legend .legend-body").is_visible()
