"""Behaviour shared by API views: conditional GET, CSV export, versioned updates."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.cache import parse_etags
from django.utils.http import http_date
from rest_framework import renderers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from basewatch.api.errors import PreconditionRequired
from basewatch.api.response_cache import CachedAnswer, responses
from basewatch.core import workflow
from basewatch.core.models import DataVersion
from basewatch.core.roles import role_of


class RereadOnCreateMixin:
    """Answer a create with the stored item read back through the endpoint's queryset.

    The representation carries computed values (a site's posture, a movement's
    line) that only the queryset adds.
    """

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = serializer.save()
        stored = self.filter_queryset(self.get_queryset()).get(pk=item.pk)
        return Response(self.get_serializer(stored).data, status=status.HTTP_201_CREATED)


class PatchOnlyMixin:
    """Items change by PATCH only: a PUT must restate every field, and a client that
    left one out would blank it."""

    http_method_names = ["get", "patch", "head", "options"]


class _NotModified(Exception):
    pass


class _Cached(Exception):
    def __init__(self, answer: CachedAnswer):
        self.answer = answer


def _kept_headers(response) -> tuple[tuple[str, str], ...]:
    """The headers a cached answer keeps; the view and the middleware add the rest again."""
    return tuple(
        (name, response[name]) for name in ("Content-Type", "Content-Disposition") if response.has_header(name)
    )


class LastModifiedMixin:
    """Conditional GET: an ETag and a Last-Modified from the data version.

    The data version (core.models.DataVersion) counts every write to the served
    tables, links and deletes included, and keeps the time of the last one. The
    ETag names the version, the URL with its query, the response format and what
    the caller's role may see, so it is known before anything else is read: a
    matching If-None-Match gets 304 at the cost of one small query. Last-Modified
    is the last write's time. Both are read before the data, so an answer is
    never labelled newer than it is. Views with their own ETags (versioned claims)
    set `data_version_etag = False`; ConditionalGetMiddleware hashes those.
    """

    data_version_etag = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.data_etag = self.data_changed = None
        if request.method in ("GET", "HEAD"):
            version, self.data_changed = DataVersion.current()
            if self.data_version_etag:
                self.data_etag = self._data_etag(request, version, self.data_changed)
                if self.data_etag in parse_etags(request.headers.get("If-None-Match", "")):
                    raise _NotModified
                answer = responses.get(self.data_etag) if self._cacheable(request) else None
                if answer is not None:
                    raise _Cached(answer)

    def _cacheable(self, request) -> bool:
        """Anonymous reads: the same bytes for everyone until the next write."""
        return request.method == "GET" and role_of(request.user) is None

    def _data_etag(self, request, version: int, changed) -> str:
        # The write's time too: a restored backup starts counting again from an older version.
        parts = [str(changed), request.get_full_path(), request.accepted_renderer.format, str(role_of(request.user))]
        key = "|".join(parts)
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return f'"d{version}.{digest}"'

    def handle_exception(self, exc):
        if isinstance(exc, _NotModified):
            return HttpResponseNotModified(headers={"ETag": self.data_etag})
        if isinstance(exc, _Cached):
            response = HttpResponse(exc.answer.body, headers=dict(exc.answer.headers))
            response.from_cache = True
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if getattr(self, "data_etag", None):
                response["ETag"] = self.data_etag
                if self._cacheable(request) and not getattr(response, "from_cache", False):
                    self._keep(response)
            if getattr(self, "data_changed", None):
                response["Last-Modified"] = http_date(self.data_changed.timestamp())
        response["Vary"] = "Accept, Authorization, Cookie"
        return response

    def _keep(self, response) -> None:
        """Put the answer in the response cache once its body (and so its type) is known."""
        key = self.data_etag
        if response.streaming:
            response.streaming_content = responses.tee(key, _kept_headers(response), response.streaming_content)
        elif hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(
                lambda done: responses.put(key, CachedAnswer(_kept_headers(done), done.content))
            )
        else:
            responses.put(key, CachedAnswer(_kept_headers(response), response.content))


class CSVRenderer(renderers.BaseRenderer):
    """Lists answer `?format=csv` with a streamed file (CSVExportMixin)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("CSV is streamed by CSVExportMixin.list()")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    # Spreadsheets run cells that start with these as formulas; quote them.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


class CSVExportMixin:
    """`?format=csv` on a list: every matching record, one row each, streamed."""

    csv_columns: list[tuple[str, Callable[[Any], Any]]] = []
    csv_name = "export"

    def get_renderers(self):
        # CSV is a way to read a list; every other method answers in JSON.
        if getattr(getattr(self, "request", None), "method", None) == "GET":
            return [renderers.JSONRenderer(), CSVRenderer()]
        return [renderers.JSONRenderer()]

    def perform_content_negotiation(self, request, force=False):
        if request.method != "GET":  # `?format=csv` on a write is ignored, not a 404
            return renderers.JSONRenderer(), renderers.JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "csv":
            return super().list(request, *args, **kwargs)
        rows = self.filter_queryset(self.get_queryset()).iterator(chunk_size=2000)
        response = StreamingHttpResponse(self._csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="basewatch-{self.csv_name}.csv"'
        return response

    def _csv_lines(self, rows) -> Iterator[str]:
        writer = csv.writer(_Echo())
        columns = self.get_csv_columns()
        yield writer.writerow([name for name, _ in columns])
        for row in rows:
            yield writer.writerow([_cell(get(row)) for _, get in columns])

    def get_csv_columns(self) -> list[tuple[str, Callable[[Any], Any]]]:
        return self.csv_columns


def sources_text(claim) -> str:
    """Sources flattened for a CSV cell: `Publisher: Title <URL> (date, reliability)` joined by ` | `."""
    parts = []
    for source in claim.sources.all():
        text = str(source)
        if source.url:
            text += f" <{source.url}>"
        text += f" ({source.published or 'undated'}, {source.reliability})"
        parts.append(text)
    return " | ".join(parts)


_ETAG_VERSION = re.compile(r'^(?:W/)?"v(\d+)[."]')


class VersionedUpdateMixin:
    """Updates must name the version they read; a stale one gets 412 and changes nothing.

    Its ETag is the claim's version (for If-Match), so views using it turn the data-version
    ETag off (`data_version_etag = False`).

    The version comes from If-Match (the ETag of the detail response) or a
    `version` field. The row is locked while it is compared and written, so
    of two writers holding the same version exactly one succeeds.
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        version = getattr(response, "claim_version", None)
        if version is not None and response.status_code == 200:
            response.render()
            digest = hashlib.sha256(response.content).hexdigest()[:16]
            response["ETag"] = f'"v{version}.{digest}"'
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response.claim_version = instance.version
        return response

    def expected_version(self, request) -> int:
        header = request.headers.get("If-Match", "").strip()
        if header and header != "*":
            match = _ETAG_VERSION.match(header)
            if not match:
                raise ValidationError({"If-Match": ['Send the ETag you received, e.g. "v3.1a2b…".']})
            return int(match.group(1))
        field = request.data.get("version") if hasattr(request.data, "get") else None
        if field is None:
            raise PreconditionRequired()
        if isinstance(field, bool) or not isinstance(field, int):
            raise ValidationError({"version": ["A whole number."]})
        return field

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        expected = self.expected_version(request)
        instance = self.get_object()
        with transaction.atomic():
            locked = type(instance).objects.select_for_update().get(pk=instance.pk)
            if not workflow.may_change(request.user, locked):
                raise PermissionDenied(f"You may not change a {locked.get_state_display().lower()} item.")
            if locked.version != expected:
                stale = {
                    "version": [f"You sent version {expected}; the current version is {locked.version}."],
                    "current": self.get_serializer(self.get_queryset().get(pk=locked.pk)).data,
                }
                return Response(stale, status=status.HTTP_412_PRECONDITION_FAILED)
            serializer = self.get_serializer(locked, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            serializer.save()
        # Re-read through the queryset, which adds computed values (a movement's line).
        stored = self.get_queryset().get(pk=locked.pk)
        response = Response(self.get_serializer(stored).data)
        response.claim_version = stored.version
        return response
