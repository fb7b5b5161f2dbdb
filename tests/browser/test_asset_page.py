"""The asset page in a browser (issue 15): RA-76845's track drawn on its map, the Bamako arrival
with its sources in the timeline, and a published movement opened from there by an anonymous
reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_asset_page_draws_the_track_and_leads_to_the_movement(page, demo):
    page.goto("/assets/152c2d/")
    page.wait_for_function("() => document.body.dataset.track === 'RA-76845'")
    drawn = page.evaluate(
        """() => ({
            legs: document.querySelectorAll("#asset-map path.track-line").length,
            rings: document.querySelectorAll("#asset-map path.track-stop").length,
            panel: document.querySelector("#asset-map .track-panel").innerText,
            clear: document.querySelectorAll("#asset-map .track-clear").length,
        })"""
    )
    assert drawn["legs"] == 1 and drawn["rings"] == 1
    assert "Il-76TD RA-76845, EMERCOM of Russia (MChS)" in drawn["panel"]
    assert "1 movement, 1 sighting" in drawn["panel"] and drawn["clear"] == 0  # nothing to clear here
    arrival = page.locator("table.observations tr", has_text="moved")
    assert "2024-12-17" in arrival.inner_text() and "al-Khadim Air Base" in arrival.inner_text()
    assert "A 3rd flight of Russia's MChS arrived this morning in Bamako from Al Khadim" in arrival.inner_text()
    arrival.get_by_role("link", name="moved").click()
    page.wait_for_url("**/movements/*/")
    assert page.locator("h1").inner_text() == "al-Khadim Air Base → Bamako–Sénou (Base Aérienne 101)"
    assert page.get_by_role("link", name="Il-76TD RA-76845, EMERCOM of Russia (MChS)").count() >= 1
    assert page.errors == []


def test_the_track_downloads_are_offered(page, demo):
    page.goto("/assets/RA-76845/")
    links = page.locator("a", has_text="KML")
    assert links.first.get_attribute("href") == "/api/v1/assets/RA-76845/track/?format=kml"
    response = page.request.get("/api/v1/assets/RA-76845/track/?format=gpx")
    assert response.ok and b"<gpx" in response.body()


@pytest.mark.parametrize(
    "path", ["/assets/RA-76845/", "/assets/", "/movements/", "/movements/?asset=152c2d", "/sites/?as_of=2024-12-14"]
)
def test_the_new_pages_fit_a_phone(page, demo, path):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(path)
    page.wait_for_function("() => document.body.dataset.track !== 'loading'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_trace_import_page_fits_a_phone_with_its_report(page, demo):
    user = make_user("editor", username="phone-editor")
    user.set_password("a-long-phone-password")
    user.save()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/accounts/login/?next=/new/adsb-import/")
    page.fill("input[name=username]", "phone-editor")
    page.fill("input[name=password]", "a-long-phone-password")
    page.click("main button[type=submit]")
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "adsb" / "khmeimim_alkhadim_bamako.json"
    page.set_input_files("input[name=file]", str(fixture))
    page.check("input[name=dry_run]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "2 movements would be submitted for review" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
