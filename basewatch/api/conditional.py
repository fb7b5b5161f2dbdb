"""Conditional GET for the API: ETags and Last-Modified from the data version, and the response cache.

The data version (core.models.DataVersion) counts every write to the served tables, links
and deletes included, and keeps the time of the last one. A list's ETag names that
version, the URL with its query, the response format and what the caller's role may see,
so it is known before anything else is read: a matching If-None-Match gets 304 at the
cost of one small query, and an anonymous caller gets the answer kept since the last
write (api.response_cache). Last-Modified is the last write's time. Both are read before
the data, so an answer is never labelled newer than it is.

A versioned item's detail has an ETag of its own, naming the item's version (what a
writer sends back in If-Match): `"v<version>.<digest of the body>"`.

If-None-Match is compared weakly (RFC 9110): nginx's gzip turns an ETag into `W/"…"`, and a
client sends that back. Who may keep an answer is said once, here, for the REST API and the
OGC API alike (`cache_control`): an anonymous read may be kept by anyone, a CDN included,
for a few seconds; an answer to a logged-in user or a token only by that caller's browser.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import parse_etags, patch_cache_control
from rest_framework.exceptions import ValidationError

from basewatch.api.response_cache import CachedAnswer, responses
from basewatch.core.roles import role_of
from basewatch.core.versions import parse_version

_ITEM_ETAG = re.compile(r'^(?:W/)?"v(\d+)[."]')


def data_etag(request, version: int, changed) -> str:
    # The write's time too: a restored backup starts counting again from an older version.
    parts = [str(changed), request.get_full_path(), request.accepted_renderer.format, str(role_of(request.user))]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return f'"d{version}.{digest}"'


def matches(request, etag: str) -> bool:
    sent = parse_etags(request.headers.get("If-None-Match", ""))
    return etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in sent}


def cache_control(request, response) -> None:
    """Who may keep `response`, and for how long.

    Anonymous reads (200 and 304) are the same bytes for everyone until the next write: any
    cache may keep them for API_MAX_AGE seconds, and serve them for API_STALE_WHILE_REVALIDATE
    more while it asks again, so a crowd on a crisis day costs the server one request per URL
    every few seconds. A request with a session or a token sees what its role may see (drafts,
    editors' names): `private, no-cache`, kept only by the caller, and revalidated by ETag every
    time, so editors read their own writes at once. Both vary on Accept, Authorization and
    Cookie (set by the views).
    """
    if request.user.is_authenticated or "Authorization" in request.headers:
        patch_cache_control(response, private=True, no_cache=True)
    elif request.method in ("GET", "HEAD") and response.status_code in (200, 304):
        patch_cache_control(
            response,
            public=True,
            max_age=settings.API_MAX_AGE,
            stale_while_revalidate=settings.API_STALE_WHILE_REVALIDATE,
        )


def cacheable(request) -> bool:
    """Anonymous reads: the same bytes for everyone until the next write."""
    return request.method == "GET" and role_of(request.user) is None


def cached_response(key: str) -> HttpResponse | None:
    answer = responses.get(key)
    if answer is None:
        return None
    response = HttpResponse(answer.body, headers=dict(answer.headers))
    response.from_cache = True
    return response


def _kept_headers(response) -> tuple[tuple[str, str], ...]:
    """The headers a cached answer keeps; the view and the middleware add the rest again."""
    names = ("Content-Type", "Content-Disposition", "ETag", "Link")
    return tuple((name, response[name]) for name in names if response.has_header(name))


def keep(response, key: str) -> None:
    """Put the answer in the response cache once its body (and so its type) is known."""
    if response.streaming:
        response.streaming_content = responses.tee(key, _kept_headers(response), response.streaming_content)
    elif hasattr(response, "add_post_render_callback"):
        response.add_post_render_callback(
            lambda done: responses.put(key, CachedAnswer(_kept_headers(done), done.content))
        )
    else:
        responses.put(key, CachedAnswer(_kept_headers(response), response.content))


def item_etag(response, version: int) -> str:
    response.render()
    return f'"v{version}.{hashlib.sha256(response.content).hexdigest()[:16]}"'


def read_version(request) -> int | None:
    """The version a writer read: If-Match (an item ETag) or a `version` field; None when neither is sent.

    A malformed one is a 400 naming where it came from.
    """
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        match = _ITEM_ETAG.match(header)
        if not match:
            raise ValidationError({"If-Match": ['Send the ETag you received, e.g. "v3.1a2b…".']})
        return int(match.group(1))
    sent = request.data.get("version") if hasattr(request.data, "get") else None
    if sent is None:
        return None
    # Digits in a string are the number too, as DRF's IntegerField takes "8" for a count and
    # the editor's forms read it (core.versions.parse_version); not " 2" nor "2.0".
    version = parse_version(sent)
    if version is None:
        raise ValidationError({"version": ["A whole number from 1: the version you read."]})
    return version
