"""M1: the map page in headless Chromium with every site of the tier.

Timed inside the page, so Playwright's own round trips do not count: from
navigation start until the markers for the date are drawn (the page says what it
has drawn in `body[data-date]`, then a frame is painted), and from a date change
until the markers are redrawn for it. Each load uses a fresh browser context (no
HTTP cache) and a date not asked before, so nothing is answered from a cache.
"""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import sync_playwright

from tests.browser.chromium import CHROMIUM, FLAGS

# Resolves after the page has drawn `day` and painted the frame after.
DRAWN = """(day) => new Promise((resolve) => {
  const check = () => document.body.dataset.date === day && document.body.dataset.loading === "false"
    ? requestAnimationFrame(() => setTimeout(resolve, 0))
    : requestAnimationFrame(check);
  check();
})"""
FIRST_DRAW = f"async (day) => {{ await ({DRAWN})(day); return performance.now(); }}"
DATE_CHANGE = f"""async (day) => {{
  const start = performance.now();
  const input = document.querySelector("#date-input");
  input.value = day;
  input.dispatchEvent(new Event("change", {{ bubbles: true }}));
  await ({DRAWN})(day);
  return performance.now() - start;
}}"""

FIRST_DAY = "2025-12-31"
# Different dates for the successive changes; each still holds every site.
OTHER_DAYS = ["2023-06-30", "2021-03-15", "2024-09-01", "2019-11-20", "2022-02-24", "2020-07-04"]


def measure(base: str, what: str, loads: int) -> list[float]:
    """Milliseconds of `loads` first draws ("first draw") or date changes ("date change")."""
    with urllib.request.urlopen(f"{base}/api/v1/site-totals/?page_size=1", timeout=60) as response:  # noqa: S310
        sites = json.load(response)["count"]
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for n in range(loads):
            context = browser.new_context(viewport={"width": 1200, "height": 800})
            page = context.new_page()
            page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())  # no internet here
            page.goto(f"{base}/?as_of={FIRST_DAY}&lat=30&lng=30&z=3", wait_until="commit")
            first = page.evaluate(FIRST_DRAW, FIRST_DAY)
            drawn = int(page.evaluate("document.body.dataset.sites"))
            if drawn != sites:
                raise SystemExit(f"bench: M1 drew {drawn} sites, the API has {sites}")
            if what == "first draw":
                times.append(first)
            else:
                times.append(page.evaluate(DATE_CHANGE, OTHER_DAYS[n % len(OTHER_DAYS)]))
            context.close()
        browser.close()
    return times
