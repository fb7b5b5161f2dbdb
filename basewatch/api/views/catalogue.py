"""Asset types, assets and sources: plain lists and details; editors write."""

from __future__ import annotations

from rest_framework import generics

from basewatch.api.filters import AssetFilter, AssetTypeFilter, SourceFilter
from basewatch.api.serializers import AssetSerializer, AssetTypeSerializer, SourceSerializer
from basewatch.api.views.common import LastModifiedMixin, PatchOnlyMixin
from basewatch.core.models import Asset, AssetType, Source


class AssetTypeList(LastModifiedMixin, generics.ListCreateAPIView):
    """Asset types (S-400, An-124 …)."""

    queryset = AssetType.objects.all()
    serializer_class = AssetTypeSerializer
    filterset_class = AssetTypeFilter


class AssetTypeDetail(PatchOnlyMixin, LastModifiedMixin, generics.RetrieveUpdateAPIView):
    queryset = AssetType.objects.all()
    serializer_class = AssetTypeSerializer
    lookup_field = "slug"


class AssetList(LastModifiedMixin, generics.ListCreateAPIView):
    """Individually identified airframes, vessels and vehicles."""

    queryset = Asset.objects.select_related("asset_type")
    serializer_class = AssetSerializer
    filterset_class = AssetFilter


class AssetDetail(PatchOnlyMixin, LastModifiedMixin, generics.RetrieveUpdateAPIView):
    queryset = Asset.objects.select_related("asset_type")
    serializer_class = AssetSerializer


class SourceList(LastModifiedMixin, generics.ListCreateAPIView):
    """Sources: imagery, reports, posts. Look a URL up (`?url=`) before creating it again."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_class = SourceFilter


class SourceDetail(PatchOnlyMixin, LastModifiedMixin, generics.RetrieveUpdateAPIView):
    queryset = Source.objects.all()
    serializer_class = SourceSerializer
