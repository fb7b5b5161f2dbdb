"""An asset's track as GeoJSON: a FeatureCollection of its sightings (Points at the site) and
movements (LineStrings origin → destination), in the order basewatch.core.tracks gives.

The collection carries the asset as a foreign member (`asset`, RFC 7946 §6.1). The same
serializers answer the request and document it in the OpenAPI, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.contrib.rest_framework_gis import build_linestring_geo_schema, build_point_geo_schema
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from basewatch.api.serializers import SourceSerializer
from basewatch.core.models import Asset, Movement, Observation, Site
from basewatch.core.workflow import State


@dataclass(frozen=True)
class Track:
    asset: Asset
    claims: list[Observation | Movement]  # core.tracks.timeline(), oldest first


class Constant(serializers.Field):
    """A property that is always the same text (a GeoJSON `type`, a feature's `kind`)."""

    def __init__(self, value: str, **kwargs):
        self.value = value
        super().__init__(source="*", read_only=True, **kwargs)
        # Documented as a one-value enum, so a client (and schemathesis) can tell features apart.
        extend_schema_field({"type": "string", "enum": [value]})(self)

    def to_representation(self, instance) -> str:
        return self.value


def _lon_lat(site: Site) -> list[float]:
    return [site.location.x, site.location.y]


@extend_schema_field(build_point_geo_schema())
class SitePointField(serializers.Field):
    def to_representation(self, site: Site) -> dict:
        return {"type": "Point", "coordinates": _lon_lat(site)}


@extend_schema_field(build_linestring_geo_schema())
class JourneyLineField(serializers.Field):
    """Origin → destination, read from the two sites (not from an annotation the queryset may lack)."""

    def to_representation(self, movement: Movement) -> dict:
        return {"type": "LineString", "coordinates": [_lon_lat(movement.origin), _lon_lat(movement.destination)]}


class PlaceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url", help_text="Path of the site's page.")


class TrackSourceSerializer(SourceSerializer):
    """A source as the claims show it, less its bookkeeping. (Not marked read-only: that would
    drop `allow_blank`, and the schema would refuse a source without a URL.)"""

    class Meta(SourceSerializer.Meta):
        fields = ["id", "kind", "title", "publisher", "published", "reliability", "url", "archive_url"]


class ClaimPropertiesSerializer(serializers.Serializer):
    """What sightings and movements both say."""

    asset_type = serializers.CharField(source="asset_type.slug", help_text="Asset type slug.")
    count = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=State.choices, help_text="`published` unless you may see others.")
    notes = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url", help_text="Path of the claim's page.")
    sources = TrackSourceSerializer(many=True)


class SightingPropertiesSerializer(ClaimPropertiesSerializer):
    kind = Constant("sighting")
    date = serializers.DateField(source="observed")
    date_precision = serializers.ChoiceField(source="observed_precision", choices=Observation.Precision.choices)
    site = PlaceSerializer()
    activity = serializers.ChoiceField(choices=Observation.Activity.choices)
    presence = serializers.ChoiceField(choices=Observation.Presence.choices)


class MovementPropertiesSerializer(ClaimPropertiesSerializer):
    kind = Constant("movement")
    departed = serializers.DateField(allow_null=True)
    arrived = serializers.DateField(allow_null=True)
    origin = PlaceSerializer()
    destination = PlaceSerializer()
    trips = serializers.IntegerField(allow_null=True)
    trips_at_least = serializers.BooleanField()
    trips_text = serializers.CharField(help_text='"at least 7 flights"; empty when not given.')
    transfer = serializers.IntegerField(source="transfer_id", allow_null=True, help_text="Id of the first leg.")


class SightingFeatureSerializer(serializers.Serializer):
    """The asset seen at a site: a Point there."""

    type = Constant("Feature")
    id = serializers.SerializerMethodField()
    geometry = SitePointField(source="site")
    properties = SightingPropertiesSerializer(source="*")

    def get_id(self, observation: Observation) -> str:
        return f"observation-{observation.pk}"


class MovementFeatureSerializer(serializers.Serializer):
    """The asset moving from one site to another: a LineString."""

    type = Constant("Feature")
    id = serializers.SerializerMethodField()
    geometry = JourneyLineField(source="*")
    properties = MovementPropertiesSerializer(source="*")

    def get_id(self, movement: Movement) -> str:
        return f"movement-{movement.pk}"


class TrackAssetSerializer(serializers.Serializer):
    label = serializers.CharField(help_text='"Il-76TD RA-76845, EMERCOM of Russia (MChS)".')
    key = serializers.CharField(help_text="The key in its URLs: registration, else ICAO hex, else id.")
    url = serializers.CharField(source="get_absolute_url", help_text="Path of the asset's page.")
    registration = serializers.CharField()
    icao_hex = serializers.CharField()
    asset_type = serializers.CharField(source="asset_type.slug")


FEATURE_SERIALIZERS = {Observation: SightingFeatureSerializer, Movement: MovementFeatureSerializer}

TRACK_FEATURES = PolymorphicProxySerializer(
    component_name="TrackFeature",
    serializers=list(FEATURE_SERIALIZERS.values()),
    resource_type_field_name=None,
    many=True,
)


class TrackSerializer(serializers.Serializer):
    """An asset's sightings and movements in date order, as GeoJSON."""

    type = Constant("FeatureCollection")
    asset = TrackAssetSerializer()
    features = serializers.SerializerMethodField()

    @extend_schema_field(TRACK_FEATURES)
    def get_features(self, track: Track) -> list[dict]:
        return [FEATURE_SERIALIZERS[type(claim)](claim, context=self.context).data for claim in track.claims]
