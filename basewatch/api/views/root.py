"""GET /api/v1/: every endpoint of the API with what it does, and where its schema and docs are."""

from __future__ import annotations

import inspect
import re

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# A URL pattern's converters as OpenAPI writes path parameters: <slug:slug> → {slug}.
_CONVERTER = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


class EndpointSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Relative to /api/v1/; {name} is a path parameter.")
    methods = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()


class ApiRoot(APIView):
    """Every endpoint with its methods and description, and links to the OpenAPI schema, its docs and
    the OGC API - Features landing page."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiIndex",
            {
                "description": serializers.CharField(),
                "links": serializers.DictField(child=serializers.CharField()),
                "endpoints": EndpointSerializer(many=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        from basewatch.api.urls import urlpatterns

        return Response(
            {
                "description": "basewatch REST API: sites with their posture, sourced observations and "
                "movements, identified assets and their tracks, sources.",
                "links": {
                    "self": request.build_absolute_uri(),
                    "schema": request.build_absolute_uri("schema/"),
                    "docs": request.build_absolute_uri("docs/"),
                    # The same data for GIS clients (QGIS, ArcGIS, GDAL's OAPIF driver).
                    "ogc_api_features": request.build_absolute_uri(reverse("ogc:landing")),
                },
                "endpoints": [endpoint for pattern in urlpatterns if (endpoint := _describe(pattern))],
            }
        )


def _describe(pattern) -> dict | None:
    """A URL pattern of the API as an index entry; None for the ones that are not endpoints."""
    view = getattr(pattern.callback, "cls", None)
    name = getattr(pattern, "name", None)
    if view is None or view is ApiRoot or name in ("schema", "docs"):
        return None
    methods = [method.upper() for method in view.http_method_names if method != "options" and hasattr(view, method)]
    return {
        # {pk} is {id}, as the OpenAPI schema names it (drf-spectacular's SCHEMA_COERCE_PATH_PK).
        "path": _CONVERTER.sub(r"{\1}", str(pattern.pattern)).replace("{pk}", "{id}"),
        "methods": methods,
        # The view's docstring (or its base class's), first paragraph.
        "description": (inspect.getdoc(view) or "").split("\n\n")[0].replace("\n", " "),
    }
