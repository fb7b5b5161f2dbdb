"""Stored XSS where the page builds markup in the browser: map popups and the site page."""

from __future__ import annotations

import pytest

from basewatch.core.models import Site
from tests.browser.helpers import wait_for_map
from tests.security.payloads import VECTORS
from tests.security.world import payload_world

pytestmark = pytest.mark.django_db(transaction=True)

# Elements a payload would add, and elements carrying an event-handler attribute.
INJECTED = """() => ({
    added: document.querySelectorAll(
        "main script:not([src]):not([type]), img[src=x], svg:not(.leaflet-zoom-animated):not([class*=leaflet]) script, "
        + "iframe, object, embed, marquee, details, video, audio, [srcdoc], a[href^='javascript' i], a[href^='data' i]"
    ).length,
    handlers: [...document.querySelectorAll("*")].filter(
        (element) => [...element.attributes].some((attribute) => attribute.name.startsWith("on"))
    ).length,
})"""


def test_popups_and_site_pages_show_every_payload_as_text(page):
    payload_world(VECTORS)
    page.goto("/?date=2024-12-20&lat=0&lng=0&z=8")
    wait_for_map(page)
    # Every other attack in a popup, every fourth on its site page (about a second each; the
    # server-rendered pages get all of them in tests/security/test_stored_xss.py).
    for i, text in list(enumerate(VECTORS))[::2]:
        site = Site.objects.get(slug=f"xss-{i}")
        # Sites are 10 degrees apart: at zoom 8 the view shows this one alone.
        page.evaluate(
            "([lat, lng]) => { window.basewatchMap.setView([lat, lng], 8, {animate: false}); }",
            [site.location.y, site.location.x],
        )
        page.get_by_title(text, exact=True).click()
        popup = page.locator(".leaflet-popup-content .site-popup[data-loaded]")
        popup.wait_for()
        assert text in popup.inner_text(), text
        assert page.evaluate(INJECTED) == {"added": 0, "handlers": 0}, text
        page.evaluate("() => { window.basewatchMap.closePopup(); }")
        page.wait_for_function("() => !document.querySelector('.leaflet-popup')")  # faded out
    for i, text in list(enumerate(VECTORS))[1::4]:
        page.goto(f"/sites/xss-{i}/")
        page.wait_for_function("() => document.body.dataset.chartSeries !== undefined")
        assert text in page.inner_text("h1"), text
        assert page.evaluate(INJECTED) == {"added": 0, "handlers": 0}, text
    assert page.dialogs == [] and page.errors == []


def test_the_ogc_pages_popups_and_tooltips_show_every_payload_as_text(page):
    """The OGC API's map (static/js/ogc.js): each site's tooltip and popup, its name a payload."""
    payload_world(VECTORS)
    page.goto("/ogc/collections/sites/items?f=html&limit=1000")
    page.wait_for_selector("#feature-map[data-features]", state="attached")
    names = set(VECTORS)
    shown = page.evaluate(
        """() => [...document.querySelectorAll("#feature-map path.ogc-point")].map((marker) => {
            marker.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
            marker.dispatchEvent(new MouseEvent("click", {bubbles: true}));
            // The newest of each: the one before may still be fading out.
            const popup = [...document.querySelectorAll(".leaflet-popup-content .ogc-popup a")].pop();
            const tooltip = [...document.querySelectorAll(".leaflet-tooltip")].pop();
            const texts = [popup ? popup.textContent : null, tooltip ? tooltip.textContent : null];
            marker.dispatchEvent(new MouseEvent("mouseout", {bubbles: true}));
            return texts;
        })"""
    )
    assert len(shown) == Site.objects.count()
    popups = {popup for popup, _ in shown}
    tooltips = {tooltip for _, tooltip in shown}
    assert names <= popups and names <= tooltips  # every payload, as text
    assert page.evaluate(INJECTED) == {"added": 0, "handlers": 0}
    assert page.dialogs == [] and page.errors == []
