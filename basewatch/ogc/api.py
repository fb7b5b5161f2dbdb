"""The OpenAPI 3.0 document of /ogc/, built by hand: small enough for QGIS to read at once.

Every operation answers in JSON (GeoJSON for features) or, asked for by `f=html` or an
Accept header preferring it, as an HTML page; errors too (ogc/html.py), so each response lists
both media types.

GDAL and QGIS read the items path's `limit` parameter for its `maximum` (the page size
they ask for) and `default`, inline rather than through a $ref, which older GDALs do not
follow. One path per collection, so each names its own parameters: the common ones and
the collection's property filters (its queryables). The CQL2 parameters (Part 3,
Filtering) name their languages in an enum (GDAL 3.6 sends a filter only when that enum
offers an older draft's `cql-text`, which basewatch does not read).
"""

from __future__ import annotations

from basewatch.ogc import cql
from basewatch.ogc.params import CRS84, DEFAULT_LIMIT, MAX_LIMIT

_PAGE = {"text/html": {"schema": {"type": "string"}}}
_EXCEPTION = {
    "description": "A bad parameter (400) or an unknown collection or feature (404); a page saying so to a browser.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["code"],
                "properties": {
                    "code": {"type": "string"},
                    "description": {"type": "string"},
                    "parameter": {"type": "string"},
                },
            }
        },
        **_PAGE,
    },
}
_F = {
    "name": "f",
    "in": "query",
    "required": False,
    "description": "The encoding: JSON (GeoJSON for features) or an HTML page. Without it the Accept header "
    "decides, JSON unless it prefers text/html.",
    "schema": {"type": "string", "enum": ["json", "geojson", "html"]},
}
_STRING = {"type": "string"}
_COUNT = {"type": "integer", "minimum": 0}
_LINK = {"type": "object", "required": ["href"], "properties": dict.fromkeys(["href", "rel", "type", "title"], _STRING)}
_LINKS = {"type": "array", "items": _LINK}
_FEATURE = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"oneOf": [_STRING, {"type": "integer"}]},
        "geometry": {"type": "object", "nullable": True},
        "properties": {"type": "object", "nullable": True},
        "links": _LINKS,
    },
}
_FEATURES = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": _FEATURE},
        "links": _LINKS,
        "timeStamp": {"type": "string", "format": "date-time"},
        "numberMatched": _COUNT,
        "numberReturned": _COUNT,
    },
}
_OBJECT = {"type": "object"}


def _query(name: str, description: str, schema: dict, **more) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema, **more}


# `datetime` as params.parse_datetime reads it: a date or an RFC 3339 date-time with its offset,
# or an interval of them with at least one end ('..' or nothing for an open one). ASCII digits
# spelled out: a generator reading `\d` as Python does would draw other scripts' digits.
_DAY = "[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
_INSTANT = f"{_DAY}({_TIME})?"
DATETIME_PATTERN = rf"^({_INSTANT}|{_INSTANT}/({_INSTANT}|\.\.)?|(\.\.)?/{_INSTANT})$"
DATETIME = _query(
    "datetime",
    "A date or RFC 3339 date-time (with offset), or an interval start/end ('..' for open).",
    {"type": "string", "pattern": DATETIME_PATTERN},
    style="form",
    explode=False,
)
# Sites take one day, the day their posture is read on (collections.Sites.during refuses an interval).
SITES_DATETIME = _query(
    "datetime",
    "The day the posture is read on: a date or RFC 3339 date-time (with offset); default today.",
    {"type": "string", "pattern": f"^{_INSTANT}$"},
    style="form",
    explode=False,
)


ITEMS_PARAMETERS = [
    _query(
        "limit",
        f"Features per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        style="form",
        explode=False,
    ),
    _query(
        "bbox",
        "minlon,minlat,maxlon,maxlat in CRS84 degrees (or with heights: minlon,minlat,minheight,maxlon,"
        "maxlat,maxheight; every feature is 2D); minlon > maxlon crosses the antimeridian.",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        style="form",
        explode=False,
    ),
    _query("bbox-crs", "The bbox's CRS: CRS84 only.", {"type": "string", "enum": [CRS84]}),
    DATETIME,
    _query("cursor", "Where the page starts: take it from a `next` or `prev` link.", {"type": "string"}),
    _query(
        "filter",
        f"A CQL2 filter (OGC 21-065) over the collection's queryables (see its queryables), at most "
        f"{cql.MAX_LENGTH} characters: comparisons, IS NULL, AND, OR, NOT, LIKE, BETWEEN, IN, and "
        f"S_INTERSECTS({cql.GEOMETRY}, a POINT, BBOX or POLYGON in longitude/latitude).",
        {"type": "string", "maxLength": cql.MAX_LENGTH},
    ),
    _query(
        "filter-lang",
        "The filter's encoding: CQL2 text (default) or CQL2-JSON.",
        {"type": "string", "enum": list(cql.LANGUAGES), "default": cql.TEXT},
    ),
    _query("filter-crs", "The CRS of the filter's geometries: CRS84 only.", {"type": "string", "enum": [CRS84]}),
    _F,
]


def _property_filter(collection, name: str) -> dict:
    schema = collection.queryable_schema(name)
    description = schema.pop("description")
    # As in the REST API, an empty value is no filter (core.filters), whatever the queryable's type.
    if "enum" in schema:
        schema["enum"] = ["", *schema["enum"]]
    else:
        schema = {"anyOf": [schema, {"type": "string", "enum": [""]}]}
    return _query(name, description, schema)


def _operation(
    operation_id: str, summary: str, schema: dict, parameters: list, media: str = "application/json", links=None
):
    ok = {"description": summary, "content": {media: {"schema": schema}, **_PAGE}}
    if links:
        ok["links"] = links
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": ok, "400": _EXCEPTION, "404": _EXCEPTION},
        }
    }


def document(root: str, collections: dict) -> dict:
    """The document for the API at `root` (an absolute URL without a trailing slash)."""
    paths = {
        "/": _operation("getLandingPage", "The landing page", _OBJECT, [_F]),
        "/conformance": _operation("getConformance", "The conformance classes implemented", _OBJECT, [_F]),
        "/api": _operation("getApi", "This document", _OBJECT, [_F], "application/vnd.oai.openapi+json;version=3.0"),
        "/collections": _operation("getCollections", "The feature collections", _OBJECT, [_F]),
    }
    for name, item in collections.items():
        feature_id = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"},
                      "description": "The feature's id (a site's slug, a claim's number)."}  # fmt: skip
        datetime = SITES_DATETIME if name == "sites" else DATETIME
        items_parameters = [datetime if p["name"] == "datetime" else p for p in ITEMS_PARAMETERS]
        paths[f"/collections/{name}"] = _operation(f"describe_{name}", f"The {name} collection", _OBJECT, [_F])
        properties = [_property_filter(item, queryable) for queryable in item.queryables]
        paths[f"/collections/{name}/queryables"] = _operation(
            f"get_{name}_queryables", f"The property filters of {name}", _OBJECT, [_F], "application/schema+json"
        )
        # An OpenAPI link from a page to one of its features: how a client (and schemathesis's
        # stateful phase) finds a featureId that exists.
        first = {
            "operationId": f"get_{name}_feature",
            "parameters": {"featureId": "$response.body#/features/0/id"},
            "description": "The page's first feature",
        }
        paths[f"/collections/{name}/items"] = _operation(
            f"get_{name}",
            item.description,
            _FEATURES,
            [*properties, *items_parameters],
            "application/geo+json",
            {"firstFeature": first},
        )
        paths[f"/collections/{name}/items/{{featureId}}"] = _operation(
            f"get_{name}_feature", f"One of the {name}", _FEATURE, [feature_id, datetime, _F], "application/geo+json"
        )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "basewatch OGC API - Features",
            "version": "1.0.0",
            "description": "Sites, observations and movements as OGC API - Features (Part 1: Core, GeoJSON, "
            "OpenAPI 3.0). Anonymous clients read published claims; send `Authorization: Token <key>` for more.",
        },
        "servers": [{"url": root}],
        "paths": paths,
    }
