"""An editor archives a source again in real Chromium: the queued capture shows at once; once the
worker has run, the new capture shows with its thumbnail, whether the page changed, and its timestamp."""

from __future__ import annotations

import datetime as dt

import pytest

from basewatch.core.models import Capture
from tests.archive.conftest import allow_fixture, fixture_site, media, tsa, use_tsa  # noqa: F401 (fixtures)
from tests.browser.helpers import screenshot
from tests.browser.test_editor_workflow import log_in
from tests.factories import make_asset_type, make_observation, make_site, make_source, make_user
from tests.servers import run_jobs

pytestmark = pytest.mark.django_db(transaction=True)

NEWS = """<!doctype html><html><head><meta charset="utf-8"><title>Tartus report</title></head>
<body style="font-family:sans-serif;background:#f4f1e8"><h1 style="background:#234;color:#fff;padding:20px">Tartus:
{text}</h1><p>Satellite imagery shows the naval facility's piers.</p></body></html>"""


def test_an_editor_archives_a_source_again_and_sees_the_new_capture(page, fixture_site, use_tsa, media):  # noqa: F811
    fixture_site.pages["/tartus"] = NEWS.format(text="two frigates at the pier").encode()
    source = make_source(url=fixture_site.url("/tartus"), title="Tartus naval facility report")
    run_jobs(queues=("archive",))  # the capture queued when the source was saved
    assert source.captures.get().state == Capture.State.ARCHIVED
    make_user("editor", "ed")

    log_in(page, "ed", f"/sources/{source.pk}/")
    captures = page.locator("ol.captures > li")
    assert captures.count() == 1
    fixture_site.pages["/tartus"] = NEWS.format(text="the pier is empty").encode()
    page.get_by_role("button", name="Archive again").click()
    page.get_by_text("A new capture of this source is queued.").wait_for()
    assert captures.count() == 2
    assert captures.first.locator(".capture-state").inner_text() == "Queued"
    assert captures.first.locator("img").count() == 0  # nothing fetched yet

    run_jobs(queues=("archive",))
    page.reload()
    newest = captures.first
    assert captures.count() == 2
    assert newest.locator(".capture-state").inner_text() == "Archived"
    thumbnail = newest.locator(".capture-thumb img")
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    # The top of the page: 480 px wide, at most 4:3 (this page is shorter than that).
    width, height = thumbnail.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert width == 480 and 0 < height <= 360
    assert "The page changed since the previous capture" in newest.inner_text()
    assert "Timestamped by CN=Test TSA,O=basewatch tests at" in newest.inner_text()
    assert newest.locator(".capture-thumb").get_attribute("href").endswith("/screenshot/?view")
    assert page.errors == []

    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "source-captures")
    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    screenshot(page, "source-captures-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"

    # The claim citing the source lists the same captures.
    claim = make_observation(make_site(slug="tartus"), make_asset_type(), dt.date(2024, 12, 13), sources=[source])
    page.goto(f"/observations/{claim.pk}/")
    shown = page.locator(".capture-thumb img").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=shown.element_handle())
    assert "The page changed since the previous capture" in page.locator("ol.captures").inner_text()
    screenshot(page, "claim-captures-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "claim-captures")

    # The site page: beside the source, when it was archived, and its thumbnail.
    page.goto("/sites/tartus/")
    listed = page.locator("ul.sources li").filter(has_text="Tartus naval facility report")
    assert "archived 2026" in listed.inner_text() and "timestamped" in listed.inner_text()
    small = listed.locator(".source-thumb img")
    small.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=small.element_handle())
    screenshot(page, "site-sources")
    page.set_viewport_size({"width": 360, "height": 780})
    small.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=small.element_handle())
    screenshot(page, "site-sources-phone")
