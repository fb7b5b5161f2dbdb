"""OpenAPI extensions: the token scheme and error bodies (imported by ApiConfig.ready)."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_gis import build_linestring_geo_schema, map_geo_field
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.plumbing import build_object_type


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
