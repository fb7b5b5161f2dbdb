"""OGC API - Features, Part 1 (Core, GeoJSON, OpenAPI 3.0) and Part 3 (queryables, CQL2
filters), mounted at /ogc/.

What QGIS's "OGC API - Features" connection, GDAL's OAPIF driver and OWSLib need: a
landing page linking the OpenAPI document (`service-desc`), the conformance classes and
the collections; collections that declare their geometry type and extent even when
empty; item pages with numberMatched/numberReturned and `next`/`prev` links (keyset
cursors, collections.py); a `limit` maximum advertised in the OpenAPI document (api.py),
so GDAL pages at that size.

Every view is a function under `ogc_view`: GET and HEAD only; who is asking read as the
REST API reads it (`Authorization: Token …`, or the session); a bad parameter, an unknown
collection or feature answered in the OGC exception format ({"code", "description"}).
A view builds its JSON document and hands it to `_answer`, which sends it as JSON, linked to
its HTML form, or as that HTML page (html.py decides which, from `f` and Accept).

Conditional GET and Cache-Control as in the REST API (api.conditional): the ETag names the data version
(core.models.DataVersion), the URL with its query and the caller's role, so it is known
before anything else is read and a matching If-None-Match is a 304 for one small query;
it names the encoding too (HTML or JSON, on the same URL by Accept: `Vary: Accept`), so a
cache never answers a browser with the JSON or a client with the page. Last-Modified is the
last write's time. Item pages repeat their `self`, queryables, `next` and `prev` links in
an RFC 8288 `Link` header, as the REST API's lists do (and as ogctests' Part 3 suite looks for).
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.utils.urls import remove_query_param, replace_query_param

from basewatch.api.authentication import HashedTokenAuthentication
from basewatch.api.conditional import cache_control
from basewatch.core.models import DataVersion
from basewatch.core.roles import role_of
from basewatch.lib import cursor
from basewatch.ogc import api, cql, html
from basewatch.ogc.collections import COLLECTIONS, Collection, NotFound, collection
from basewatch.ogc.params import MAX_LIMIT, BadParameter, check_known, parse_items_query

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    # Part 3: the queryables resource, and each queryable as a query parameter on items.
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    # Part 3 filtering: `filter`, `filter-lang` and `filter-crs` on items, in CQL2 (cql.py) as
    # text or JSON, with LIKE, BETWEEN and IN, and S_INTERSECTS with a point, box or polygon.
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
]
ITEMS_PARAMETERS = {"bbox", "bbox-crs", "datetime", "limit", "cursor", "filter", "filter-lang", "filter-crs", "f"}
FEATURE_PARAMETERS = {"datetime", "f"}  # a site is read with its posture on a day


def _json(document: dict, status: int = 200, content_type: str = JSON) -> HttpResponse:
    body = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type=content_type)


def _answer(request, document: dict, template: str, content_type: str = JSON, **context) -> HttpResponse:
    """`document` as JSON (`content_type`), or as the HTML page `template` draws when that was asked for.
    `context`: what the page needs beside the document."""
    if html.wanted(request):
        return html.page(request, template, document, **context)
    if "links" in document:  # /req/html/definition: each JSON document links its HTML form
        document["links"].append(_link(html.alternate(request, "html"), "alternate", html.HTML, "This as HTML"))
    return _json(document, content_type=content_type)


def _exception(request, status: int, code: str, description: str, **more) -> HttpResponse:
    """The OGC exception; a page saying the same to whoever asked for HTML."""
    body = {"code": code, "description": description, **more}
    if html.wanted(request):
        return html.page(request, "ogc/error.html", body, status=status)
    return _json(body, status=status)


def _data_etag(request, version: int, changed) -> str:
    # The write's time too: a restored backup starts counting again from an older version.
    encoding = "html" if html.wanted(request) else "json"
    parts = [str(changed), request.get_full_path(), str(role_of(request.user)), encoding]
    return f'"o{version}.{hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]}"'


def _conditional(request, view, *args, **kwargs) -> HttpResponse:
    """The view's answer, or a 304 when the caller already holds it; both carry ETag and Last-Modified."""
    version, changed = DataVersion.current()
    etag = _data_etag(request, version, changed)
    last_modified = int(changed.timestamp()) if changed else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = view(request, *args, **kwargs)
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
    return response


def ogc_view(view):
    # Exempt from the CSRF check, which would refuse a POST (or any unsafe method) without a
    # token with a 403 before the view could say what is true: nothing here writes (405).
    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = _exception(request, 405, "MethodNotAllowed", "This API is read-only: GET or HEAD.")
            response["Allow"] = "GET, HEAD"
            return response
        try:
            # The REST API's token check, throttling of bad tokens included; else the session's user.
            found = HashedTokenAuthentication().authenticate(request)
            if found is not None:
                request.user = found[0]
            response = _conditional(request, view, *args, **kwargs)
        except AuthenticationFailed as error:
            response = _exception(request, 401, "NotAuthenticated", str(error.detail))
            response["WWW-Authenticate"] = HashedTokenAuthentication.keyword
        except Throttled as error:
            response = _exception(request, 429, "Throttled", str(error.detail))
        except BadParameter as error:
            response = _exception(request, 400, "InvalidParameterValue", f"{error.parameter}: {error.message}",
                                  parameter=error.parameter)  # fmt: skip
        except NotFound as error:
            response = _exception(request, 404, "NotFound", str(error))
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        cache_control(request, response)
        return response

    return wrapper


def _url(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"ogc:{name}", kwargs=kwargs))


def _link(href: str, rel: str, type_: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": type_, "title": title}


@ogc_view
def landing(request):
    check_known(request.GET, {"f"})
    document = {
        "title": "basewatch",
        "description": "Foreign military base posture from open sources: sites with their posture on a "
        "date, sourced observations and movements.",
        "links": [
            _link(_url(request, "landing"), "self", JSON, "This document"),
            _link(_url(request, "api"), "service-desc", OPENAPI, "The API definition (OpenAPI 3.0)"),
            _link(_url(request, "api") + "?f=html", "service-doc", html.HTML, "The API documentation"),
            _link(_url(request, "conformance"), "conformance", JSON, "Conformance classes implemented"),
            _link(_url(request, "collections"), "data", JSON, "The feature collections"),
        ],
    }
    return _answer(request, document, "ogc/landing.html", collections=COLLECTIONS.values())


@ogc_view
def conformance(request):
    check_known(request.GET, {"f"})
    return _answer(request, {"conformsTo": CONFORMANCE}, "ogc/conformance.html")


@ogc_view
def api_document(request):
    """The OpenAPI document; as HTML, Swagger UI reading it (the landing page's `service-doc`)."""
    check_known(request.GET, {"f"})
    document = api.document(_url(request, "landing").rstrip("/"), COLLECTIONS)
    return _answer(request, document, "ogc/api.html", OPENAPI)


def _describe(request, item: Collection) -> dict:
    items = _url(request, "items", collection_id=item.id)
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "itemType": "feature",
        "geometryType": item.geometry_type,
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": item.extent(request.user),
        "links": [
            _link(_url(request, "collection", collection_id=item.id), "self", JSON, "This collection"),
            _link(items, "items", GEOJSON, f"{item.title} (GeoJSON, at most {MAX_LIMIT} a page)"),
            _link(f"{items}?f=html", "items", html.HTML, f"{item.title} (a page with a map)"),
            _link(_url(request, "queryables", collection_id=item.id), QUERYABLES, SCHEMA, "The property filters"),
        ],
    }


@ogc_view
def collections(request):
    check_known(request.GET, {"f"})
    document = {
        "links": [_link(_url(request, "collections"), "self", JSON, "This document")],
        "collections": [_describe(request, item) for item in COLLECTIONS.values()],
    }
    return _answer(request, document, "ogc/collections.html")


@ogc_view
def collection_detail(request, collection_id: str):
    item = collection(collection_id)
    check_known(request.GET, {"f"})
    return _answer(request, _describe(request, item), "ogc/collection.html", collection=item)


@ogc_view
def queryables(request, collection_id: str):
    """The properties items can be filtered on, each a query parameter of the same name and a
    property a CQL2 `filter` compares, and the geometry (OGC API - Features Part 3), as JSON Schema."""
    item = collection(collection_id)
    check_known(request.GET, {"f"})
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _url(request, "queryables", collection_id=item.id),
        "type": "object",
        "title": item.title,
        "properties": {
            **{name: item.queryable_schema(name) for name in item.queryables},
            cql.GEOMETRY: item.geometry_schema(),
        },
        # A filter naming anything else is refused.
        "additionalProperties": False,
    }
    return _answer(request, document, "ogc/queryables.html", SCHEMA, collection=item)


@ogc_view
def items(request, collection_id: str):
    item = collection(collection_id)
    if "offset" in request.GET:  # taken before keyset cursors; a saved link says why it no longer works
        raise BadParameter("offset", "Pages are read by cursor: follow the `next` and `prev` links.")
    check_known(request.GET, ITEMS_PARAMETERS | set(item.queryables))
    query = parse_items_query(request.GET, item.queryables, item.order_key_type)
    rows = item.narrowed(item.rows(request.user), query)
    matched = rows.count()
    page = item.page(rows, query)
    features = [item.feature(row, query) for row in page.rows]
    here = request.build_absolute_uri()
    links = [
        _link(here, "self", GEOJSON, "This page"),
        _link(_url(request, "collection", collection_id=item.id), "collection", JSON, item.title),
        _link(_url(request, "queryables", collection_id=item.id), QUERYABLES, SCHEMA, "The property filters"),
    ]
    if page.has_next and page.rows:
        links.append(_link(_page_url(here, item, page.rows[-1], False), "next", GEOJSON, "Next page"))
    if page.has_previous:
        # Past the end, an empty page leads back to the first.
        before = _page_url(here, item, page.rows[0], True) if page.rows else remove_query_param(here, "cursor")
        links.append(_link(before, "prev", GEOJSON, "Previous page"))
    document = {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": timezone.now().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": links,
    }
    response = _answer(request, document, "ogc/items.html", GEOJSON, collection=item)
    response["Link"] = ", ".join(
        f'<{link["href"]}>; rel="{link["rel"]}"; type="{link["type"]}"'
        for link in links
        if link["rel"] in ("self", QUERYABLES, "next", "prev")
    )
    return response


def _page_url(here: str, item: Collection, row, backwards: bool) -> str:
    """This URL with the cursor of the page after `row` (or, backwards, before it)."""
    return replace_query_param(here, "cursor", cursor.encode(backwards, getattr(row, item.order_key), row.pk))


@ogc_view
def feature(request, collection_id: str, feature_id: str):
    item = collection(collection_id)
    check_known(request.GET, FEATURE_PARAMETERS)
    query = parse_items_query(request.GET)
    row = item.get(request.user, feature_id, query)
    document = item.feature(row, query)
    document["links"] = [
        _link(request.build_absolute_uri(), "self", GEOJSON, "This feature"),
        _link(_url(request, "collection", collection_id=item.id), "collection", JSON, item.title),
    ]
    return _answer(request, document, "ogc/feature.html", GEOJSON, collection=item, row=row)
