"""The OGC API - Features pages in a browser: from /ogc/ to a feature by clicking, each map drawing
its features on the offline outline while the tiles fail, and the pages on a phone."""

from __future__ import annotations

import pytest

from basewatch.core.models import Movement, Site

pytestmark = pytest.mark.django_db(transaction=True)


def drawn(page) -> dict:
    """What the page's map holds once it has drawn its features and the world's outline."""
    page.wait_for_selector("#feature-map[data-features][data-basemap=drawn]", state="attached")
    return page.evaluate(
        """() => ({
            features: Number(document.getElementById("feature-map").dataset.features),
            points: document.querySelectorAll("#feature-map path.ogc-point").length,
            lines: document.querySelectorAll("#feature-map path.ogc-line").length,
        })"""
    )


def test_from_the_landing_page_to_a_site_and_a_movement_by_clicking(page, demo):
    page.goto("/ogc/")
    assert page.locator("h1").inner_text() == "basewatch: OGC API – Features"
    page.get_by_role("link", name="All collections").click()
    page.wait_for_url("**/ogc/collections")
    page.get_by_role("link", name="Browse the sites").click()
    page.wait_for_url("**/ogc/collections/sites/items")
    sites = Site.objects.count()
    assert drawn(page) == {"features": sites, "points": sites, "lines": 0}
    assert page.locator("table.ogc-items tbody tr").count() == sites
    page.locator("#tile-notice").wait_for()  # the tiles failed, and the features are there all the same

    # A marker's popup names its site and leads to its page.
    page.locator("#feature-map path.ogc-point").first.click()
    popup = page.locator(".leaflet-popup-content .ogc-popup a")
    assert popup.inner_text() == "al-Khadim Air Base"
    popup.click()
    page.wait_for_url("**/ogc/collections/sites/items/al-khadim")
    assert page.locator("h1").inner_text() == "al-Khadim Air Base"
    assert drawn(page) == {"features": 1, "points": 1, "lines": 0}
    properties = page.locator(".feature-properties")
    assert "host_country" in properties.inner_text() and "LY" in properties.inner_text()

    # Back up the breadcrumbs to the movements, and on to one by its row in the table.
    page.locator(".breadcrumbs").get_by_role("link", name="Collections").click()
    page.get_by_role("link", name="Browse the movements").click()
    page.wait_for_url("**/ogc/collections/movements/items")
    movements = Movement.objects.published().count()
    assert movements > 0
    assert drawn(page) == {"features": movements, "points": 0, "lines": movements}
    first = page.locator("table.ogc-items tbody tr").first.locator("th a")
    title = first.inner_text()
    assert " → " in title
    first.click()
    page.wait_for_url("**/ogc/collections/movements/items/*")
    assert page.locator("h1").inner_text() == title
    assert drawn(page) == {"features": 1, "points": 0, "lines": 1}
    page.get_by_role("link", name="GeoJSON").click()  # the page's JSON form
    assert page.evaluate("JSON.parse(document.body.innerText).type") == "Feature"
    assert page.errors == []


def test_the_api_documentation_page_shows_every_operation(page, demo):
    page.goto("/ogc/")
    page.get_by_role("link", name="API documentation").click()
    page.wait_for_selector(".swagger-ui .opblock-summary-path")
    paths = page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    assert "/collections/sites/items/{featureId}" in [path.replace("\u200b", "") for path in paths]
    assert page.errors == []


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/",
        "/ogc/collections",
        "/ogc/conformance",
        "/ogc/collections/sites/queryables",
        "/ogc/collections/sites/items?datetime=2024-12-14",
        "/ogc/collections/observations/items",
        "/ogc/collections/sites/items/khmeimim",
    ],
)
def test_the_pages_fit_a_phone(page, demo, path):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(path)
    if "/items" in path:
        assert drawn(page)["features"] > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.errors == []


def test_a_long_value_shows_three_lines_in_the_table_and_all_on_the_features_page(page, demo):
    # Notes and sources made each row a dozen lines tall and the table over 3,000 px wide.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/ogc/collections/observations/items")
    cells = page.locator('table.ogc-items td[data-label="sources"] .cell').evaluate_all(
        """(cells) => cells.map((cell) => ({
            lines: cell.clientHeight / parseFloat(getComputedStyle(cell).lineHeight),
            cut: cell.scrollHeight > cell.clientHeight + 1,
            text: cell.textContent,
            page: cell.closest("tr").querySelector("th a").getAttribute("href"),
        }))"""
    )
    assert max(cell["lines"] for cell in cells) <= 3.05
    longest = max(cells, key=lambda cell: len(cell["text"]))
    assert longest["cut"]
    page.locator(f'table.ogc-items th a[href="{longest["page"]}"]').click()
    page.wait_for_url(f"**{longest['page']}")
    assert longest["text"] in page.locator(".feature-properties").inner_text()
    assert page.errors == []
