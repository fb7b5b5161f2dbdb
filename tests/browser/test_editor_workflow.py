"""The editor workflow end to end in real Chromium: enter, submit, publish, see it on the chart."""

from __future__ import annotations

import pytest

from basewatch.core.models import Observation, Source
from basewatch.core.workflow import State
from tests.browser.helpers import screenshot
from tests.factories import make_asset_type, make_site, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"  # tests.factories.make_user


def log_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


def test_an_editor_records_an_observation_and_a_reviewer_publishes_it(page):
    make_site(slug="khmeimim", name="Khmeimim air base", aliases=["Hmeimim", "حميميم"])
    make_site(slug="tartus", name="Tartus naval facility")
    make_asset_type(name="An-124 Ruslan", slug="an-124")
    make_asset_type(name="Il-76", slug="il-76")
    make_user("editor", "ed")
    make_user("reviewer", "rev")

    log_in(page, "ed", "/new/observation/")
    page.get_by_label("Search Site").fill("hmeimim")  # another spelling finds it
    page.get_by_label("Asset type").select_option(label="An-124 Ruslan")
    page.locator("#id_observed").fill("2024-12-13")
    page.locator("#id_count").fill("2")
    page.get_by_label("Activity").select_option("loading")
    page.get_by_label("Credibility").select_option("2")
    page.locator("#last-count").filter(has_text="No published observation").wait_for()
    source = page.locator(".new-source").first
    source.get_by_label("Kind").select_option("satellite_imagery")
    source.get_by_label("Title").fill("Khmeimim air base, 13 December 2024")
    source.get_by_label("Publisher").fill("Maxar Technologies")
    source.get_by_label("URL", exact=True).fill("https://maxar.example.com/khmeimim-2024-12-13")
    source.get_by_label("Published").fill("2024-12-14")
    source.get_by_label("Imagery captured").fill("2024-12-13")
    source.get_by_label("Reliability").select_option("A")
    screenshot(page, "observation-form")
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Submitted for review").first.wait_for()

    observation = Observation.objects.get()
    assert (observation.site.slug, observation.count, observation.activity) == ("khmeimim", 2, "loading")
    assert observation.state == State.SUBMITTED
    assert Source.objects.get().publisher == "Maxar Technologies"

    page.get_by_role("button", name="Log out").click()
    log_in(page, "rev", "/review/")
    item = page.locator(f"#observation-{observation.pk}")
    assert "Maxar Technologies" in item.inner_text() and "Submitted by ed" in item.inner_text()
    screenshot(page, "review-queue")
    item.get_by_role("button", name="Publish").click()
    page.get_by_text("published.").first.wait_for()

    page.goto("/sites/khmeimim/")
    page.wait_for_function("() => document.body.dataset.chartSeries !== undefined")
    points = page.evaluate(
        """() => window.basewatchChart.data.datasets
            .filter(d => d.label === "An-124 Ruslan")
            .flatMap(d => d.data.filter(p => p.id !== null).map(p => [p.id, p.y]))"""
    )
    assert points == [[observation.pk, 2]]
    screenshot(page, "published-on-chart")
    assert page.errors == []


def test_the_site_form_shows_the_point_on_a_map_and_saves_it_unchanged(page):
    site = make_site(slug="khmeimim", name="Khmeimim air base")
    before = site.location.coords
    make_user("editor", "ed")
    log_in(page, "ed", "/edit/sites/khmeimim/")
    page.locator(".leaflet-container").first.wait_for()
    page.locator(".leaflet-marker-icon").first.wait_for()
    assert page.locator(".leaflet-draw").count() >= 1  # drawing tools for the point and the footprint
    # Both maps are drawn on the offline outline of the land (tiles cannot load here): before,
    # the point floated in grey.
    page.wait_for_function(
        "[...document.querySelectorAll('.leaflet-container')].every((c) => c.dataset.basemap === 'drawn')"
    )
    assert page.locator(".leaflet-container").count() == 2
    screenshot(page, "site-form")
    page.get_by_role("button", name="Save site").click()
    page.wait_for_url("**/sites/khmeimim/")
    site.refresh_from_db()
    assert site.location.coords == pytest.approx(before)
    assert page.errors == []
