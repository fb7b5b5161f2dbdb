"""The README's pictures (docs/*.png), made from the demo data: `make screenshots`.

Starts the development server on the project's database (with the demo data `make setup`
loads), opens the pages in Debian's Chromium with map tiles blocked (as offline: what every
analyst sees without internet, and what does not change from run to run) and saves:

  docs/map-world.png      the map of every site, on the newest data
  docs/map-syria.png      Syria zoomed in on 14 December 2024
  docs/site-khmeimim.png  the Khmeimim site page on 14 December 2024
  docs/phone-map.png      the map on a 360 px phone
  docs/phone-site.png     the Khmeimim site page's posture on a 360 px phone
  docs/map-track.png      the map with RA-76845's track (a search for it)
  docs/asset-ra-76845.png the asset page of the Il-76TD RA-76845
  docs/phone-asset.png    the same on a 360 px phone
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.chromium import CHROMIUM, FLAGS  # noqa: E402 (after the path is set)

DOCS = ROOT / "docs"
DESKTOP = {"width": 1200, "height": 760}
PHONE = {"width": 360, "height": 740}
# (name, viewport, path, a map page?, the whole page or the window)
SHOTS = [
    ("map-world", DESKTOP, "/?as_of=2024-12-20&lat=24&lng=14&z=3", True, False),
    ("map-syria", DESKTOP, "/?as_of=2024-12-14&lat=35.10&lng=36.00&z=8", True, False),
    ("site-khmeimim", DESKTOP, "/sites/khmeimim/?as_of=2024-12-14", False, True),
    ("phone-map", PHONE, "/?as_of=2024-12-14&lat=34.2&lng=33.5&z=5", True, False),
    ("phone-site", PHONE, "/sites/khmeimim/?as_of=2024-12-14#posture-heading", False, False),
    ("map-track", DESKTOP, "/?as_of=2024-12-20&asset=RA-76845", True, False),
    ("asset-ra-76845", DESKTOP, "/assets/RA-76845/", False, True),
    ("phone-asset", PHONE, "/assets/RA-76845/", False, False),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"screenshots: the server did not start on port {port}")


def shoot(browser, base: str, name: str, viewport: dict, path: str, is_map: bool, full_page: bool) -> None:
    context = browser.new_context(base_url=base, viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(path)
    if is_map:
        page.wait_for_function("() => document.body.dataset.loading === 'false'")
    # An asset's track (the map's ?asset=, the asset page) arrives after the page.
    page.wait_for_function("() => document.body.dataset.track !== 'loading'")
    page.wait_for_timeout(500)  # the last frame of Leaflet's and Chart.js's drawing
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=full_page)
    context.close()
    print(f"screenshots: docs/{name}.png")


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            for name, viewport, path, is_map, full_page in SHOTS:
                shoot(browser, f"http://127.0.0.1:{port}", name, viewport, path, is_map, full_page)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
