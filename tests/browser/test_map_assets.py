"""Assets on the map (issue 15): search a registration or hex and see the asset's track; movement
popups name the airframe, its dates and sources, and link to the asset and movement pages.

Demo data: the Il-76TD RA-76845 (ICAO 152C2D, EMERCOM of Russia) flew al-Khadim → Bamako, arrived
2024-12-17, and was seen at Bamako that day; cargo aircraft flew Khmeimim → al-Khadim at least
7 times (arrived 2024-12-09), no single airframe named.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from basewatch.core.models import Asset, AssetType, Movement, Site
from tests.browser.helpers import wait_for_map
from tests.browser.test_stored_xss import INJECTED
from tests.factories import make_movement, make_source
from tests.security.payloads import VECTORS

pytestmark = pytest.mark.django_db(transaction=True)

WORLD = "as_of=2024-12-20&lat=25&lng=15&z=3"
LABEL = "Il-76TD RA-76845, EMERCOM of Russia (MChS)"
AL_KHADIM = [31.9987, 21.1953]
BAMAKO = [12.5335, -7.9499]


def search(page, text: str) -> None:
    page.fill("input[name=q]", text)
    page.press("input[name=q]", "Enter")
    wait_for_map(page)


def drawn_track(page) -> dict:
    """What the map says and shows of the track: its asset, legs and rings, labels, panel."""
    return page.evaluate(
        """() => ({
            track: document.body.dataset.track || null,
            legs: document.querySelectorAll("path.track-line").length,
            rings: document.querySelectorAll("path.track-stop").length,
            labels: [...document.querySelectorAll(".leaflet-tooltip.track-label")].map((l) => l.textContent).sort(),
            panel: document.querySelector(".track-panel")?.innerText ?? null,
            link: document.querySelector(".track-panel a")?.getAttribute("href") ?? null,
        })"""
    )


def leg_ends(page) -> list[tuple[float, float]]:
    """The track's one leg as drawn: where on the map its stroke starts and ends (lat/lng)."""
    page.wait_for_function("() => !window.basewatchMap._animatingZoom")  # after fitting the track
    return page.evaluate(
        """() => {
            const map = window.basewatchMap;
            const path = document.querySelector("path.track-line");
            const box = map.getContainer().getBoundingClientRect();
            return [0, path.getTotalLength()].map((length) => {
                const screen = path.getPointAtLength(length).matrixTransform(path.getScreenCTM());
                const at = map.containerPointToLatLng([screen.x - box.left, screen.y - box.top]);
                return [at.lat, at.lng];
            });
        }"""
    )


def in_view(page, *places) -> bool:
    return page.evaluate("(places) => places.every((p) => window.basewatchMap.getBounds().contains(p))", list(places))


def test_searching_a_registration_draws_its_track_and_the_url_keeps_it(page, demo):
    page.goto(f"/?{WORLD}")
    wait_for_map(page)
    assert drawn_track(page)["track"] is None
    search(page, "RA-76845")

    track = drawn_track(page)
    assert track["track"] == "RA-76845"
    assert (track["legs"], track["rings"]) == (1, 1)  # the flight to Bamako, the sighting there
    # Numbered in date order: seen at Bamako on the 17th, the flight that arrived that day.
    assert track["labels"] == ["1. 2024-12-17", "2. seen 2024-12-17"]
    assert f"Track of {LABEL}" in track["panel"]
    assert "1 movement, 1 sighting · 2024-12-17" in track["panel"]
    assert track["link"] == "/assets/RA-76845/"
    # From al-Khadim to Bamako, not the other way round, both in view.
    start, end = leg_ends(page)
    assert start == pytest.approx(AL_KHADIM, abs=0.2) and end == pytest.approx(BAMAKO, abs=0.2)
    assert in_view(page, AL_KHADIM, BAMAKO)
    # The sites are not filtered by the registration: every site is still drawn.
    assert page.evaluate("document.body.dataset.sites") == "4"
    assert "asset=RA-76845" in page.url and "q=" not in page.url

    page.reload()  # a shared link shows the same track
    wait_for_map(page)
    assert drawn_track(page) == track

    page.get_by_role("button", name="Clear track").click()
    wait_for_map(page)
    page.wait_for_function("() => !document.querySelector('.track-label')")  # faded out
    assert drawn_track(page) == {"track": None, "legs": 0, "rings": 0, "labels": [], "panel": None, "link": None}
    assert "asset=" not in page.url
    page.go_back()  # the track is one step in the history
    wait_for_map(page)
    page.wait_for_function("() => document.body.dataset.track === 'RA-76845'")
    assert drawn_track(page)["legs"] == 1
    assert page.errors == []


def test_the_hex_in_any_case_and_the_search_list_find_the_asset(page, demo):
    page.goto(f"/?{WORLD}")
    wait_for_map(page)
    search(page, "152c2d")
    page.wait_for_function("() => document.body.dataset.track === 'RA-76845'")
    assert drawn_track(page)["legs"] == 1
    page.get_by_role("button", name="Clear track").click()
    wait_for_map(page)

    # As one types, the list offers the asset (and no site has this in its name).
    page.locator("input[name=q]").press_sequentially("ra76", delay=20)
    options = page.locator("#search-results [role=option]")
    options.first.wait_for()
    assert options.all_inner_texts() == ["RA-76845 Il-76TD, EMERCOM of Russia (MChS), 152C2D"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_for_map(page)
    page.wait_for_function("() => document.body.dataset.track === 'RA-76845'")
    assert page.get_by_role("listbox").is_hidden()
    assert page.evaluate("document.body.dataset.sites") == "4"  # the half-typed text filtered nothing

    # Site search works as before, in any script, and the list offers sites too.
    page.fill("input[name=q]", "")
    page.locator("input[name=q]").press_sequentially("Хмеймим", delay=20)
    options.first.wait_for()
    assert [text.split(" ")[0] for text in options.all_inner_texts()] == ["Khmeimim"]
    options.first.click()
    wait_for_map(page)
    assert page.evaluate("document.body.dataset.sites") == "1"
    assert drawn_track(page)["track"] == "RA-76845"  # the track stays until cleared

    # Enter on the text as typed searches for it, and the list it had opened closes.
    for text, listed in (("Tartus", "Tartus"), ("zzzz", "No site or asset matches")):
        page.fill("input[name=q]", "")
        page.locator("input[name=q]").press_sequentially(text, delay=20)
        page.get_by_role("listbox").get_by_text(listed).first.wait_for()
        page.keyboard.press("Enter")
        wait_for_map(page)
        assert page.get_by_role("listbox").is_hidden()
        assert page.locator("input[name=q]").get_attribute("aria-expanded") == "false"
    assert page.errors == []


def line_middle(page, a, b, off: int = 0) -> dict:
    """The page pixel at the middle of the line a → b, `off` px to the side of it."""
    return page.evaluate(
        """([a, b, off]) => {
            const map = window.basewatchMap;
            const p = map.latLngToContainerPoint(a), q = map.latLngToContainerPoint(b);
            const box = map.getContainer().getBoundingClientRect();
            const length = p.distanceTo(q);
            const normal = [(q.y - p.y) / length, (p.x - q.x) / length];
            return {x: box.left + (p.x + q.x) / 2 + off * normal[0], y: box.top + (p.y + q.y) / 2 + off * normal[1]};
        }""",
        [a, b, off],
    )


def test_a_movement_popup_names_the_airframe_its_dates_and_sources(page, demo):
    movement = Movement.objects.get(asset__registration="RA-76845")
    page.goto("/?as_of=2024-12-20&lat=22&lng=8&z=4")
    wait_for_map(page)
    # 6 px beside the line, off its 3 px stroke: the wide hit line takes it.
    beside = line_middle(page, AL_KHADIM, BAMAKO, off=6)
    page.mouse.move(beside["x"], beside["y"])
    tooltip = page.locator(".leaflet-tooltip.movement-tooltip")
    tooltip.wait_for()
    assert LABEL in tooltip.inner_text()
    page.mouse.click(beside["x"], beside["y"])
    popup = page.locator(".leaflet-popup-content .movement-popup")
    popup.wait_for()
    assert tooltip.is_hidden()  # not stacked over the popup
    page.mouse.move(beside["x"] + 3, beside["y"] + 3)  # still on the line
    assert page.locator(".leaflet-tooltip.movement-tooltip:visible").count() == 0

    text = popup.inner_text()
    assert "al-Khadim Air Base → Bamako–Sénou (Base Aérienne 101)" in text
    assert LABEL in text
    assert "arrived 2024-12-17 (departure not reported)" in text
    assert "@fabsenbln: A 3rd flight of Russia's MChS arrived this morning in Bamako from Al Khadim" in text
    assert "(C — fairly reliable)" in text
    assert popup.get_by_role("link", name=LABEL).get_attribute("href") == "/assets/RA-76845/"
    details = popup.get_by_role("link", name="Movement details")
    assert details.get_attribute("href") == f"/movements/{movement.pk}/"
    for source in movement.sources.exclude(url=""):
        assert popup.locator(f'a[href="{source.url}"]').count() == 1

    # The cargo flights name no airframe: their type and number of flights.
    page.evaluate("() => { window.basewatchMap.closePopup(); }")
    khmeimim = [35.4075, 35.9486]
    middle = line_middle(page, khmeimim, AL_KHADIM)
    page.mouse.click(middle["x"], middle["y"])
    page.wait_for_function("() => document.querySelector('.movement-popup')?.textContent.includes('Khmeimim')")
    text = popup.inner_text()
    assert "Cargo aircraft (type not reported) — at least 7 flights" in text
    assert popup.locator("a[href^='/assets/']").count() == 0
    assert page.errors == []


def test_movement_popups_and_the_track_show_payloads_as_text(page):
    hub = Site.objects.create(
        slug="hub", name="Hub", kind="air_base", operator="RU", host_country="SY", location=Point(30, 30, srid=4326)
    )
    asset_type = AssetType.objects.create(slug="il-76", name="Il-76", category="transport_aircraft")
    payloads = VECTORS[::3]
    for i, text in enumerate(payloads):
        site = Site.objects.create(
            slug=f"xss-{i}",
            name=text,
            kind="air_base",
            operator="RU",
            host_country="ML",
            location=Point(i, 10, srid=4326),
        )
        asset = Asset.objects.create(asset_type=asset_type, registration=f"RA-{i}", name=text, operator=text)
        source = make_source(title=text, publisher=text, url=f"https://example.org/{i}")
        make_movement(hub, site, asset_type, asset=asset, sources=[source], arrived=dt.date(2024, 12, 17))
    page.goto("/?as_of=2024-12-20&lat=20&lng=15&z=4")
    wait_for_map(page)
    for i, text in enumerate(payloads):
        movement = Movement.objects.get(asset__registration=f"RA-{i}")
        page.locator(f'path.movement-hit[data-movement="{movement.pk}"]').dispatch_event("click")
        popup = page.locator(".leaflet-popup-content .movement-popup")
        popup.wait_for()
        shown = popup.inner_text()
        assert f"Hub → {text}" in shown and f"{text} RA-{i}, {text}" in shown and f"{text}: {text}" in shown, text
        assert page.evaluate(INJECTED) == {"added": 0, "handlers": 0}, text
        page.evaluate("() => { window.basewatchMap.closePopup(); }")
        page.wait_for_function("() => !document.querySelector('.leaflet-popup')")
    # An asset's track, its panel and labels: text too.
    page.goto("/?as_of=2024-12-20&lat=20&lng=15&z=4&asset=RA-1")
    wait_for_map(page)
    assert payloads[1] in page.locator(".track-panel").inner_text()
    assert page.evaluate(INJECTED) == {"added": 0, "handlers": 0}
    assert "1 movement, 0 sightings" in page.locator(".track-panel").inner_text()
    assert page.dialogs == [] and page.errors == []
