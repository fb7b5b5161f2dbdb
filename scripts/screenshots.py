"""The README's pictures (docs/*.png), made from the demo data: `make screenshots`.

`scripts/screenshots.py --out /tmp/shots ogc-items phone-ogc-items` makes only the named
pictures, elsewhere (to look at a change without touching docs/).

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
  docs/ogc-landing.png, docs/phone-ogc-landing.png   the OGC API's landing page as HTML
  docs/ogc-items.png, docs/phone-ogc-items.png       its sites on 14 December 2024, map and table
  docs/ogc-feature.png, docs/phone-ogc-feature.png   one of them, Khmeimim
  docs/site-images.png    the Khmeimim site page's images and before/after swipe
  docs/claim-images.png   an observation's page with its images and the swipe
  docs/phone-images.png   the swipe on a 360 px phone

basewatch holds no satellite images of its own (the demo's sources are not files), so for the
image shots two *drawings*, captioned as such, are attached to the S-400 observation of
13 December and to the post that cites Maxar's before and after, and removed afterwards.
"""

from __future__ import annotations

import argparse
import io
import os
import random
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
# When a page is drawn: the map page once it has loaded its date's data, an OGC API page once
# its map holds the page's features and the world's outline.
MAP_PAGE = "document.body.dataset.loading === 'false'"
OGC_MAP = "document.querySelector('#feature-map[data-features]') && document.querySelector('[data-basemap]')"
# (name, viewport, path, what to wait for or None, the whole page or the window)
SHOTS = [
    ("map-world", DESKTOP, "/?as_of=2024-12-20&lat=24&lng=14&z=3", MAP_PAGE, False),
    ("map-syria", DESKTOP, "/?as_of=2024-12-14&lat=35.10&lng=36.00&z=8", MAP_PAGE, False),
    ("site-khmeimim", DESKTOP, "/sites/khmeimim/?as_of=2024-12-14", None, True),
    ("phone-map", PHONE, "/?as_of=2024-12-14&lat=34.2&lng=33.5&z=5", MAP_PAGE, False),
    ("phone-site", PHONE, "/sites/khmeimim/?as_of=2024-12-14#posture-heading", None, False),
    ("map-track", DESKTOP, "/?as_of=2024-12-20&asset=RA-76845", MAP_PAGE, False),
    ("asset-ra-76845", DESKTOP, "/assets/RA-76845/", None, True),
    ("phone-asset", PHONE, "/assets/RA-76845/", None, False),
    ("ogc-landing", DESKTOP, "/ogc/?f=html", None, True),
    ("phone-ogc-landing", PHONE, "/ogc/?f=html", None, False),
    ("ogc-items", DESKTOP, "/ogc/collections/sites/items?f=html&datetime=2024-12-14", OGC_MAP, False),
    ("phone-ogc-items", PHONE, "/ogc/collections/sites/items?f=html&datetime=2024-12-14", OGC_MAP, False),
    ("ogc-feature", DESKTOP, "/ogc/collections/sites/items/khmeimim?f=html&datetime=2024-12-14", OGC_MAP, True),
    ("phone-ogc-feature", PHONE, "/ogc/collections/sites/items/khmeimim?f=html&datetime=2024-12-14", OGC_MAP, False),
    ("site-images", DESKTOP, "/sites/khmeimim/?as_of=2024-12-14#images-heading", None, False),
    ("claim-images", DESKTOP, "{claim}#images-heading", None, True),
    ("phone-images", PHONE, "/sites/khmeimim/?as_of=2024-12-14#swipe-heading", None, False),
]
SAMPLE_CREDIT = "basewatch (a drawing in place of Maxar's imagery, which basewatch does not hold)"


def drawing(launchers: int, seed: int) -> bytes:
    """A made-up top view of an air-defence position: pale ground, a road, `launchers` vehicles."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)  # noqa: S311 (texture for a drawing, not a secret)
    image = Image.new("RGB", (960, 640), (196, 184, 158))
    draw = ImageDraw.Draw(image)
    for _ in range(4000):  # the texture of dry ground
        x, y, shade = rng.randrange(960), rng.randrange(640), rng.randrange(-18, 18)
        draw.point((x, y), fill=(196 + shade, 184 + shade, 158 + shade))
    draw.rectangle((0, 400, 960, 470), fill=(120, 118, 112))  # a road
    draw.ellipse((140, 90, 820, 360), outline=(150, 140, 120), width=6)  # the revetment ring
    for index in range(launchers):
        x, y = 210 + index * 150, 180 + (index % 2) * 60
        draw.rectangle((x, y, x + 90, y + 34), fill=(78, 84, 64))
        draw.rectangle((x + 60, y + 6, x + 88, y + 28), fill=(60, 64, 50))
        draw.ellipse((x + 90, y + 10, x + 104, y + 24), fill=(40, 40, 40))  # its shadow
    font = ImageFont.load_default(size=30)
    draw.rectangle((0, 590, 960, 640), fill=(0, 0, 0))
    draw.text((16, 598), "SAMPLE DRAWING: not imagery", fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def attach_samples() -> tuple[list[int], str]:
    """Attach the two drawings; their ids (to remove) and the page of the observation of 13 December."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "basewatch.settings")
    django.setup()
    from basewatch.core import images
    from basewatch.core.models import Observation, Source

    after_of = Observation.objects.get(site__slug="khmeimim", asset_type__slug="s-400", observed="2024-12-13")
    before_of = Source.objects.get(url="https://pic.twitter.com/1P2i3O5RGt")
    made = []
    for target, launchers, caption in [
        ({"source": before_of}, 4, "Sample drawing: the S-400 position as seen in November (4 launchers)"),
        ({"observation": after_of}, 1, "Sample drawing: the same position on 13 December (1 launcher left)"),
    ]:
        checked = images.check_bytes(drawing(launchers, seed=launchers))
        made.append(images.attach(checked, **target, credit=SAMPLE_CREDIT, caption=caption).pk)
    return made, f"/observations/{after_of.pk}/"


def remove_samples(ids: list[int]) -> None:
    from basewatch.core.models import EvidenceImage

    for image in EvidenceImage.objects.filter(pk__in=ids):
        storage = image.file.storage
        if EvidenceImage.objects.filter(sha256=image.sha256).count() == 1:
            storage.delete(image.file.name)
            storage.delete(image.thumbnail.name)
        image.delete()


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


def shoot(browser, base: str, out: Path, name: str, viewport: dict, path: str, ready, full_page: bool) -> None:
    context = browser.new_context(base_url=base, viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(path)
    if ready:
        page.wait_for_function(f"() => {ready}")
    # An asset's track (the map's ?asset=, the asset page) arrives after the page.
    page.wait_for_function("() => document.body.dataset.track !== 'loading'")
    page.wait_for_timeout(500)  # the last frame of Leaflet's and Chart.js's drawing
    page.screenshot(path=str(out / f"{name}.png"), full_page=full_page)
    context.close()
    print(f"screenshots: {out / name}.png")


def main() -> None:
    parser = argparse.ArgumentParser(description="The README's pictures, from the demo data.")
    parser.add_argument("--out", type=Path, default=DOCS, help="where the PNG files go (default: docs/)")
    parser.add_argument("names", nargs="*", help="only these pictures (default: all)")
    args = parser.parse_args()
    unknown = set(args.names) - {shot[0] for shot in SHOTS}
    if unknown:
        parser.error(f"no picture called {', '.join(sorted(unknown))}")
    shots = [shot for shot in SHOTS if not args.names or shot[0] in args.names]
    args.out.mkdir(parents=True, exist_ok=True)
    samples, claim = attach_samples() if any("images" in shot[0] for shot in shots) else ([], "")
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
            for name, viewport, path, ready, full_page in shots:
                where = path.format(claim=claim)
                shoot(browser, f"http://127.0.0.1:{port}", args.out, name, viewport, where, ready, full_page)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        remove_samples(samples)


if __name__ == "__main__":
    main()
