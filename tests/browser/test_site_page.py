"""The site page and the observations list in real Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from basewatch.core.models import Site
from tests.browser.helpers import screenshot
from tests.factories import make_asset_type, make_observation, make_site

pytestmark = pytest.mark.django_db(transaction=True)

XSS = "<img src=x onerror=alert(1)>"


def test_khmeimim_chart_has_one_series_per_asset_type_and_the_table_lists_sources(page, demo):
    page.goto("/sites/khmeimim/")
    page.wait_for_function("() => document.body.dataset.chartSeries !== undefined")
    labels = page.evaluate("window.basewatchChart.data.datasets.map(d => d.label)")
    assert sorted(labels) == sorted(
        ['S-400 "Triumf"', "An-124 Ruslan", "Ka-52 Alligator", "Tactical combat aircraft (type not reported)"]
    )
    table = page.inner_text("table.observations")
    assert "Maxar Technologies" in table and "@AnkiitKoomar" in table and "reliability A" in table
    assert page.locator("table.observations a[href='https://pic.twitter.com/1P2i3O5RGt']").count() == 2
    screenshot(page, "site-khmeimim")
    assert page.errors == []


def test_clicking_a_point_shows_the_observation_and_its_sources(page, demo):
    page.goto("/sites/khmeimim/")
    page.wait_for_function("() => document.body.dataset.chartSeries !== undefined")
    position = page.evaluate(
        """() => {
            const chart = window.basewatchChart;
            const index = chart.data.datasets.findIndex(d => d.label === "An-124 Ruslan");
            const point = chart.getDatasetMeta(index).data[0];
            return {x: point.x, y: point.y};
        }"""
    )
    page.locator("#counts-chart").click(position=position)
    detail = page.locator("#observation-detail")
    detail.wait_for()
    text = detail.inner_text()
    assert "2024-12-13: 2 (Loading)" in text and "Maxar Technologies" in text


def test_user_text_is_shown_as_text(page, db):
    # Where the map below looks (the factory's default moves east with every site made before).
    site = make_site(slug="xss", name=XSS, location=Point(35.9, 35.4, srid=4326))
    make_observation(site, make_asset_type(name=XSS), dt.date(2024, 12, 1), notes=XSS)
    for url in ("/sites/xss/", "/observations/", "/?as_of=2024-12-20&lat=35.4&lng=35.9&z=9"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert XSS in page.inner_text("body") or url.startswith("/?"), url
        assert page.locator("img[src=x]").count() == 0, url
    page.locator(".leaflet-marker-icon").first.click()
    popup = page.locator(".leaflet-popup-content .site-popup[data-loaded]")
    popup.wait_for()
    assert XSS in popup.inner_text()
    assert page.locator("img[src=x]").count() == 0
    assert page.dialogs == [] and page.errors == []


def test_empty_site_and_unknown_slug(page, db):
    make_site(slug="quiet", name="Quiet base")
    page.goto("/sites/quiet/")
    assert "No published observations of this site yet." in page.inner_text("body")
    response = page.goto("/sites/atlantis/")
    assert response.status == 404
    assert "There is no page at /sites/atlantis/" in page.inner_text("body")
    assert Site.objects.count() == 1


def test_phone_width(page, demo):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/sites/tartus/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    page.goto("/?as_of=2024-12-20")
    page.wait_for_function("() => document.body.dataset.loading === 'false'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    screenshot(page, "map-phone")
