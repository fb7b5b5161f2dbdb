"""Asset types, assets and sources: plain lists and details; editors write. An asset's track."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from basewatch.api.csv_export import CSVRenderer
from basewatch.api.serializers import AssetSerializer, AssetTypeSerializer, SourceSerializer
from basewatch.api.track_exports import EXPORTS, GPXRenderer, KMLRenderer
from basewatch.api.tracks import Track, TrackSerializer
from basewatch.api.views.base import ApiView, DetailView, ListView
from basewatch.api.views.claims import visible_claims
from basewatch.core import archiving, tracks
from basewatch.core.filters import AssetFilter, AssetTypeFilter, SourceFilter
from basewatch.core.models import Asset, AssetType, Movement, Observation, Source


class AssetTypeList(ListView):
    """Asset types (S-400, An-124 …)."""

    queryset = AssetType.objects.all()
    serializer_class = AssetTypeSerializer
    filterset_class = AssetTypeFilter


class AssetTypeDetail(DetailView):
    """One asset type. Changes send the version they read (If-Match or `version`); stale ones get 412."""

    queryset = AssetType.objects.all()
    serializer_class = AssetTypeSerializer
    lookup_field = "slug"


def visible_assets(user):
    """Assets `user` may read, with when they were first and last seen: confirmed ones for the public
    (an import's guesses wait for a person)."""
    return Asset.objects.visible_to(user).select_related("asset_type").with_sightings()


def _get_asset_for_user(key: str, user) -> Asset:
    """The asset `key` names (AssetQuerySet.named), if `user` may see it; else a 404."""
    asset = visible_assets(user).named(key).first()
    if asset is None:
        raise NotFound("No asset has this registration, ICAO address, MMSI, IMO or id.")
    return asset


ASSET_KEY_PARAMETER = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    description="Registration (RA-76845), ICAO hex (152C2D, any case), MMSI, IMO number, id, or a former registration.",
)


class AssetList(ListView):
    """Individually identified airframes, vessels and vehicles, with when they were first and last seen
    (published claims). The public sees confirmed assets only."""

    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    csv_name = "assets"
    csv_columns = [
        ("id", lambda a: a.pk),
        ("asset_type", lambda a: a.asset_type.slug),
        ("registration", lambda a: a.registration),
        ("icao_hex", lambda a: a.icao_hex),
        ("hull_number", lambda a: a.hull_number),
        ("mmsi", lambda a: a.mmsi),
        ("imo", lambda a: a.imo),
        ("name", lambda a: a.name),
        ("aliases", lambda a: " | ".join(a.aliases)),
        ("former_registrations", lambda a: " | ".join(a.former_registrations)),
        ("operator", lambda a: a.operator),
        ("confirmed", lambda a: a.confirmed),
        ("first_seen", lambda a: a.first_seen),
        ("last_seen", lambda a: a.last_seen),
        ("url", lambda a: a.get_absolute_url()),
    ]

    def get_queryset(self):
        return visible_assets(self.request.user)


@extend_schema(parameters=[ASSET_KEY_PARAMETER])
class AssetDetail(DetailView):
    """One asset, by any of its keys. Changes send the version they read (If-Match or `version`);
    stale ones get 412."""

    serializer_class = AssetSerializer

    def get_queryset(self):
        return visible_assets(self.request.user)

    def get_object(self):
        asset = _get_asset_for_user(self.kwargs["key"], self.request.user)
        self.check_object_permissions(self.request, asset)
        return asset


TRACK_FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    OpenApiParameter.QUERY,
    enum=["json", "gpx", "kml", "csv"],
    description="`json` (default): GeoJSON; `gpx`: GPX 1.1 (waypoints and a track); `kml`: KML 2.2 "
    "(stops with a TimeStamp, movements with a TimeSpan); `csv`: one row per stop.",
)


class AssetTrack(ApiView):
    """An asset's track: its sightings (Points at the site) and movements (LineStrings origin →
    destination) in date order, as GeoJSON, GPX, KML or CSV. The public sees published claims;
    viewers and up also the others."""

    serializer_class = TrackSerializer
    http_method_names = ["get", "head", "options"]

    def get_renderers(self):
        # The files are for reads; anything else (OPTIONS, a 405) answers JSON, whatever it accepts.
        if getattr(getattr(self, "request", None), "method", None) in ("GET", "HEAD"):
            return [renderers.JSONRenderer(), GPXRenderer(), KMLRenderer(), CSVRenderer()]
        return super().get_renderers()

    @extend_schema(parameters=[ASSET_KEY_PARAMETER, TRACK_FORMAT_PARAMETER], responses=TrackSerializer)
    def get(self, request, key: str):
        asset = _get_asset_for_user(key, request.user)
        claims = tracks.timeline(
            asset,
            observations=visible_claims(Observation, request.user),
            movements=visible_claims(Movement, request.user),
        )
        track = Track(asset, claims)
        wanted = request.accepted_renderer.format
        if wanted in EXPORTS:
            return EXPORTS[wanted](track, request.build_absolute_uri)
        return Response(TrackSerializer(track, context=self.get_serializer_context()).data)


class SourceList(ListView):
    """Sources: imagery, reports, posts, each with its archived captures. Look a URL up (`?url=`)
    before creating it again. A source saved with a URL is archived by a background job."""

    queryset = Source.objects.prefetch_related("captures")
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    # `?format=csv`: the layout a sources import reads (basewatch.core.imports.catalogue; README).
    csv_name = "sources"
    csv_columns = [
        ("id", lambda s: s.pk),
        ("kind", lambda s: s.kind),
        ("title", lambda s: s.title),
        ("publisher", lambda s: s.publisher),
        ("url", lambda s: s.url),
        ("published", lambda s: s.published),
        ("captured", lambda s: s.captured),
        ("archive_url", lambda s: s.archive_url),
        ("reliability", lambda s: s.reliability),
    ]


class SourceDetail(DetailView):
    """One source. Changes send the version they read (If-Match or `version`); stale ones get 412."""

    queryset = Source.objects.prefetch_related("captures")
    serializer_class = SourceSerializer


class SourceArchive(ApiView):
    """Queue a new archiving of the source's URL (editors); answers the source with its captures (202).
    One already queued and not yet tried is not queued twice."""

    queryset = Source.objects.prefetch_related("captures")
    serializer_class = SourceSerializer
    http_method_names = ["post", "options"]

    @extend_schema(operation_id="sources_archive", request=None, responses={202: SourceSerializer})
    def post(self, request, pk: int):
        source = get_object_or_404(Source, pk=pk)
        if not source.url:
            raise ValidationError({"url": ["This source has no URL to archive."]})
        with transaction.atomic():
            archiving.queue(source)
        return Response(self.represent(source), status=202)
