"""What every API endpoint shares, in one base class per shape: a list, an item.

- Reads are conditional (api.conditional): ETag and Last-Modified from the data version,
  304 for a matching If-None-Match, anonymous answers from the response cache; an item's
  ETag names its version, for If-Match.
- Query parameters: a list's filters (its `filterset_class`) narrow list reads only.
  Writes and item reads ignore them: a write's answer is the stored item as it is, and a
  detail is found by its URL alone. A detail's own parameters (a site's `as_of`) are
  read by that view. A list read with a parameter it does not take is a 400 naming it: a
  `bbox` on the observations was ignored, and the client got every row as if filtered.
- Formats: JSON; a list with `csv_columns` also answers `?format=csv` and `xlsx` on GET, and one that
  makes an `export_layer` answers `?format=kml`, `kmz`, `gpkg` and `geojson` (api.list_exports).
  `format` on any other request is ignored.
- Errors: JSON naming the field or parameter (api.errors.exception_handler, which also
  translates basewatch.core's refusals).
- Changes are PATCH only (a PUT must restate every field, and a client that left one out
  would blank it), and only over the version the writer read (basewatch.core.versions).
"""

from __future__ import annotations

from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import generics, renderers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from basewatch.api import conditional, list_exports
from basewatch.api.csv_export import Columns, CSVRenderer, XLSXRenderer, csv_response, xlsx_response
from basewatch.api.errors import PreconditionRequired
from basewatch.core.models import DataVersion
from basewatch.core.versions import save_if_current


class _Answered(Exception):
    """A conditional GET answered before the view ran (304, or a kept answer)."""

    def __init__(self, response):
        self.response = response


class ApiView(generics.GenericAPIView):
    # A list's ETag is the data version's; an item's names the item's version.
    etag_from_data = True
    filter_backends = [DjangoFilterBackend]  # read by list views (ListView.filtered) and the schema

    def represent(self, item) -> dict:
        """The item as this endpoint shows it, read again through the queryset (which adds computed values)."""
        return self.get_serializer(self.get_queryset().get(pk=item.pk)).data

    # --- query parameters and formats -------------------------------------------------

    def filter_queryset(self, queryset):
        # get_object() and writes come through here: list filters never apply to them.
        return queryset

    def get_renderers(self):
        return [renderers.JSONRenderer()]

    def perform_content_negotiation(self, request, force=False):
        # Only a list read has another format; `?format=` anywhere else is ignored, like the list filters.
        formats = [renderer.format for renderer in self.get_renderers()]
        if len(formats) == 1:
            return renderers.JSONRenderer(), renderers.JSONRenderer.media_type
        wanted = request.query_params.get("format", "")
        if wanted and wanted not in formats and not force:
            raise ValidationError({"format": [f"Choose one of: {', '.join(formats)}."]})
        return super().perform_content_negotiation(request, force)

    # --- conditional GET ----------------------------------------------------------------

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.data_etag = self.data_changed = None
        if request.method not in ("GET", "HEAD"):
            return
        version, self.data_changed = DataVersion.current()
        self.data_etag = conditional.data_etag(request, version, self.data_changed)
        if self.etag_from_data and conditional.matches(request, self.data_etag):
            raise _Answered(Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": self.data_etag}))
        kept = conditional.cached_response(self.data_etag) if conditional.cacheable(request) else None
        if kept is not None:
            raise _Answered(kept)

    def handle_exception(self, exc):
        if isinstance(exc, _Answered):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        version = getattr(response, "item_version", None)
        if version is not None and response.status_code == 200:
            response["ETag"] = conditional.item_etag(response, version)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            paginator = getattr(self, "_paginator", None)  # set by DRF once a page was asked for
            link = paginator.link_header() if paginator is not None else None
            if link:
                response["Link"] = link
            if self.etag_from_data and self.data_etag:
                response["ETag"] = self.data_etag
            if self.data_changed:
                response["Last-Modified"] = http_date(self.data_changed.timestamp())
            if conditional.cacheable(request) and not getattr(response, "from_cache", False):
                conditional.keep(response, self.data_etag)
        response["Vary"] = "Accept, Authorization, Cookie"
        conditional.cache_control(request, response)
        return response


class ListView(ApiView, generics.ListCreateAPIView):
    """GET: the filtered list, paginated (or every row as CSV, XLSX, KML, KMZ, GeoPackage); POST: create an item
    (editors)."""

    csv_columns: Columns = []
    csv_name = "export"
    exports_files = False  # export_layer() is defined: the list answers list_exports.FILE_FORMATS
    json_is_geojson = False  # `?format=geojson` is then the paginated answer itself

    def get_renderers(self):
        if getattr(getattr(self, "request", None), "method", None) != "GET":
            return super().get_renderers()
        formats = [renderers.JSONRenderer()]
        if self.csv_columns:
            formats += [CSVRenderer(), XLSXRenderer()]
        if self.exports_files:
            formats += list_exports.RENDERERS
        return formats if len(formats) > 1 else super().get_renderers()

    def wants_file(self) -> str | None:
        """The file format asked for (list_exports.FILE_FORMATS), or None for the paginated JSON."""
        wanted = self.request.accepted_renderer.format
        if wanted not in list_exports.FILE_FORMATS or (wanted == "geojson" and self.json_is_geojson):
            return None
        return wanted

    def export_layer(self, rows) -> list_exports.Layer:
        """Every row of `rows` as a file shows it."""
        raise NotImplementedError

    def export_file(self, rows, wanted: str):
        list_exports.check_size(rows)
        origin = f"Exported from {self.request.build_absolute_uri()}"
        return list_exports.export(self.export_layer(rows), wanted, origin)

    # Parameters a list reads besides its filters and its paging (a site list's `posture`).
    own_parameters: tuple[str, ...] = ()

    def parameters(self) -> set[str]:
        """What a read of this list takes: its filters, its paging, `format` and its own."""
        paging = (
            getattr(self.paginator, name, None)
            for name in ("page_query_param", "page_size_query_param", "cursor_query_param")
        )
        return {*self.filterset.form.fields, *filter(None, paging), "format", *self.own_parameters}

    def filtered(self):
        """The queryset narrowed by the list's filters; a bad value, or a parameter the list does
        not take, is a 400 naming the parameter. (Names starting with `_` are let through: they
        are cache busters, `_=1701234567`, which some HTTP clients add.)"""
        self.filterset = DjangoFilterBackend().get_filterset(self.request, self.get_queryset(), self)
        known = self.parameters()
        unknown = sorted(name for name in self.request.query_params if name not in known and not name.startswith("_"))
        if unknown:
            takes = f"This list takes: {', '.join(sorted(known))}."
            if hasattr(self.paginator, "cursor_query_param"):
                takes += " It is paged by cursor: follow the `next` and `previous` links."
            raise ValidationError({name: [f"Not a parameter of this list. {takes}"] for name in unknown})
        if not self.filterset.is_valid():
            raise translate_validation(self.filterset.errors)
        return self.filterset.qs

    def list(self, request, *args, **kwargs):
        rows = self.filtered()
        if request.accepted_renderer.format == "csv":
            return csv_response(rows.iterator(chunk_size=2000), self.csv_columns, self.csv_name)
        if request.accepted_renderer.format == "xlsx":
            list_exports.check_size(rows)
            return xlsx_response(rows.iterator(chunk_size=2000), self.csv_columns, self.csv_name)
        wanted = self.wants_file()
        if wanted:
            return self.export_file(rows, wanted)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = self.create_item(serializer)
        return Response(self.represent(item), status=status.HTTP_201_CREATED)

    def create_item(self, serializer):
        return serializer.save()


class DetailView(ApiView, generics.RetrieveUpdateAPIView):
    """GET: one item, with an ETag naming its version; PATCH: change it over the version read."""

    etag_from_data = False
    http_method_names = ["get", "patch", "head", "options"]

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        return self.versioned(Response(self.get_serializer(item).data), item.version)

    def update(self, request, *args, **kwargs):
        read = conditional.read_version(request)
        if read is None:
            raise PreconditionRequired()
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        stored = self.update_item(item, serializer, read)
        return self.versioned(Response(self.represent(stored)), stored.version)

    def update_item(self, item, serializer, read_version: int):
        """Save the validated changes if the item is still at `read_version` (StaleVersion: 412)."""
        return save_if_current(item, read_version, save=serializer.save)

    def versioned(self, response: Response, version: int) -> Response:
        response.item_version = version  # its ETag is made once the body is rendered (finalize_response)
        return response
