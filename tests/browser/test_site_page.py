"""The site page and the observations list in real Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from basewatch.core.models import Observation, Site
from tests.browser.helpers import screenshot
from tests.factories import make_asset_type, make_observation, make_site

pytestmark = pytest.mark.django_db(transaction=True)

XSS = "<img src=x onerror=alert(1)>"


def test_khmeimim_chart_has_one_series_per_asset_type_and_the_table_lists_sources(page, demo):
    page.goto("/sites/khmeimim/")
    page.wait_for_function("() => document.body.dataset.chartSeries !== undefined")
    labels = page.evaluate("window.basewatchChart.data.datasets.filter(d => d.role !== 'total').map(d => d.label)")
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


def test_the_page_shows_posture_on_the_date_in_its_url(page, demo):
    # `date`, as older map links have it, is the same as `as_of`.
    page.goto("/sites/khmeimim/?date=2024-12-14")
    assert page.inner_text("#posture-heading") == "Posture on 2024-12-14"
    assert page.input_value("input[name=as_of]") == "2024-12-14"
    assert page.inner_text(".posture-summary .posture-label") == "1+"
    based, passing = page.locator("table.posture-table").all()
    ka52 = based.locator("tr", has_text="Ka-52 Alligator")
    assert ka52.locator("td[data-label=Count]").inner_text() == "1"
    assert ka52.locator("td[data-label=Activity]").inner_text() == "Being dismantled ↓"
    assert ka52.locator(".trend-leaving").get_attribute("title") == "leaving"
    assert "leaving" in ka52.get_attribute("class")
    assert page.locator("h3.also-seen").inner_text() == "Also seen, passing through (not counted)"
    assert passing.locator("td[data-label='Asset type']").all_inner_texts() == ["An-124 Ruslan"]
    assert "An-124" not in based.inner_text()
    assert page.locator("tr.stale").count() == 0
    link = page.get_by_role("link", name="This site on the map, 2024-12-14")
    assert "as_of=2024-12-14" in link.get_attribute("href")


def test_a_year_later_every_entry_is_marked_stale(page, demo):
    page.goto("/sites/khmeimim/?as_of=2026-01-01")
    assert page.inner_text("#posture-heading") == "Posture on 2026-01-01"
    rows = page.locator("table.posture-table tbody tr")
    assert rows.count() == 4
    for row in rows.all():
        assert "stale" in row.get_attribute("class")
        seen = row.locator("td[data-label='Last seen']").inner_text()
        assert seen.startswith("2024-12-13 (12 months earlier)") and seen.lower().endswith("stale"), seen
    assert page.locator(".posture-label.stale").inner_text() == "1+"
    assert "Stale: every entry is older than its freshness horizon." in page.inner_text(".posture-summary")


def test_a_date_that_is_not_one_is_refused_beside_the_date_box(page, demo):
    for query in ("as_of=2024-13-45", "date=2024-13-45", "as_of=2031-01-01"):
        response = page.goto(f"/sites/khmeimim/?{query}")
        assert response.status == 400, query
        assert page.inner_text("h1") == "Khmeimim Air Base"
        date_box = page.locator("input[name=as_of]")
        assert date_box.input_value() == query.split("=")[1] and date_box.get_attribute("aria-invalid") == "true"
        assert page.inner_text("#date-refused").startswith("Date: ")
        assert date_box.get_attribute("aria-describedby") == "date-refused"
    screenshot(page, "site-date-refused")


# Each shown cell of a table: its column's name, the label drawn before it, its text, its right edge.
LABELS = """(selector) => Array.from(document.querySelectorAll(selector)).filter(cell => cell.offsetParent).map(
  cell => ({
    label: cell.dataset.label,
    shown: getComputedStyle(cell, "::before").content,
    text: cell.innerText.trim(),
    right: cell.getBoundingClientRect().right,
  }))"""


def test_on_a_phone_every_table_cell_says_its_column(page, demo):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/sites/khmeimim/?as_of=2024-12-14")
    page.wait_for_function("() => document.body.dataset.chartSeries !== undefined")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for table in ("table.observations", "table.posture-table"):
        assert not page.locator(f"{table} thead").first.is_visible()
        cells = page.evaluate(LABELS, f"{table} td")
        assert cells, table
        for cell in cells:
            assert cell["label"] and cell["shown"] == f'"{cell["label"]}"', cell
            assert cell["right"] <= 360, cell
    # The Ka-52's count and its credibility grade, each under its name.
    ka52 = Observation.objects.get(site__slug="khmeimim", asset_type__slug="ka-52")
    cells = {cell["label"]: cell["text"] for cell in page.evaluate(LABELS, f"#observation-{ka52.pk} td")}
    assert cells["Count"] == "1" and cells["Credibility"] == "2 — probably true"
    screenshot(page, "site-phone")


def test_phone_width(page, demo):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/sites/tartus/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    page.goto("/?as_of=2024-12-20")
    page.wait_for_function("() => document.body.dataset.loading === 'false'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    screenshot(page, "map-phone")
