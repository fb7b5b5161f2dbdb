"""M1: the map page in headless Chromium with every site of the tier.

Timed inside the page, so Playwright's own round trips do not count: from
navigation start until the markers for the date are drawn (the page says what it
has drawn in `body[data-date]`, then a frame is painted), and from a date change
until the markers are redrawn for it. Each load uses a fresh browser context (no
HTTP cache) and a date not asked before, so nothing is answered from a cache.

"play (ms per frame)": ▶ Play from PLAY_FROM with every site, the time between
frames over PLAY_FRAMES frames after the first (a frame counted when the page says
it has drawn a new date and a frame is painted); report.py shows it as frames/s.
"""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import sync_playwright

from tests.browser.chromium import CHROMIUM, FLAGS

# Resolves after the page has drawn `day` and painted the frame after.
DRAWN = """(day) => new Promise((resolve) => {
  const check = () => document.body && document.body.dataset.date === day && document.body.dataset.loading === "false"
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

# Each new date the page says it has drawn, timed at the painted frame after it, until
# `frames` more than the first, or `seconds` after the first; returns [performance.now(), date] pairs.
PLAY = """async ([frames, seconds]) => {
  const seen = [];
  let last = document.body.dataset.date;
  await new Promise((resolve) => {
    const check = () => {
      const day = document.body.dataset.date;
      if (day !== last && document.body.dataset.loading === "false") {
        last = day;
        seen.push([performance.now(), day]);
        if (seen.length > frames || (seen.length > 3 && seen.at(-1)[0] - seen[0][0] > seconds * 1000)) return resolve();
      }
      requestAnimationFrame(check);
    };
    document.querySelector("#play").click();
    requestAnimationFrame(check);
  });
  document.querySelector("#play").click(); // pause
  return seen;
}"""
PLAY_FROM = "2024-01-01"
PLAY_SECONDS = 40  # at most: a slow play (a frame every few seconds) still ends
PLAY_FRAMES = 90  # more than a window of frames (static/js/map-time.js): a window's change counts

FIRST_DAY = "2025-12-31"
# Different dates for the successive changes; each still holds every site.
OTHER_DAYS = ["2023-06-30", "2021-03-15", "2024-09-01", "2019-11-20", "2022-02-24", "2020-07-04"]


def measure(base: str, what: str, loads: int) -> list[float]:
    """Milliseconds of `loads` first draws ("first draw") or date changes ("date change"), or per
    frame of `loads` plays ("play (ms per frame)")."""
    with urllib.request.urlopen(f"{base}/api/v1/site-totals/?page_size=1", timeout=60) as response:  # noqa: S310
        sites = json.load(response)["count"]
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for n in range(loads):
            context = browser.new_context(viewport={"width": 1200, "height": 800})
            page = context.new_page()
            page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())  # no internet here
            day = PLAY_FROM if what.startswith("play") else FIRST_DAY
            page.goto(f"{base}/?as_of={day}&lat=30&lng=30&z=3", wait_until="commit")
            first = page.evaluate(FIRST_DRAW, day)
            drawn = int(page.evaluate("document.body.dataset.sites"))
            if drawn != sites:
                raise SystemExit(f"bench: M1 drew {drawn} sites, the API has {sites}")
            if what == "first draw":
                times.append(first)
            elif what.startswith("play"):
                times.append(play(page))
            else:
                times.append(page.evaluate(DATE_CHANGE, OTHER_DAYS[n % len(OTHER_DAYS)]))
            context.close()
        browser.close()
    return times


def play(page) -> float:
    """Milliseconds per frame of one play, over PLAY_FRAMES frames after its first (or PLAY_SECONDS)."""
    seen = page.evaluate(PLAY, [PLAY_FRAMES, PLAY_SECONDS])
    days = [day for _, day in seen]
    if days != sorted(days) or len(set(days)) != len(days):
        raise SystemExit(f"bench: M1 play went through {days}")
    drawn = int(page.evaluate("document.body.dataset.sites"))
    sites = int(page.evaluate("JSON.parse(document.getElementById('map-config').textContent).dates.length"))
    if not drawn or not sites:
        raise SystemExit("bench: M1 play drew no sites")
    return (seen[-1][0] - seen[0][0]) / (len(seen) - 1)
