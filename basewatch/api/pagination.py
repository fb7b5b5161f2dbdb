"""Pagination with a maximum page size, for plain lists and GeoJSON FeatureCollections."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class PagePagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request) -> int:
        """`page_size` up to the maximum; anything but a positive whole number is a 400."""
        raw = request.query_params.get(self.page_size_query_param, "").strip()
        if not raw:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: ["A whole number from 1."]})
        return min(int(raw), self.max_page_size)

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
