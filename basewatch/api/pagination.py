"""Pagination with a maximum page size: numbered pages for plain lists and GeoJSON
FeatureCollections, keyset (cursor) pages for the observations, which run to millions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from basewatch.lib import cursor


class PageSize:
    """`page_size` from the query, up to a maximum; and the `Link` header of the page served."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request) -> int:
        """`page_size` up to the maximum; anything but a positive whole number is a 400."""
        raw = request.query_params.get(self.page_size_query_param, "").strip()
        if not raw:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: ["A whole number from 1."]})
        return min(int(raw), self.max_page_size)

    def link_header(self) -> str | None:
        """RFC 8288 `Link` to the next and previous pages of the page just served (None if it has
        neither, or no page was served): clients such as GDAL and curl scripts follow it without
        reading the body."""
        if not self.served():
            return None
        links = [(self.get_next_link(), "next"), (self.get_previous_link(), "prev")]
        return ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links if url) or None


class PagePagination(PageSize, PageNumberPagination):
    def served(self) -> bool:
        return hasattr(self, "page")

    def get_page_number(self, request, paginator):
        """`page`: a whole number from 1 (a 400 naming it otherwise; past the last page, DRF's 404)."""
        raw = request.query_params.get(self.page_query_param, "1").strip()
        if raw in self.last_page_strings:
            return paginator.num_pages
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({self.page_query_param: ["A whole number from 1 (or `last`)."]})
        return raw

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1})
                parameter["description"] = f"Results per page, at most {self.max_page_size}."
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1})
        return parameters


class FeatureCollectionPagination(PagePagination):
    """A page of GeoJSON features: a FeatureCollection with its name, count and links as foreign
    members. `name` is the list's, as its files are named (the view's `csv_name`): GDAL and QGIS
    call the layer by it, and named it "" without."""

    def paginate_queryset(self, queryset, request, view=None):
        self.name = view.csv_name
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "type": "FeatureCollection",
                "name": self.name,
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": data["features"],
            }
        )

    def get_paginated_response_schema(self, schema):
        # `schema` is the FeatureCollection component; add what pagination adds.
        page = super().get_paginated_response_schema(schema)
        del page["properties"]["results"]
        return {
            "allOf": [
                schema,
                {
                    "type": "object",
                    "required": ["name", "count"],
                    "properties": {
                        "name": {"type": "string", "description": "The list's name: GIS tools call the layer by it."},
                        **page["properties"],
                    },
                },
            ]
        }


class SitePagination(FeatureCollectionPagination):
    # The map draws every site at once; a world-wide dataset has about ten thousand, the
    # benchmark's tier L twice that.
    page_size = 1000
    max_page_size = 20_000


class SiteTotalsPagination(PagePagination):
    page_size = SitePagination.page_size
    max_page_size = SitePagination.max_page_size


class SiteDocumentPagination(SiteTotalsPagination):
    """Pages of sites like site totals, but a page is one document (api.views.sites.SiteSteps,
    SiteTable), with `count`, `next` and `previous` beside its other members, not a list of results."""

    def get_paginated_response_schema(self, schema):
        return schema["items"]  # the document's own schema, which names the paging fields


FOREIGN_CURSOR = "Not a cursor this API gave out: follow the `next` and `previous` links."


@dataclass(frozen=True)
class KeysetPage:
    """One page keyset_page read: its rows in the list's order, and whether rows lie beyond either end."""

    rows: list
    has_next: bool
    has_previous: bool


def keyset_page(
    queryset, key: str, size: int, position: tuple[bool, object, int] | None = None, descending: bool = True
) -> KeysetPage:
    """Up to `size` rows of `queryset` in the order (`key`, id), both descending or both ascending,
    starting after the row `position` (backwards, key, id) names, or (backwards) ending before it.

    The condition `(key, id) after (value, pk)` reads straight from an index on (key, id)
    in the list's order, so page 5,000 costs what page 1 does, where OFFSET would read and
    throw away every row before it; rows added meanwhile neither repeat nor skip rows on
    the pages that follow. A page read backwards is read in the opposite order, then
    turned round. One more row than asked for says whether there is a page beyond.
    """
    forward, backward = ([f"-{key}", "-id"], [key, "id"]) if descending else ([key, "id"], [f"-{key}", "-id"])
    if position is None:
        rows = list(queryset.order_by(*forward)[: size + 1])
        return KeysetPage(rows[:size], has_next=len(rows) > size, has_previous=False)
    backwards, value, pk = position
    beyond = "gt" if backwards == descending else "lt"
    # `key <= value` (or >=) bounds the index scan; the OR only drops the same key's rows on the near side of `pk`.
    condition = Q(**{f"{key}__{beyond}e": value}) & (Q(**{f"{key}__{beyond}": value}) | Q(**{f"id__{beyond}": pk}))
    rows = list(queryset.filter(condition).order_by(*(backward if backwards else forward))[: size + 1])
    more = len(rows) > size
    if backwards:
        return KeysetPage(rows[:size][::-1], has_next=True, has_previous=more)
    return KeysetPage(rows[:size], has_next=more, has_previous=True)


class KeysetPagination(PageSize, BasePagination):
    """Pages of a list ordered newest first by (`key`, id), each starting after the previous one's last row
    (keyset_page). The total `count` is given on the first page only: counting is as slow as an offset.
    The cursor is opaque to clients: they follow `next` and `previous`.
    """

    key = "observed"
    cursor_query_param = "cursor"

    def served(self) -> bool:
        return hasattr(self, "rows")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = self.get_page_size(request)
        self.cursor = request.query_params.get(self.cursor_query_param)
        self.count = None
        position = None
        if self.cursor is None:
            self.count = queryset.count()
        else:
            try:
                position = cursor.decode(self.cursor)
            except ValueError:
                raise ValidationError({self.cursor_query_param: [FOREIGN_CURSOR]}) from None
        page = keyset_page(queryset, self.key, self.size, position)
        self.rows, self.has_next, self.has_previous = page.rows, page.has_next, page.has_previous
        return self.rows

    def _link(self, backwards: bool, row) -> str:
        position = cursor.encode(backwards, getattr(row, self.key), row.id)  # a model or a named values row
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, position)

    def get_next_link(self) -> str | None:
        return self._link(False, self.rows[-1]) if self.has_next and self.rows else None

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.rows:  # past the end: back to the first page
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self._link(True, self.rows[0])

    def get_paginated_response(self, data):
        page = {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        if self.count is not None:
            page = {"count": self.count, **page}
        return Response(page)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "description": "Matching rows in all; on the first page only."},
                "next": link,
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where a page starts: take it from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, at most {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
