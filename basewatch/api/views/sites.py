"""Sites as GeoJSON with their posture, and a site's counts over time."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.views import APIView

from basewatch.api.filters import POSTURE_MODES, SiteFilter, SiteTotalsFilter
from basewatch.api.pagination import SitePagination, SiteTotalsPagination
from basewatch.api.params import choice_param, date_param, slug_param
from basewatch.api.pg_json import site_collection, site_totals, time_series
from basewatch.api.serializers import (
    SiteDetailSerializer,
    SiteSerializer,
    SiteTimeSeriesSerializer,
    SiteTotalSerializer,
)
from basewatch.api.views.common import CSVExportMixin, LastModifiedMixin, PatchOnlyMixin, RereadOnCreateMixin
from basewatch.core.models import AssetType, Observation, Site


def _posture_text(site: Site) -> str:
    return "; ".join(
        f"{entry['asset_type_name']}: {'present' if entry['count'] is None else entry['count']}"
        for entry in site.posture
    )


class PostureModeMixin:
    """`posture=full|total|none` (SiteFilter validates it): the serializer gives that much."""

    def posture_mode(self) -> str:
        return self.request.query_params.get("posture") or "full"

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "posture": self.posture_mode()}


class SiteList(PostureModeMixin, RereadOnCreateMixin, LastModifiedMixin, CSVExportMixin, generics.ListCreateAPIView):
    """Sites as a GeoJSON FeatureCollection, each with its posture as of `as_of` (in full unless `posture=`)."""

    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    pagination_class = SitePagination
    csv_name = "sites"
    csv_columns = [
        ("slug", lambda s: s.slug),
        ("name", lambda s: s.name),
        ("aliases", lambda s: "; ".join(s.aliases)),
        ("kind", lambda s: s.kind),
        ("operator", lambda s: s.operator.code),
        ("host_country", lambda s: s.host_country.code),
        ("status", lambda s: s.status),
        ("longitude", lambda s: s.location.x),
        ("latitude", lambda s: s.location.y),
        ("location_precision", lambda s: s.location_precision),
        ("last_observed", lambda s: s.last_observed),
        ("posture_total", lambda s: s.posture_total),
        ("posture", _posture_text),
    ]

    def get_serializer_class(self):
        return SiteDetailSerializer if self.request.method == "POST" else SiteSerializer

    def get_csv_columns(self):
        left_out = POSTURE_MODES[self.posture_mode()]
        return [column for column in self.csv_columns if column[0] not in left_out]

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)  # CSV
        filterset, ids, links = page_of_site_ids(self)
        body = site_collection(ids, filterset.posture_mode, filterset.as_of_date, *links)
        return StreamingHttpResponse(body, content_type="application/json")


def page_of_site_ids(view) -> tuple[SiteFilter, list[int], tuple]:
    """Filter, order and paginate with the ORM, for a page whose JSON PostgreSQL builds.

    The filterset, the page's site ids, and (count, next link, previous link).
    """
    filterset = DjangoFilterBackend().get_filterset(view.request, view.get_queryset(), view)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    ids = view.paginate_queryset(filterset.qs.values_list("pk", flat=True))
    paginator = view.paginator
    return filterset, ids, (paginator.page.paginator.count, paginator.get_next_link(), paginator.get_previous_link())


class SiteTotals(LastModifiedMixin, generics.ListAPIView):
    """Each site's posture total and last observation date as of `as_of`, with the sites filters.

    The same sites in the same order as the sites list: a map that has drawn them
    redraws another date from this small answer.
    """

    queryset = Site.objects.all()
    serializer_class = SiteTotalSerializer
    filterset_class = SiteTotalsFilter
    pagination_class = SiteTotalsPagination

    def list(self, request, *args, **kwargs):
        filterset, ids, links = page_of_site_ids(self)
        return HttpResponse(site_totals(ids, filterset.as_of_date, *links), content_type="application/json")


class SiteDetail(PatchOnlyMixin, PostureModeMixin, LastModifiedMixin, generics.RetrieveUpdateAPIView):
    """One site as a GeoJSON Feature, with footprint, description and posture as of `as_of`."""

    queryset = Site.objects.all()
    serializer_class = SiteDetailSerializer
    filterset_class = SiteFilter
    lookup_field = "slug"


@extend_schema(
    parameters=[
        OpenApiParameter("from", OpenApiTypes.DATE, description="First date (YYYY-MM-DD)."),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Last date (YYYY-MM-DD)."),
        OpenApiParameter("asset_type", str, description="Asset type slug."),
        OpenApiParameter("category", str, enum=AssetType.Category.values, description="Asset category."),
    ],
    responses=SiteTimeSeriesSerializer,
)
class SiteTimeSeries(LastModifiedMixin, APIView):
    """Counts over time: per asset type, the published observations as step-function points.

    `absent` points count 0; a point without a count means present in unknown
    numbers. Where two observations share a date, the one entered last counts.
    """

    def get(self, request, slug: str):
        site = get_object_or_404(Site, slug=slug)
        points = Observation.objects.published().filter(site=site)
        start, end = date_param(request, "from"), date_param(request, "to")
        if start:
            points = points.filter(observed__gte=start)
        if end:
            points = points.filter(observed__lte=end)
        asset_type = slug_param(request, "asset_type", AssetType)
        if asset_type:
            points = points.filter(asset_type=asset_type)
        category = choice_param(request, "category", AssetType.Category)
        if category:
            points = points.filter(asset_type__category=category)
        return HttpResponse(time_series(site.slug, points.time_series()), content_type="application/json")
