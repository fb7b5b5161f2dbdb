"""OpenAPI extensions: the token scheme and error bodies (imported by ApiConfig.ready)."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_gis import build_linestring_geo_schema, map_geo_field
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.plumbing import build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from basewatch.api.list_exports import MAX_ROWS
from basewatch.core.filters import AsOfFilter, AssetKeyFilter, SlugFilter

# The filters' query parameters as clients send them (django-filter would document a model choice).
extend_schema_field(OpenApiTypes.DATE)(AsOfFilter)
extend_schema_field(OpenApiTypes.STR)(SlugFilter)
extend_schema_field(OpenApiTypes.STR)(AssetKeyFilter)


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "basewatch.api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; issue keys with `manage.py api_token create` or in the admin.",
        }


class FeatureSerializerScheme(OpenApiSerializerExtension):
    """GeoJSON Features, for requests as well as responses, with computed geometries.

    Replaces drf-spectacular's contrib mapping, which fails on request bodies whose id
    is read-only and on geometries that are annotations (a movement's line).
    """

    target_class = "rest_framework_gis.serializers.GeoFeatureModelSerializer"
    match_subclasses = True
    priority = 1

    def map_serializer(self, auto_schema, direction):
        meta = self.target.Meta
        attributes = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        properties = attributes["properties"]
        identifier = properties.pop(meta.id_field, None) if meta.id_field else None
        properties.pop(meta.geo_field, None)
        geometry_field = self.target.fields[meta.geo_field]
        geometry_type = getattr(meta, "geometry_type", None)
        geometry = GEOMETRY_SCHEMAS[geometry_type]() if geometry_type else map_geo_field(self.target, meta.geo_field)
        attributes.pop("description", None)
        not_required = {meta.geo_field, meta.id_field, *getattr(meta, "optional_properties", ())}
        attributes["required"] = [name for name in attributes.get("required", []) if name not in not_required]
        if not attributes["required"]:
            del attributes["required"]

        feature = {"type": {"type": "string", "enum": ["Feature"]}}
        required = ["type", "properties"]
        if direction == "response":
            feature["id"] = identifier or {"type": "string"}
            feature["geometry"] = geometry
            required += ["id", "geometry"]
        elif not geometry_field.read_only:
            feature["geometry"] = geometry
            if geometry_field.required:
                required.append("geometry")
        feature["properties"] = attributes
        return build_object_type(properties=feature, required=required)


GEOMETRY_SCHEMAS = {"LineString": build_linestring_geo_schema}


ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` for the request as a whole, or a list of messages per field or parameter.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
CSV_LISTS = ("/api/v1/sites/", "/api/v1/observations/", "/api/v1/movements/", "/api/v1/assets/")
# The lists that are also files for GIS tools (api.list_exports), and how each answers `?format=geojson`.
FILE_LISTS = {
    "/api/v1/sites/": "the same pages as `json`, as application/geo+json",
    "/api/v1/observations/": "every matching observation as a FeatureCollection of Points at its site",
    "/api/v1/movements/": "the same pages as `json`, as application/geo+json",
}
FEATURE_COLLECTION = {
    "schema": {
        "type": "object",
        "description": "A GeoJSON FeatureCollection (RFC 7946).",
        "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]}, "features": {"type": "array"}},
    }
}
FILE_TYPES = (
    "application/vnd.google-earth.kml+xml",
    "application/vnd.google-earth.kmz",
    "application/geopackage+sqlite3",
)
# The track's files besides GeoJSON (api.track_exports); its `format` parameter is on the view.
TRACK_FILES = {
    "/api/v1/assets/{key}/track/": ("application/gpx+xml", "application/vnd.google-earth.kml+xml", "text/csv"),
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_errors_and_formats(result, generator, request, public):
    """Postprocessing hook: every error answer, conditional GET, anonymous reads and CSV."""
    result["components"]["schemas"]["Error"] = ERROR_SCHEMA
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            responses.setdefault("400", _error("A parameter or field is invalid; the body names it."))
            responses.setdefault("404", _error("No such item, or a page past the end."))
            responses.setdefault("406", _error("The Accept header asks for a format this endpoint lacks."))
            if method == "get":
                responses.setdefault("304", {"description": "Not modified since the ETag or date sent."})
                operation["security"] = [*operation.get("security", []), {}]
            else:
                responses.setdefault("401", _error("No valid token or session."))
                responses.setdefault("403", _error("Your role may not do this."))
                responses.setdefault("409", _error("Conflicts with a stored record (e.g. a duplicate URL)."))
            if method == "patch" or path.endswith("/{action}/"):
                responses.setdefault(
                    "412", _error("The version sent is stale; `current` holds the stored item. Nothing changed.")
                )
                responses.setdefault("428", _error("Send the version you read (If-Match or `version`)."))
            if method == "get" and path in TRACK_FILES:
                for media_type in TRACK_FILES[path]:
                    responses["200"]["content"][media_type] = {"schema": {"type": "string"}}
            if method == "get" and path in CSV_LISTS:
                responses["200"]["content"]["text/csv"] = {"schema": {"type": "string"}}
                # In place of the bare `format` drf-spectacular lists (a parameter is named once).
                parameters = [p for p in operation.get("parameters", []) if p["name"] != "format"]
                operation["parameters"] = parameters
                parameters.append(_format_parameter(path, responses["200"]["content"]))
    return result


def _format_parameter(path: str, content: dict) -> dict:
    """`format` on a list: CSV, and for the lists in FILE_LISTS the GIS files (their media types added to `content`)."""
    description = "`csv`: every matching record, one row each (not paginated)."
    formats = ["json", "csv"]
    if path in FILE_LISTS:
        for media_type in FILE_TYPES:
            content[media_type] = {"schema": {"type": "string", "format": "binary"}}
        pages = path != "/api/v1/observations/"
        content["application/geo+json"] = content["application/json"] if pages else FEATURE_COLLECTION
        formats += ["kml", "kmz", "gpkg", "geojson"]
        description += (
            " `kml`, `kmz` (KML 2.2 zipped), `gpkg` (a GeoPackage, one layer): every matching record, "
            f"up to {MAX_ROWS:,} (more is a 400: narrow the filters), with KML times for Google Earth's "
            f"time slider and a style per operator. `geojson`: {FILE_LISTS[path]}."
        )
    return {"in": "query", "name": "format", "schema": {"type": "string", "enum": formats}, "description": description}
