"""The HTML encoding of /ogc/ (OGC API - Features Part 1, conformance class HTML): the same
documents as the JSON, as pages of the site, for a person with a browser.

Which encoding a request gets is decided here, once, for every endpoint: `f` when it is given
(`html`, or `json`/`geojson`), else the Accept header, and HTML only when that ranks text/html
above every JSON type. A browser's `text/html,…,*/*;q=0.8` does; QGIS, GDAL and OWSLib send a
JSON type, `*/*` or no Accept at all, and a tie goes to JSON, so they get what they always got.

Each page is drawn by a template under templates/ogc/ from the JSON document itself, so the two
forms say the same; what a template cannot work out alone (a table's columns, each feature's
title and page, the map's data) is prepared here. User text reaches the page only through the
templates' escaping and `json_script`, and the map's script puts it in with textContent.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from rest_framework.utils.urls import replace_query_param

from basewatch.lib.tiles import map_tiles

HTML = "text/html"
# Any of these ranked as high as text/html keeps the JSON: the encoding clients had before HTML.
JSON_TYPES = [
    "application/json",
    "application/geo+json",
    "application/schema+json",
    "application/vnd.oai.openapi+json",
]
# Parameters that page (the keyset cursor of a `next` link) or choose the encoding: an items
# page names the others as what selected its features.
NOT_A_SELECTION = {"f", "limit", "cursor"}
# How a feature of each collection is named in a page's table, map popups and heading.
TITLES = {
    "sites": "{name}",
    "observations": "{asset_type_name} at {site_name}, {observed}",
    "movements": "{asset_type_name}: {origin_name} → {destination_name}",
}


def wanted(request) -> bool:
    """Whether the answer is the HTML page (an `f` other than html, json or geojson is refused elsewhere)."""
    if "f" in request.GET:
        return request.GET["f"] == "html"
    return request.get_preferred_type([*JSON_TYPES, HTML]) == HTML


def alternate(request, encoding: str) -> str:
    """This URL in another encoding: the request's own, `f` replaced."""
    return replace_query_param(request.build_absolute_uri(), "f", encoding)


def page(request, template: str, document: dict, status: int = 200, **context) -> HttpResponse:
    """`document` as the page `template` draws; `context`: what the view adds (the collection)."""
    context = {"document": document, "json_url": alternate(request, "json"), **context}
    if document.get("type") == "FeatureCollection":
        context.update(_items(request, context["collection"], document))
    elif document.get("type") == "Feature":
        feature = _entry(request, context["collection"], document)
        feature["cells"] = [(name, _shown(value)) for name, value in document["properties"].items()]
        context.update(feature=feature, map=_map([document], [feature]))
    return render(request, template, context, status=status)


def _items(request, collection, document: dict) -> dict:
    """A table of the features (a column per property, as named in the JSON), their map, the
    paging links and the parameters that selected them."""
    features = document["features"]
    entries = [_entry(request, collection, feature) for feature in features]
    columns = list(features[0]["properties"]) if features else []
    for entry, feature in zip(entries, features, strict=True):
        entry["cells"] = [(name, _shown(feature["properties"].get(name))) for name in columns]
    pages = {link["rel"]: link["href"] for link in document["links"] if link["rel"] in ("prev", "next")}
    selection = [(name, value) for name, value in request.GET.items() if name not in NOT_A_SELECTION]
    return {"columns": columns, "features": entries, "map": _map(features, entries), "selection": selection, **pages}


def _shown(value):
    """A property's value as a page shows it: no value a dash, a boolean in words."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _entry(request, collection, feature: dict) -> dict:
    """A feature's id, title and HTML page; a `datetime` carries over (a site's posture is read on it)."""
    url = reverse("ogc:feature", kwargs={"collection_id": collection.id, "feature_id": feature["id"]})
    if "datetime" in request.GET:
        url = replace_query_param(url, "datetime", request.GET["datetime"])
    try:
        title = TITLES[collection.id].format(**feature["properties"])
    except (KeyError, IndexError):
        title = f"{collection.title} {feature['id']}"
    return {"id": feature["id"], "title": title, "url": url}


def _map(features: list[dict], entries: list[dict]) -> dict:
    """What static/js/ogc.js draws: each geometry with its title and page, over the site's base map."""
    drawn = []
    for feature, entry in zip(features, entries, strict=True):
        if feature.get("geometry"):
            properties = {"title": entry["title"], "url": entry["url"]}
            drawn.append({"type": "Feature", "geometry": feature["geometry"], "properties": properties})
    return {"features": {"type": "FeatureCollection", "features": drawn}, "tiles": map_tiles()}
