"""The offline base map: land, coasts and borders from the vendored atlas, tiles or not."""

from __future__ import annotations

import pytest

from tests.browser.helpers import screenshot, wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)

SYRIA = "lat=35&lng=36&z=7"

# The colour the outline's canvas holds at a place: [r, g, b, alpha] (alpha 0: nothing drawn,
# the container's sea-coloured background shows through).
OUTLINE_PIXEL = """([lat, lng]) => {
    const map = window.basewatchMap;
    const canvas = map.getPane("basemap").querySelector("canvas");
    const point = map.latLngToContainerPoint([lat, lng]);
    const box = map.getContainer().getBoundingClientRect();
    const rect = canvas.getBoundingClientRect();
    const x = Math.round((box.left + point.x - rect.left) * canvas.width / rect.width);
    const y = Math.round((box.top + point.y - rect.top) * canvas.height / rect.height);
    return Array.from(canvas.getContext("2d").getImageData(x, y, 1, 1).data);
}"""
LAND = [244, 242, 236, 255]  # basemap.js's land fill, #f4f2ec


def wait_for_outline(page) -> None:
    page.wait_for_function("() => window.basewatchMap.getContainer().dataset.basemap === 'drawn'")


def test_the_land_is_drawn_when_tiles_cannot_be_loaded(page, demo):
    page.goto(f"/?as_of=2024-12-20&{SYRIA}")
    wait_for_map(page)
    wait_for_outline(page)
    page.locator("#tile-notice").wait_for()  # the tiles failed (they are blocked here)
    assert page.evaluate(OUTLINE_PIXEL, [35.0, 38.5]) == LAND  # the Syrian desert
    assert page.evaluate(OUTLINE_PIXEL, [33.0, 36.3]) == LAND  # Lebanon, inland
    assert page.evaluate(OUTLINE_PIXEL, [34.0, 33.0])[3] == 0  # the sea south of Cyprus
    assert page.evaluate(OUTLINE_PIXEL, [34.5, 35.3])[3] == 0  # the sea off Tartus
    assert "Natural Earth" in page.inner_text(".leaflet-control-attribution")
    screenshot(page, "map-syria-outline")
    assert page.errors == []


def test_with_tiles_switched_off_no_tile_is_asked_for(page, demo, settings):
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": []}  # BASEWATCH_TILE_URL=""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"/?as_of=2024-12-20&{SYRIA}")
    wait_for_map(page)
    wait_for_outline(page)
    assert page.evaluate(OUTLINE_PIXEL, [35.0, 38.5]) == LAND
    assert page.locator(".leaflet-tile").count() == 0
    assert page.is_hidden("#tile-notice")
    assert all(url.startswith(page.url.split("/?")[0]) for url in requests), requests
    assert "OpenStreetMap" not in page.inner_text(".leaflet-control-attribution")


def test_the_site_page_map_has_the_outline_too(page, demo):
    page.goto("/sites/khmeimim/")
    page.wait_for_function("() => document.querySelector('#site-map').dataset.basemap === 'drawn'")
    assert page.locator("#site-map .leaflet-pane canvas").count() == 1
    assert page.errors == []


def test_a_world_view_draws_the_small_scale_outline_and_zooming_in_the_detailed_one(page, demo):
    """1:110m out to a continent (a fifth of the points to draw), 1:50m from zoom 5 on, loaded then."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/?as_of=2024-12-20&lat=30&lng=30&z=3")
    wait_for_map(page)
    wait_for_outline(page)
    assert page.evaluate("window.basewatchMap.getContainer().dataset.basemapScale") == "overview"
    assert page.evaluate(OUTLINE_PIXEL, [35.0, 38.5]) == LAND  # the Syrian desert
    assert any("countries-110m" in url for url in requests)
    assert not any("countries-50m" in url for url in requests)

    page.evaluate("() => { window.basewatchMap.setView([35, 36], 7, {animate: false}); }")
    page.wait_for_function("() => window.basewatchMap.getContainer().dataset.basemapScale === 'detail'")
    assert any("countries-50m" in url for url in requests)
    assert page.evaluate(OUTLINE_PIXEL, [33.0, 36.3]) == LAND  # Lebanon, inland
    assert page.evaluate(OUTLINE_PIXEL, [34.5, 35.3])[3] == 0  # the sea off Tartus
    assert page.errors == []
