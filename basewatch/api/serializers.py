"""API representations. GeoJSON for sites and movements, plain JSON for the rest.

Model clean() runs on every write so the API refuses exactly what the database
and the forms refuse, with the same field names and messages: here for the
catalogue, in basewatch.core.claims (the one write path) for claims.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django_countries.serializer_fields import CountryField
from drf_spectacular.contrib.rest_framework_gis import build_linestring_geo_schema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from basewatch.api.errors import field_errors
from basewatch.core import workflow
from basewatch.core.models import Asset, AssetType, Capture, Movement, Observation, PostureStatus, Site, Source, Trend
from basewatch.core.models.captures import FILES
from basewatch.core.posture import SUMMARY_FIELDS
from basewatch.core.roles import can_view_unpublished
from basewatch.lib.geometry import GeometryInputError, as_footprint, parse_geometry

# How much of a site's posture to give (`posture=`), and the properties each leaves out.
POSTURE_MODES = {"full": (), "total": ("posture",), "none": (*SUMMARY_FIELDS, "posture")}


class LonLatGeometryField(GeometryField):
    """GeoJSON geometry in, parsed without GDAL, longitude/latitude (SRID 4326) only."""

    def to_internal_value(self, value):
        if value in ("", None):
            return None
        if not isinstance(value, dict):
            raise serializers.ValidationError("Expected a GeoJSON geometry object.")
        try:
            return parse_geometry(value)
        except GeometryInputError as error:
            raise serializers.ValidationError(str(error)) from None


@extend_schema_field(build_linestring_geo_schema())
class LineField(GeometryField):
    """A computed LineString (read-only)."""


class FeatureInputMixin:
    """A GeoJSON Feature body must be an object (rest_framework_gis assumes it)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("properties", {}), dict):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["Send a GeoJSON Feature: an object with `properties`."]}
            )
        return super().to_internal_value(data)


class ModelCleanMixin:
    """Validate the would-be instance as the model does (fields and clean()), errors per field."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        many_to_many = {field.name for field in self.Meta.model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in many_to_many and not name.endswith("_ids"):
                setattr(instance, name, value)
        try:
            # The model's own field validators too: DRF drops some (a URL's allowed schemes).
            instance.full_clean(exclude=many_to_many, validate_unique=False, validate_constraints=False)
        except DjangoValidationError as error:
            raise serializers.ValidationError(field_errors(error)) from None
        # Keep what clean() normalised (an asset's upper-case registration).
        return {
            name: value if name in many_to_many or name.endswith("_ids") else getattr(instance, name)
            for name, value in attrs.items()
        }


class AssetTypeSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = AssetType
        fields = ["slug", "name", "category", "nato_name", "fresh_days", "notes", "updated", "version"]
        read_only_fields = ["updated", "version"]


class AssetSerializer(ModelCleanMixin, serializers.ModelSerializer):
    asset_type = serializers.SlugRelatedField(slug_field="slug", queryset=AssetType.objects.all())
    label = serializers.CharField(read_only=True, help_text='"Il-76TD RA-76845, EMERCOM of Russia (MChS)".')
    key = serializers.CharField(read_only=True, help_text="Its key in URLs: registration, else ICAO hex, else id.")
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text="Path of its page.")
    aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=50)
    former_registrations = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=50
    )
    first_seen = serializers.DateField(
        read_only=True, allow_null=True, help_text="Date of its earliest published sighting or movement."
    )
    last_seen = serializers.DateField(
        read_only=True, allow_null=True, help_text="Date of its latest published sighting or movement."
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "label",
            "key",
            "url",
            "asset_type",
            "registration",
            "icao_hex",
            "hull_number",
            "mmsi",
            "imo",
            "name",
            "aliases",
            "former_registrations",
            "operator",
            "confirmed",
            "first_seen",
            "last_seen",
            "notes",
            "updated",
            "version",
        ]
        read_only_fields = ["confirmed", "updated", "version"]


class CaptureFileSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[name for name, *_ in FILES])
    sha256 = serializers.CharField(help_text="SHA-256 of the file, hex.")
    size = serializers.IntegerField(help_text="Bytes.")
    url = serializers.SerializerMethodField(help_text="Download (always an attachment).")

    def get_url(self, file: dict) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(file["url"]) if request else file["url"]


class CaptureSerializer(serializers.ModelSerializer):
    """One archiving of the source's URL (README "Archiving source links")."""

    files = CaptureFileSerializer(source="stored_files", many=True, read_only=True)
    thumbnail = serializers.SerializerMethodField(help_text="The top of the screenshot, small (PNG); null if none.")
    page_changed = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Whether the rendered HTML differs from the previous archived capture (null: none to compare).",
    )
    timestamp = serializers.SerializerMethodField(help_text="The RFC 3161 timestamp of the manifest, if asked for.")

    class Meta:
        model = Capture
        fields = [
            "id",
            "url",
            "final_url",
            "status",
            "state",
            "reason",
            "message",
            "attempts",
            "requested",
            "fetched_at",
            "files",
            "thumbnail",
            "compared_with",
            "page_changed",
            "timestamp",
        ]
        read_only_fields = fields

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_thumbnail(self, capture: Capture) -> str | None:
        return self._absolute(capture.file_url("thumbnail")) if capture.thumbnail else None

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "state": {"type": "string", "enum": ["stamped", "failed"]},
                "authority": {"type": "string"},
                "time": {"type": "string", "format": "date-time", "nullable": True},
                "response_sha256": {"type": "string"},
                "response_url": {"type": "string", "nullable": True},
                "reason": {"type": "string"},
                "message": {"type": "string"},
            },
        }
    )
    def get_timestamp(self, capture: Capture) -> dict | None:
        if not capture.timestamp:
            return None
        return {
            "state": capture.timestamp,
            "authority": capture.timestamp_authority,
            "time": capture.timestamp_time.isoformat().replace("+00:00", "Z") if capture.timestamp_time else None,
            "response_sha256": capture.tsr_sha256,
            "response_url": self._absolute(capture.file_url("tsr")) if capture.tsr else None,
            "reason": capture.timestamp_reason,
            "message": capture.timestamp_message,
        }


class SourceSerializer(ModelCleanMixin, serializers.ModelSerializer):
    captures = CaptureSerializer(many=True, read_only=True, help_text="Archived captures of `url`, newest first.")

    class Meta:
        model = Source
        fields = [
            "id",
            "kind",
            "title",
            "publisher",
            "url",
            "archive_url",
            "published",
            "captured",
            "reliability",
            "created",
            "updated",
            "version",
            "captures",
        ]
        read_only_fields = ["created", "updated", "version", "captures"]


class ClaimSourceSerializer(SourceSerializer):
    """A source as a claim embeds it: without its captures (read them at `sources/{id}/`), so a
    list of claims reads no capture rows."""

    captures = None

    class Meta(SourceSerializer.Meta):
        fields = [name for name in SourceSerializer.Meta.fields if name != "captures"]
        read_only_fields = ["created", "updated", "version"]


class PostureEntrySerializer(serializers.Serializer):
    """One asset type's posture at the site on the posture date: its latest published observation
    on or before it, per presence (README "How posture is computed")."""

    asset_type = serializers.CharField(help_text="Asset type slug.")
    asset_type_name = serializers.CharField()
    category = serializers.ChoiceField(choices=AssetType.Category.choices)
    presence = serializers.ChoiceField(
        choices=Observation.Presence.choices, help_text="`transient` entries are not counted unless `transient=true`."
    )
    status = serializers.ChoiceField(
        choices=PostureStatus.choices,
        help_text="`counted`; `uncounted`: present, count unknown; `absent`: looked, not there (counts 0).",
    )
    count = serializers.IntegerField(allow_null=True, help_text="0 when absent; null when only presence is known.")
    count_low = serializers.IntegerField(allow_null=True)
    count_high = serializers.IntegerField(allow_null=True)
    activity = serializers.ChoiceField(choices=Observation.Activity.choices)
    trend = serializers.ChoiceField(
        choices=Trend.choices, allow_null=True, help_text="`leaving` for loading, departing or being dismantled."
    )
    observed = serializers.DateField(help_text="When last observed (the first day of a week or month).")
    observed_precision = serializers.ChoiceField(choices=Observation.Precision.choices)
    age_days = serializers.IntegerField(help_text="Days from `observed` to the posture date.")
    stale = serializers.BooleanField(help_text="Older than its asset type's freshness horizon (`fresh_days`).")
    fresh_days = serializers.IntegerField(help_text="The asset type's freshness horizon, in days.")
    observation = serializers.IntegerField(help_text="Id of the observation this entry comes from.")


def _summary(field: type[serializers.Field], name: str, help_text: str, **options) -> serializers.Field:
    return field(source=f"posture_state.{name}", read_only=True, help_text=help_text, **options)


_TYPES = "Asset types (of the entries counted) that are"


class PostureSummaryFields(serializers.Serializer):
    """A site's posture summary (core.posture.SUMMARY_FIELDS), from the site's `posture_state`."""

    posture_total = _summary(
        serializers.IntegerField,
        "posture_total",
        "Sum of the counted entries (absent counts 0); null when none has a count: see posture_label.",
        allow_null=True,
    )
    posture_label = _summary(
        serializers.CharField,
        "posture_label",
        "The total as shown: `3` all counted, `3+` and types present in unknown numbers, "
        "`+` present, none counted, `0` every type absent, `?` nothing known.",
    )
    counted_types = _summary(serializers.IntegerField, "counted_types", f"{_TYPES} counted.")
    uncounted_types = _summary(serializers.IntegerField, "uncounted_types", f"{_TYPES} present, count unknown.")
    absent_types = _summary(serializers.IntegerField, "absent_types", f"{_TYPES} absent (looked, not there).")
    stale_types = _summary(serializers.IntegerField, "stale_types", f"{_TYPES} older than their freshness horizon.")
    stale = _summary(serializers.BooleanField, "stale", "Every entry counted is stale: the whole picture is old.")
    leaving_types = _summary(
        serializers.IntegerField, "leaving_types", f"{_TYPES} loading, departing or being dismantled."
    )
    transient_types = _summary(serializers.IntegerField, "transient_types", "Transient entries (passing through).")
    last_observed = _summary(serializers.DateField, "last_observed", "The newest entry's date.", allow_null=True)


class SiteSerializer(FeatureInputMixin, ModelCleanMixin, PostureSummaryFields, GeoFeatureModelSerializer):
    """A site as a GeoJSON Feature; its id is the slug. Posture is read-only, as of `as_of`."""

    id = serializers.CharField(source="slug", read_only=True)
    location = LonLatGeometryField()
    operator = CountryField()
    host_country = CountryField()
    aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=50)
    posture = PostureEntrySerializer(many=True, read_only=True, source="posture_state.posture")

    class Meta:
        model = Site
        geo_field = "location"
        id_field = "id"
        # Left out of the answer for `posture=total|none` (basewatch.api.schema reads this).
        optional_properties = POSTURE_MODES["none"]
        fields = [
            "id",
            "slug",
            "name",
            "aliases",
            "kind",
            "operator",
            "host_country",
            "status",
            "location",
            "location_precision",
            *SUMMARY_FIELDS,
            "posture",
        ]

    def get_fields(self):
        fields = super().get_fields()
        for name in POSTURE_MODES[self.context.get("posture", "full")]:
            del fields[name]
        return fields


class SiteTotalSerializer(PostureSummaryFields):
    """A site's posture summary as of a date: what a map redraws when only the date changes.
    (Documents api.pg_json.site_totals, which PostgreSQL writes.)"""

    site = serializers.CharField(help_text="Site slug.")


class SiteTableSerializer(serializers.Serializer):
    """Each site's place and posture summary as of a date, as rows of values: what a map draws,
    in a quarter of the sites list's bytes. (Documents api.pg_json.site_table, which PostgreSQL
    writes.)"""

    count = serializers.IntegerField(help_text="Sites matching the filters (over all pages).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    fields = serializers.ListField(
        child=serializers.CharField(),
        help_text="The rows' columns, in order: `site` (slug), `name`, `kind`, `host_country`, `operator`, "
        "`longitude`, `latitude` (WGS 84, five decimals), then the posture summary as in site totals; "
        "with `columns=summary`, `site` and the summary.",
    )
    rows = serializers.ListField(
        child=serializers.ListField(),
        help_text="A row per site, in the sites list's order: its values in the order of `fields`.",
    )


class SiteStepSerializer(serializers.Serializer):
    day = serializers.DateField()
    changes = serializers.ListField(
        child=serializers.ListField(),
        help_text="The sites whose summary changes this day (on `from`: every site), each as [its index in "
        "`sites`, then its summary's values in the order of `fields`].",
    )


class SiteStepsSerializer(serializers.Serializer):
    """Posture steps over a window: what a map that plays redraws each frame from.
    (Documents the answer of api.views.sites.SiteSteps, which PostgreSQL writes.)"""

    start = serializers.DateField(help_text="First day of the window.")
    to = serializers.DateField(help_text="Last day of the window.")
    count = serializers.IntegerField(help_text="Sites matching the filters (over all pages).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    fields = serializers.ListField(child=serializers.CharField(), help_text="The summary's names, in order.")
    sites = serializers.ListField(child=serializers.CharField(), help_text="The page's site slugs, in order.")
    steps = SiteStepSerializer(many=True, help_text="Days on which a summary changes, in order.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("start")  # a reserved word in Python
        return fields


class SiteDetailSerializer(SiteSerializer):
    footprint = LonLatGeometryField(required=False, allow_null=True)

    class Meta(SiteSerializer.Meta):
        fields = [
            *SiteSerializer.Meta.fields,
            "footprint",
            "description",
            "wikidata_id",
            "created",
            "updated",
            "version",
        ]
        read_only_fields = ["created", "updated", "version"]

    def validate_footprint(self, value):
        try:
            return None if value is None else as_footprint(value)
        except GeometryInputError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_location(self, value):
        if value.geom_type != "Point":
            raise serializers.ValidationError("A site's location is a Point.")
        return value


# An asset as a write names it: its id, or the key its pages use (AssetQuerySet.named).
ASSET_KEY_SCHEMA = {
    "oneOf": [{"type": "integer"}, {"type": "string", "maxLength": 30}],
    "nullable": True,
    "description": "The asset's id, or its registration (RA-76845), ICAO hex (152C2D), MMSI or IMO number.",
}


@extend_schema_field(ASSET_KEY_SCHEMA)
class AssetKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An asset: a number is its id; text is a key its pages take (registration, ICAO hex, MMSI, IMO,
    id). Answers give the id."""

    default_error_messages = {
        "does_not_exist": "No asset has this registration, ICAO address, MMSI, IMO or id: {pk_value}.",
    }
    key_text = serializers.CharField(max_length=30)  # checks length and NUL characters before a query

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            return super().to_internal_value(data)
        if not isinstance(data, str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        key = self.key_text.run_validation(data)
        asset = self.get_queryset().named(key).first()
        if asset is None:
            self.fail("does_not_exist", pk_value=key)
        return asset


class UserNameField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, allow_null=True, **kwargs)


class SourcedClaimSerializer(serializers.ModelSerializer):
    """Shared by observations and movements: sources, workflow state, version.

    It checks the shape of what a client sends; basewatch.core.claims decides whether
    it may be stored (api.views.claims passes it on).
    """

    sources = ClaimSourceSerializer(many=True, read_only=True)
    source_ids = serializers.PrimaryKeyRelatedField(
        many=True,
        write_only=True,
        queryset=Source.objects.all(),
        required=False,
        help_text="Ids of the sources behind this claim (at least one).",
    )
    asset_type = serializers.SlugRelatedField(slug_field="slug", queryset=AssetType.objects.all())
    asset = AssetKeyRelatedField(queryset=Asset.objects.all(), allow_null=True, required=False)
    asset_key = serializers.CharField(
        source="asset.key", read_only=True, allow_null=True, help_text="The asset's key in its page URL."
    )
    asset_label = serializers.CharField(
        source="asset.label",
        read_only=True,
        allow_null=True,
        help_text='How the asset is named: "Il-76TD RA-76845, EMERCOM of Russia (MChS)"; null without an asset.',
    )
    asset_url = serializers.CharField(
        source="asset.get_absolute_url", read_only=True, allow_null=True, help_text="Path of the asset's page."
    )
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text="Path of the claim's page.")
    state = serializers.ChoiceField(
        choices=workflow.State.choices,
        required=False,
        help_text="The state you want the claim in: the workflow action leading there is taken "
        "(e.g. `submitted` submits a draft, `draft` withdraws it from review, `published` publishes it).",
    )
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why, when the state asked for is `rejected` or `retracted`.",
    )
    entered_by = UserNameField()
    reviewed_by = UserNameField()
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="On update: the version you read (or send If-Match)."
    )

    # Only visible to signed-in roles (viewer and above).
    INTERNAL_FIELDS = ("entered_by", "reviewed_by", "reviewed_at", "state_reason")
    ASSET_FIELDS = ["asset", "asset_key", "asset_label", "asset_url"]
    CLAIM_FIELDS = [
        "url",
        "notes",
        "sources",
        "source_ids",
        "state",
        "reason",
        "state_reason",
        "entered_by",
        "reviewed_by",
        "reviewed_at",
        "created",
        "updated",
        "version",
    ]
    CLAIM_READ_ONLY = ["state_reason", "reviewed_at", "created", "updated"]

    def get_fields(self):
        fields = super().get_fields()
        # Whose view: the request's user, or a `reader` given without a request (webhooks: the public).
        request = self.context.get("request")
        reader = request.user if request is not None else self.context.get("reader")
        if reader is not None and not can_view_unpublished(reader):
            for name in self.INTERNAL_FIELDS:
                fields.pop(name, None)
        return fields


class ObservationSerializer(SourcedClaimSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", queryset=Site.objects.all())

    class Meta:
        model = Observation
        fields = [
            "id",
            "site",
            "asset_type",
            *SourcedClaimSerializer.ASSET_FIELDS,
            "observed",
            "observed_precision",
            "count",
            "count_low",
            "count_high",
            "activity",
            "presence",
            "credibility",
            *SourcedClaimSerializer.CLAIM_FIELDS,
        ]
        read_only_fields = SourcedClaimSerializer.CLAIM_READ_ONLY


class MovementSerializer(FeatureInputMixin, SourcedClaimSerializer, GeoFeatureModelSerializer):
    """A movement as a GeoJSON Feature: a LineString from origin to destination."""

    origin = serializers.SlugRelatedField(slug_field="slug", queryset=Site.objects.all())
    destination = serializers.SlugRelatedField(slug_field="slug", queryset=Site.objects.all())
    line = LineField(read_only=True, help_text="Origin → destination, longitude/latitude.")
    trips_text = serializers.CharField(
        read_only=True, help_text='The number of trips as read: "at least 7 flights"; empty when not given.'
    )
    transfer = serializers.PrimaryKeyRelatedField(
        queryset=Movement.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the first leg of the transfer this movement continues; null if none.",
    )

    class Meta:
        model = Movement
        geo_field = "line"
        geometry_type = "LineString"  # computed by MovementQuerySet.with_journey
        fields = [
            "id",
            "origin",
            "destination",
            "asset_type",
            *SourcedClaimSerializer.ASSET_FIELDS,
            "count",
            "trips",
            "trips_at_least",
            "trips_text",
            "transfer",
            "departed",
            "arrived",
            "line",
            *SourcedClaimSerializer.CLAIM_FIELDS,
        ]
        read_only_fields = SourcedClaimSerializer.CLAIM_READ_ONLY


class DecisionSerializer(serializers.Serializer):
    """A review action on a claim: the version it was taken on, and why (to reject or retract)."""

    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you decided on (or send If-Match)."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Why (needed to reject or retract)."
    )


class TimeSeriesPointSerializer(serializers.Serializer):
    date = serializers.DateField(source="observed")
    precision = serializers.CharField(source="observed_precision")
    status = serializers.ChoiceField(choices=PostureStatus.choices)
    count = serializers.IntegerField(source="counted", allow_null=True, help_text="0 when absent; null if unknown.")
    count_low = serializers.IntegerField(allow_null=True)
    count_high = serializers.IntegerField(allow_null=True)
    activity = serializers.ChoiceField(choices=Observation.Activity.choices)
    trend = serializers.ChoiceField(choices=Trend.choices, allow_null=True)
    observation = serializers.IntegerField(source="pk")


class TimeSeriesSerializer(serializers.Serializer):
    asset_type = serializers.CharField(source="asset_type.slug")
    asset_type_name = serializers.CharField(source="asset_type.name")
    category = serializers.CharField(source="asset_type.category")
    presence = serializers.ChoiceField(choices=Observation.Presence.choices)
    fresh_days = serializers.IntegerField(
        source="asset_type.fresh_days", help_text="After this many days a point is stale."
    )
    points = TimeSeriesPointSerializer(many=True)


class SiteTimeSeriesSerializer(serializers.Serializer):
    site = serializers.CharField(help_text="Site slug.")
    series = TimeSeriesSerializer(many=True)
