"""Map tile URL templates (Leaflet's `{z}/{x}/{y}`) and where their images come from."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.templatetags.static import static


def tile_origin(template: str) -> str:
    """The origin tiles are loaded from, as a Content-Security-Policy source.

    `https://tile.example.org/{z}/{x}/{y}.png` gives `https://tile.example.org`; Leaflet's
    subdomain placeholder at the start of the host (`{s}.tile.example.org`) becomes the
    policy's wildcard (`*.tile.example.org`). ValueError names what is wrong with a
    template that is not an http(s) URL with `{z}`, `{x}` and `{y}` (or TMS's `{-y}`).
    """
    url = urlsplit(template)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ValueError("is not an http(s) URL")
    missing = [part for part in ("{z}", "{x}") if part not in template]
    if "{y}" not in template and "{-y}" not in template:
        missing.append("{y}")
    if missing:
        raise ValueError(f"lacks {', '.join(missing)}")
    host = url.netloc
    if host.startswith("{s}."):
        host = "*." + host.removeprefix("{s}.")
    if "{" in host or "}" in host:
        raise ValueError("may have a placeholder in its host only as a first {s}. label")
    return f"{url.scheme}://{host}"


def map_tiles() -> dict:
    """What a page's map is drawn on (static/js/basemap.js): the offline world outline and the
    tile layer over it, as the editors' map widgets have it (url "": none). The site's pages and
    the OGC API's pages both draw their maps on it."""
    tiles = settings.LEAFLET_CONFIG["TILES"]
    url, attribution = (tiles[0][1], tiles[0][2]["attribution"]) if tiles else ("", "")
    world = {
        "overview": static("vendor/world-atlas-2.0.2-countries-110m.json"),
        "detail": static("vendor/world-atlas-2.0.2-countries-50m.json"),
    }
    return {"url": url, "attribution": attribution, "world": world}
