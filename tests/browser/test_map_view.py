"""What the map shows where: site names once zoomed in, a search's sites brought into view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from tests.browser.helpers import set_date, wait_for_map
from tests.factories import make_asset_type, make_observation, make_site

pytestmark = pytest.mark.django_db(transaction=True)

KHMEIMIM_VIEW = "lat=35.40&lng=35.95&z=10"


def box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_site_names_show_under_the_markers_once_zoomed_in(page, demo):
    page.goto(f"/?as_of=2024-12-20&{KHMEIMIM_VIEW}")
    wait_for_map(page)
    label = page.locator(".site-label", has_text="Khmeimim Air Base")
    label.wait_for()  # visible
    marker = box(page, '.leaflet-marker-icon[title="Khmeimim Air Base"]')
    name = label.bounding_box()
    assert marker["y"] + marker["height"] <= name["y"] <= marker["y"] + marker["height"] + 6  # just under it
    assert abs((name["x"] + name["width"] / 2) - (marker["x"] + marker["width"] / 2)) < 2  # centred

    page.evaluate("() => { window.basewatchMap.setZoom(4, {animate: false}); }")
    page.wait_for_function("() => !window.basewatchMap.getContainer().classList.contains('show-labels')")
    labels = page.locator(".site-label")
    assert labels.count() >= 1  # sites that stand alone (Bamako, al-Khadim) still have their label…
    assert all(not labels.nth(i).is_visible() for i in range(labels.count()))  # …hidden this far out
    assert page.errors == []


def test_a_search_brings_the_sites_it_finds_into_view(page, demo):
    page.goto("/?as_of=2024-12-20&lat=0&lng=-120&z=3")  # the Pacific
    wait_for_map(page)
    page.fill("input[name=q]", "Bamako")
    page.press("input[name=q]", "Enter")
    wait_for_map(page)
    page.wait_for_function("() => window.basewatchMap.getZoom() === 8")  # one site: no closer than that
    centre = page.evaluate("window.basewatchMap.getCenter()")
    assert abs(centre["lat"] - 12.53) < 0.1 and abs(centre["lng"] + 7.95) < 0.1
    assert "q=Bamako" in page.url and "z=8" in page.url  # the view it found is the one in the URL

    page.fill("input[name=q]", "air base")  # Khmeimim and al-Khadim, 1,400 km apart
    page.press("input[name=q]", "Enter")
    wait_for_map(page)
    page.wait_for_function("() => window.basewatchMap.getZoom() < 8")
    assert page.evaluate("document.body.dataset.sites") == "2"
    in_view = page.evaluate(
        """() => {
            const map = window.basewatchMap;
            return [[35.4, 35.95], [31.9987, 21.1953]].every((place) => map.getBounds().contains(place));
        }"""
    )
    assert in_view
    assert page.errors == []


def test_a_shared_search_link_keeps_its_view(page, demo):
    page.goto("/?as_of=2024-12-20&q=Bamako&lat=20&lng=10&z=4")
    wait_for_map(page)
    assert page.evaluate("window.basewatchMap.getZoom()") == 4
    assert "lat=20" in page.url


def test_the_legend_explains_every_symbol_and_folds_away(page, demo):
    page.goto("/?as_of=2024-12-20&lat=25&lng=15&z=3")
    wait_for_map(page)
    legend = page.locator(".map-legend")
    text = legend.inner_text()
    assert "Russia" in text
    assert "the assets counted there on 2024-12-20" in text
    assert "sites close together, their assets added up" in text
    assert "assets moved in the 30 days to 2024-12-20" in text
    assert legend.locator(".cluster-badge").count() == 1  # drawn as the clusters are
    assert legend.locator("svg.legend-movement path").count() == 2  # a dashed line and its arrowhead
    page.select_option("select[name=period]", "90")
    wait_for_map(page)
    assert "assets moved in the 90 days to 2024-12-20" in legend.inner_text()

    toggle = legend.locator(".legend-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert legend.locator(".legend-body").is_hidden()
    page.fill("#date-input", "2024-12-13")
    page.dispatch_event("#date-input", "change")
    wait_for_map(page)
    assert legend.locator(".legend-body").is_hidden()  # stays folded while the page lives
    toggle.click()
    assert "the assets counted there on 2024-12-13" in legend.inner_text()


def test_the_legend_opens_as_it_was_left(page, demo):
    # Open, it covers a fifth of the map: folded once, it stays folded on the next visits.
    page.goto("/?as_of=2024-12-20")
    wait_for_map(page)
    toggle, body = page.locator(".map-legend .legend-toggle"), page.locator(".map-legend .legend-body")
    assert body.is_visible()  # the first time
    toggle.click()
    for _ in range(2):
        page.reload()
        wait_for_map(page)
        assert body.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.goto("/?as_of=2024-12-13")
    wait_for_map(page)
    assert body.is_visible()
    assert page.errors == []


def test_crowded_heavily_counted_sites_keep_readable_badges(page):
    """Badges grow with the assets counted, up to a cap: at world scale clusters 40 px apart
    held thousands of assets and grew to 130 px, covering each other and their numbers."""
    jets = make_asset_type(slug="jets")
    for n, count in enumerate([80_000, 70_000, 900]):
        site = make_site(slug=f"crowded-{n}", name=f"crowded-{n}", location=Point(30 + n * 0.05, 30, srid=4326))
        make_observation(site, jets, dt.date(2024, 12, 1), count=count)
    page.goto("/?as_of=2024-12-20&lat=30&lng=30&z=3")  # the three sites in one cluster
    wait_for_map(page)
    badge = page.locator(".cluster-badge").first
    assert badge.inner_text() == "151K"
    assert badge.get_attribute("title") == "3 sites, 150,900 assets counted"
    assert badge.bounding_box()["width"] <= 54 + 6  # the cap, and the double border

    page.evaluate("() => { window.basewatchMap.setView([30, 30], 14, {animate: false}); }")  # each alone
    page.locator('.leaflet-marker-icon[title="crowded-0"]').wait_for()
    assert page.locator('.leaflet-marker-icon[title="crowded-0"] .site-badge').inner_text() == "80000"
    assert page.locator('.leaflet-marker-icon[title="crowded-0"]').bounding_box()["width"] <= 50
    assert page.errors == []


def test_a_date_change_redraws_sites_inside_clusters_and_names_follow_their_badges(page):
    """A date change restyles the markers on the map and only remembers the new icon of those
    inside a cluster (off the map until it opens): both must show the new date's count, and a
    name must still hang just under a badge that grew."""
    jets = make_asset_type(slug="jets")
    sites = [
        make_site(slug=f"near-{n}", name=f"near-{n}", location=Point(30 + n * 0.05, 30, srid=4326)) for n in range(2)
    ]
    sites.append(make_site(slug="alone", name="Alone", location=Point(36, 35, srid=4326)))
    for site in sites:
        make_observation(site, jets, dt.date(2024, 12, 1), count=2)
        make_observation(site, jets, dt.date(2024, 12, 10), count=5000)
    page.goto("/?as_of=2024-12-05&lat=32.5&lng=33&z=6")  # names shown; the two near sites one cluster
    wait_for_map(page)
    alone = '.leaflet-marker-icon[title="Alone"]'
    assert page.locator(f"{alone} .site-badge").inner_text() == "2"
    assert page.locator(".leaflet-marker-pane .cluster-badge").inner_text() == "4"
    small = box(page, alone)["width"]

    set_date(page, "2024-12-12")
    page.wait_for_function("() => document.body.dataset.date === '2024-12-12'")
    assert page.locator(f"{alone} .site-badge").inner_text() == "5000"
    marker, name = box(page, alone), page.locator(".site-label", has_text="Alone").bounding_box()
    assert marker["width"] > small  # the badge grew…
    assert marker["y"] + marker["height"] <= name["y"] <= marker["y"] + marker["height"] + 6  # …and its name with it
    assert page.locator(".leaflet-marker-pane .cluster-badge").inner_text() == "10000"

    page.evaluate("() => { window.basewatchMap.setView([30, 30.025], 14, {animate: false}); }")  # the cluster opens
    page.locator('.leaflet-marker-icon[title="near-0"]').wait_for()
    for n in range(2):
        assert page.locator(f'.leaflet-marker-icon[title="near-{n}"] .site-badge').inner_text() == "5000"
    assert page.errors == []


def test_only_what_is_in_view_is_drawn_and_a_cluster_opens_on_a_click(page):
    """The map holds markers for the clusters and sites in view only (static/js/map-clusters.js):
    a site far off comes when the map is moved to it, and a click on a cluster zooms in until
    its sites stand apart."""
    jets = make_asset_type(slug="jets")
    places = {"pair-0": (30, 30), "pair-1": (30.05, 30), "far": (-100, 40)}
    for slug, (lng, lat) in places.items():
        site = make_site(slug=slug, name=slug, location=Point(lng, lat, srid=4326))
        make_observation(site, jets, dt.date(2024, 12, 1), count=3)
    page.goto("/?as_of=2024-12-20&lat=30&lng=30&z=5")  # the pair as one cluster; "far" out of view
    wait_for_map(page)
    assert page.evaluate("document.body.dataset.sites") == "3"
    markers = page.locator(".leaflet-marker-pane .leaflet-marker-icon")
    assert markers.count() == 1
    assert page.locator(".leaflet-marker-pane .cluster-badge").inner_text() == "6"

    page.locator(".leaflet-marker-pane .cluster-badge").click()
    page.locator('.leaflet-marker-icon[title="pair-1"]').wait_for()
    assert page.evaluate("window.basewatchMap.getZoom()") > 5
    assert page.locator('.leaflet-marker-icon[title="pair-0"] .site-badge').inner_text() == "3"
    assert page.locator(".leaflet-marker-pane .cluster-badge").count() == 0

    page.evaluate("() => { window.basewatchMap.setView([40, -100], 5, {animate: false}); }")
    page.locator('.leaflet-marker-icon[title="far"]').wait_for()
    assert markers.count() == 1  # the pair left the map with the view
    assert page.errors == []


def test_a_cluster_of_sites_at_one_place_opens_at_the_last_zoom(page):
    """Two sites at one place stay one cluster at every zoom but the last: a click on it goes
    there, and each site then has its own marker."""
    jets = make_asset_type(slug="jets")
    for n in range(2):
        site = make_site(slug=f"twin-{n}", name=f"twin-{n}", location=Point(36, 35, srid=4326))
        make_observation(site, jets, dt.date(2024, 12, 1), count=n + 1)
    page.goto("/?as_of=2024-12-20&lat=35&lng=36&z=12")
    wait_for_map(page)
    assert page.locator(".leaflet-marker-pane .cluster-badge").inner_text() == "3"

    page.locator(".leaflet-marker-pane .cluster-badge").click()
    page.locator('.leaflet-marker-icon[title="twin-1"]').wait_for()
    assert page.evaluate("window.basewatchMap.getZoom() === window.basewatchMap.getMaxZoom()")
    assert page.locator('.leaflet-marker-icon[title="twin-0"] .site-badge').inner_text() == "1"
    assert page.locator(".leaflet-marker-pane .cluster-badge").count() == 0
    assert page.errors == []


def test_a_cluster_of_sites_present_in_unknown_numbers_reads_plus_not_zero(page):
    """A cluster is labelled as its sites would be as one: present, count unknown is "+", as on
    a site's marker ("0+" read as none there), and a count joins it as "3+"."""
    jets = make_asset_type(slug="jets")
    near = [
        make_site(slug=f"near-{n}", name=f"near-{n}", location=Point(30 + n * 0.05, 30, srid=4326)) for n in range(3)
    ]
    for site in near[:2]:
        make_observation(site, jets, dt.date(2024, 12, 1), count=None)
    make_observation(near[2], jets, dt.date(2024, 12, 10), count=3)
    page.goto("/?as_of=2024-12-05&lat=30&lng=30&z=5")  # the three sites one cluster; the third unseen yet
    wait_for_map(page)
    assert page.locator(".leaflet-marker-pane .cluster-badge").inner_text() == "+"
    set_date(page, "2024-12-12")
    page.wait_for_function("() => document.body.dataset.date === '2024-12-12'")
    assert page.locator(".leaflet-marker-pane .cluster-badge").inner_text() == "3+"
    assert page.errors == []


def test_a_cluster_of_sites_nothing_is_based_at_reads_as_such_a_site_does(page):
    """Where nothing based is known at any of a cluster's sites, the cluster says what such a
    site says (posture.js unknownLook): "+" in a dashed ring when assets only pass through, "?"
    dashed grey when nothing is known at all."""
    jets = make_asset_type(slug="jets")
    near = [
        make_site(slug=f"near-{n}", name=f"near-{n}", location=Point(30 + n * 0.05, 30, srid=4326)) for n in range(2)
    ]
    for site in near:
        make_observation(site, jets, dt.date(2024, 12, 10), count=2, presence="transient")
    page.goto("/?as_of=2024-12-05&lat=30&lng=30&z=5")  # the two sites one cluster, nothing seen yet
    wait_for_map(page)
    badge = page.locator(".leaflet-marker-pane .cluster-badge")
    assert badge.inner_text() == "?" and "unknown" in badge.get_attribute("class")
    assert badge.get_attribute("title") == "2 sites"

    set_date(page, "2024-12-12")
    page.wait_for_function("() => document.body.dataset.date === '2024-12-12'")
    assert badge.inner_text() == "+"
    assert "transient-only" in badge.get_attribute("class") and "unknown" not in badge.get_attribute("class")
    assert badge.get_attribute("title") == "2 sites, only passing through (not counted)"
    assert page.errors == []
