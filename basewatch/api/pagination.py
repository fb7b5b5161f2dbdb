"""Pagination with a maximum page size, for plain lists and GeoJSON FeatureCollections."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class PagePagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class FeatureCollectionPagination(PagePagination):
    """A page of GeoJSON features: a FeatureCollection with count and links as foreign members."""

    def get_paginated_response(self, data):
        return Response(
            {
                "type": "FeatureCollection",
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
                {"type": "object", "required": ["count"], "properties": page["properties"]},
            ]
        }


class SitePagination(FeatureCollectionPagination):
    # The map draws every site at once; a world-wide dataset has about ten thousand.
    page_size = 1000
    max_page_size = 10_000
