"""Asset types, assets and sources: plain lists and details; editors write."""

from __future__ import annotations

from basewatch.api.serializers import AssetSerializer, AssetTypeSerializer, SourceSerializer
from basewatch.api.views.base import DetailView, ListView
from basewatch.core.filters import AssetFilter, AssetTypeFilter, SourceFilter
from basewatch.core.models import Asset, AssetType, Source


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


class AssetList(ListView):
    """Individually identified airframes, vessels and vehicles."""

    queryset = Asset.objects.select_related("asset_type")
    serializer_class = AssetSerializer
    filterset_class = AssetFilter


class AssetDetail(DetailView):
    """One asset. Changes send the version they read (If-Match or `version`); stale ones get 412."""

    queryset = Asset.objects.select_related("asset_type")
    serializer_class = AssetSerializer


class SourceList(ListView):
    """Sources: imagery, reports, posts. Look a URL up (`?url=`) before creating it again."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_class = SourceFilter


class SourceDetail(DetailView):
    """One source. Changes send the version they read (If-Match or `version`); stale ones get 412."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
