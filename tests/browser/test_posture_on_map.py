"""What the map says of posture, in Chromium on the demo data: known, unknown and passing
through told apart; Khmeimim's story from the seeds; stale sightings marked; filters honest;
the page's words the same as the server's (core.posture)."""

from __future__ import annotations

import datetime as dt

import pytest

from basewatch.core.models import Site
from basewatch.core.posture import PostureOptions, age_text, badge, count_text, seen_text
from tests.browser.helpers import set_date, wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)

SYRIA = "lat=35.10&lng=36.00&z=8"  # Khmeimim and Tartus apart, not clustered


def marker(page, name: str):
    return page.locator(f'.leaflet-marker-icon[title="{name}"] .site-badge')


def popup_text(page, name: str) -> str:
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 0")
    page.locator(f'.leaflet-marker-icon[title="{name}"]').click()
    popup = page.locator(".leaflet-popup-content .site-popup[data-loaded]")
    popup.wait_for()
    return popup.inner_text()


def test_tartus_and_al_khadim_read_as_present_not_zero(page, demo):
    page.goto(f"/?as_of=2024-12-20&{SYRIA}")
    wait_for_map(page)
    assert marker(page, "Tartus naval facility").inner_text() == "+"
    page.goto("/?as_of=2024-12-20&lat=32&lng=21.2&z=7")
    wait_for_map(page)
    al_khadim = marker(page, "al-Khadim Air Base")
    assert al_khadim.inner_text() == "+" and "transient-only" in al_khadim.get_attribute("class")
    text = popup_text(page, "al-Khadim Air Base")
    assert "no information" in text and "passing through" in text and "present, count unknown" in text


def test_khmeimim_from_the_seeds_and_into_2026(page, demo):
    page.goto(f"/?as_of=2024-12-01&{SYRIA}")
    wait_for_map(page)
    assert marker(page, "Khmeimim Air Base").inner_text() == "+"
    assert 'S-400 "Triumf"\tpresent, count unknown' in popup_text(page, "Khmeimim Air Base")

    set_date(page, "2024-12-14")
    badge = marker(page, "Khmeimim Air Base")
    assert badge.inner_text() == "1+" and "leaving" in badge.get_attribute("class")
    text = popup_text(page, "Khmeimim Air Base")
    assert "2 types leaving" in text
    assert "Ka-52 Alligator\t1\tBeing dismantled, last seen 2024-12-13 (1 day earlier)" in text
    passing = text.split("passing through")[1]
    assert "An-124 Ruslan\t2\tLoading" in passing

    set_date(page, "2026-01-01")
    badge = marker(page, "Khmeimim Air Base")
    assert badge.inner_text() == "1+" and "stale" in badge.get_attribute("class")
    text = popup_text(page, "Khmeimim Air Base")
    assert "all stale" in text and "(12 months earlier), stale" in text
    assert page.errors == []


def test_an_asset_filter_counts_only_those_assets(page, demo):
    page.goto(f"/?as_of=2024-12-20&category=helicopter&{SYRIA}")
    wait_for_map(page)
    assert page.evaluate("document.body.dataset.sites") == "1"
    assert marker(page, "Khmeimim Air Base").inner_text() == "1"
    text = popup_text(page, "Khmeimim Air Base")
    assert "Ka-52" in text and "S-400" not in text and "An-124" not in text


def test_the_legend_explains_every_marker(page, demo):
    page.goto("/?as_of=2024-12-20")
    wait_for_map(page)
    legend = page.locator(".map-legend").inner_text()
    for words in (
        "present, count unknown",
        "no information",
        "passing through",
        "stale",
        "leaving",
        "sites close together",
    ):
        assert words in legend


def test_the_page_words_posture_as_the_server_does(page, demo):
    page.goto("/?as_of=2024-12-20")
    wait_for_map(page)
    for day in ("2024-12-01", "2024-12-14", "2026-01-01"):
        for site in Site.objects.with_posture(PostureOptions(dt.date.fromisoformat(day))):
            for entry in site.posture_state["posture"]:
                said = page.evaluate(
                    """e => [window.basewatch.posture.countText(e), window.basewatch.posture.ageText(e.age_days),
                             window.basewatch.posture.seenText(e)]""",
                    entry,
                )
                assert said == [count_text(entry), age_text(entry["age_days"]), seen_text(entry)]
            look = page.evaluate("p => window.basewatch.posture.markerLook(p)", site.posture_state)
            look["classes"] = " ".join(name for name in look["classes"].split() if name != "leaving")  # the map's own
            assert look == badge(site.posture_state)
    bounds = {"status": "counted", "count": 3, "count_low": 0, "count_high": None}
    assert page.evaluate("e => window.basewatch.posture.countText(e)", bounds) == count_text(bounds) == "3 (0–?)"
