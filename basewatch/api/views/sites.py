"""Sites as GeoJSON with their posture, site totals, the site table a map draws from, posture
steps for a map that plays, a site's counts over time."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError

from basewatch.api.csv_export import csv_response, xlsx_response
from basewatch.api.list_exports import (
    BOOLEAN,
    DATE,
    INTEGER,
    STRING,
    Column,
    ExportFeature,
    Layer,
    check_size,
    properties,
)
from basewatch.api.pagination import SiteDocumentPagination, SitePagination, SiteTotalsPagination
from basewatch.api.pg_json import (
    SITE_TABLE_COLUMNS,
    site_collection,
    site_steps,
    site_table,
    site_totals,
    time_series,
    time_series_of_spans,
)
from basewatch.api.serializers import (
    POSTURE_MODES,
    SiteDetailSerializer,
    SiteSerializer,
    SiteStepsSerializer,
    SiteTableSerializer,
    SiteTimeSeriesSerializer,
    SiteTotalSerializer,
)
from basewatch.api.views.base import ApiView, DetailView, ListView
from basewatch.core import sites as site_writes
from basewatch.core.filters import PostureSeriesFilter, SiteFilter, SiteStepsFilter, parse_posture_options
from basewatch.core.models import AssetType, PostureSeries, PostureSpan, Site
from basewatch.core.posture import SUMMARY_FIELDS, PostureOptions, entry_text

POSTURE_PARAMETER = OpenApiParameter(
    "posture",
    str,
    enum=list(POSTURE_MODES),
    description="`full` (default): the posture entries and the summary (total, label, what is known, stale, "
    "leaving); `total`: the summary only (fast, what a map needs); `none`: the places only.",
)
POSTURE_READ_PARAMETERS = [
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="Posture date (YYYY-MM-DD); default today."),
    OpenApiParameter(
        "fresh", OpenApiTypes.BOOL, description="true: leave out entries older than their freshness horizon."
    ),
    OpenApiParameter("transient", OpenApiTypes.BOOL, description="true: count transient assets in the totals too."),
]


def posture_mode(request) -> str:
    """`posture=full|total|none` on a read (a 400 naming it otherwise); writes answer in full."""
    if request.method not in ("GET", "HEAD"):
        return "full"
    mode = request.query_params.get("posture") or "full"
    if mode not in POSTURE_MODES:
        raise ValidationError({"posture": [f"Choose one of: {', '.join(POSTURE_MODES)}."]})
    return mode


def read_posture_options(request) -> PostureOptions:
    """How a read asks for posture (`as_of`, `fresh`, `transient`: a 400 naming a malformed one);
    writes answer as of today."""
    query = request.query_params if request.method in ("GET", "HEAD") else QueryDict()
    try:
        return parse_posture_options(query)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict) from None


def with_posture(sites, mode: str, options: PostureOptions):
    """Sites with as much posture, read with `options`, as `mode` asks for."""
    if mode == "none":
        return sites
    return sites.with_posture(options, entries=mode == "full")


def _summary_column(name: str):
    return (name, lambda site: site.posture_state[name])


def _posture_text(site: Site) -> str:
    return "; ".join(entry_text(entry) for entry in site.posture_state["posture"])


# A site's properties in a file (api.list_exports.Column), the context being the posture options
# and the request's URL maker; the site is read with its posture (`posture_state`). A summary
# field without its type here is a KeyError on import.
_SUMMARY_INTEGERS = ("posture_total", "counted_types", "uncounted_types", "absent_types", "stale_types",
                     "leaving_types", "transient_types")  # fmt: skip
_SUMMARY_TYPES = {
    **dict.fromkeys(_SUMMARY_INTEGERS, INTEGER),
    "posture_label": STRING,
    "stale": BOOLEAN,
    "last_observed": DATE,
}
SITE_EXPORT = [
    *(Column(name, STRING) for name in ("slug", "name", "kind")),
    Column("operator", STRING, lambda site, options, absolute: site.operator.code),
    Column("host_country", STRING, lambda site, options, absolute: site.host_country.code),
    Column("status", STRING),
    Column("as_of", DATE, lambda site, options, absolute: options.as_of),
    *(
        Column(name, _SUMMARY_TYPES[name], lambda site, options, absolute, name=name: site.posture_state[name])
        for name in SUMMARY_FIELDS
    ),
    Column("posture", STRING, lambda site, options, absolute: _posture_text(site)),
    Column("url", STRING, lambda site, options, absolute: absolute(site.get_absolute_url())),
]


@extend_schema(parameters=[POSTURE_PARAMETER])
class SiteList(ListView):
    """Sites as a GeoJSON FeatureCollection, each with its posture as of `as_of` (in full unless `posture=`)."""

    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    pagination_class = SitePagination
    own_parameters = ("posture",)
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
        *(_summary_column(name) for name in SUMMARY_FIELDS),
        ("posture", _posture_text),
    ]
    exports_files = True
    json_is_geojson = True

    def get_serializer_class(self):
        return SiteDetailSerializer if self.request.method == "POST" else SiteSerializer

    def get_queryset(self):
        # The list filters plain sites (PostgreSQL adds the posture to the JSON, api.pg_json);
        # a created site is answered in full as of today.
        sites = Site.objects.all()
        if self.request.method in ("GET", "HEAD"):
            return sites
        return with_posture(sites, "full", read_posture_options(self.request))

    def create_item(self, serializer):
        return site_writes.write_site(Site(**serializer.validated_data), self.request.user)

    def list(self, request, *args, **kwargs):
        mode = posture_mode(request)
        sites = self.filtered()
        options = self.filterset.posture_options()
        if request.accepted_renderer.format in ("csv", "xlsx"):
            left_out = POSTURE_MODES[mode]
            columns = [column for column in self.csv_columns if column[0] not in left_out]
            # Named for the posture's date, as the KML and GeoPackage are: two dates, two files.
            name = self.csv_name if mode == "none" else f"{self.csv_name}-{options.as_of.isoformat()}"
            if request.accepted_renderer.format == "xlsx":
                check_size(sites)
                rows = with_posture(sites, mode, options).iterator(chunk_size=2000)
                return xlsx_response(rows, columns, name)
            rows = with_posture(sites, mode, options).iterator(chunk_size=2000)
            return csv_response(rows, columns, name)
        if self.wants_file():
            return self.export_file(sites, self.wants_file())
        ids, links = page_of_ids(self, sites)
        # `?format=geojson` names the same answer, as GeoJSON's own media type.
        content_type = "application/geo+json" if request.accepted_renderer.format == "geojson" else "application/json"
        return StreamingHttpResponse(site_collection(ids, mode, options, *links), content_type=content_type)

    def export_layer(self, rows) -> Layer:
        return self.layer(rows, self.filterset.posture_options(), self.request.build_absolute_uri)

    @classmethod
    def layer(cls, rows, options: PostureOptions, absolute) -> Layer:
        """The sites `rows` as a file's layer (here and in export.gpkg), URLs made by `absolute`."""
        # Each site with its posture in full on `as_of`, stamped with that date: files of several
        # dates, opened together in Google Earth, replay the posture on its time slider.
        sites = with_posture(rows, "full", options).iterator(chunk_size=2000)
        features = (cls.export_feature(site, options, absolute) for site in sites)
        title, dated = f"sites as of {options.as_of}", options.as_of
        return Layer("sites", title, "POINT", features, SITE_EXPORT, dated=dated)

    @staticmethod
    def export_feature(site: Site, options: PostureOptions, absolute) -> ExportFeature:
        state = site.posture_state
        lines = [
            f"Posture on {options.as_of}: {state['posture_label']}" + (" (stale)" if state["stale"] else ""),
            *(entry_text(entry) for entry in state["posture"]),
            f"{site.get_kind_display()} held by {site.operator.name} in {site.host_country.name}",
        ]
        return ExportFeature(
            id=site.slug,
            name=f"{site.name} ({state['posture_label']})",
            description=lines,
            url=absolute(site.get_absolute_url()),
            operator=site.operator.code,
            points=((site.location.x, site.location.y),),
            when=options.as_of,
            properties=properties(SITE_EXPORT, site, options, absolute),
        )


def page_of_ids(view, sites) -> tuple[list[int], tuple]:
    """The page's site ids, and (count, next link, previous link), for a page whose JSON PostgreSQL builds."""
    ids = view.paginate_queryset(sites.values_list("pk", flat=True))
    paginator = view.paginator
    return ids, (paginator.page.paginator.count, paginator.get_next_link(), paginator.get_previous_link())


class SiteSummaries(ListView):
    """Each site's posture summary as of `as_of`, with the sites filters, in the sites list's
    order and pages, written by PostgreSQL (`write`: an api.pg_json function of the page's ids,
    the posture options, the count and the links)."""

    http_method_names = ["get", "head", "options"]
    queryset = Site.objects.all()
    filterset_class = SiteFilter
    write = None  # staticmethod(an api.pg_json writer), or a method calling one with the request's options

    def list(self, request, *args, **kwargs):
        ids, links = page_of_ids(self, self.filtered())
        body = self.write(ids, self.filterset.posture_options(), *links)
        return HttpResponse(body, content_type="application/json")


class SiteTotals(SiteSummaries):
    """Each site's posture summary (total, its label, what is known, stale, leaving, transient) as of
    `as_of`, with the sites filters.

    The same sites in the same order as the sites list: a map that has drawn them
    redraws another date from this small answer.
    """

    serializer_class = SiteTotalSerializer
    pagination_class = SiteTotalsPagination
    write = staticmethod(site_totals)


@extend_schema(
    parameters=[
        *POSTURE_READ_PARAMETERS,
        OpenApiParameter(
            "columns",
            str,
            enum=list(SITE_TABLE_COLUMNS),
            default="all",
            description="`all` (default): each site's place, names and summary; `summary`: its slug and summary.",
        ),
    ],
    responses=SiteTableSerializer,
)
class SiteTable(SiteSummaries):
    """Each site's place and posture summary as of `as_of`, with the sites filters, as rows of
    values named once in `fields`.

    The sites list's sites in its order, with what `posture=total` says of each, in a quarter of
    its bytes: the whole answer a map draws from. With `columns=summary`, each site's slug and
    summary only: what a map that has drawn the sites redraws another date from.
    """

    serializer_class = SiteTableSerializer
    pagination_class = SiteDocumentPagination
    own_parameters = ("columns",)

    def list(self, request, *args, **kwargs):
        # Read before the page is: a bad value is its 400 whatever the page asked for.
        self.columns = request.query_params.get("columns") or "all"
        if self.columns not in SITE_TABLE_COLUMNS:
            raise ValidationError({"columns": [f"Choose one of: {', '.join(SITE_TABLE_COLUMNS)}."]})
        return super().list(request, *args, **kwargs)

    def write(self, ids, options, *links):
        return site_table(ids, options, *links, columns=self.columns)


@extend_schema(
    parameters=[
        OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First day of the window (YYYY-MM-DD)."),
        OpenApiParameter(
            "to", OpenApiTypes.DATE, required=True, description="Last day (YYYY-MM-DD), at most 365 days on."
        ),
    ],
    responses=SiteStepsSerializer,
)
class SiteSteps(ListView):
    """Each site's posture summary on every day from `from` to `to`, as steps: on `from` every
    site's summary, then on each later day the sites whose summary changes that day.

    A site's summary on a day of the window is its latest step on or before that day: what
    `site-totals/?as_of=` that day answers (core.posture_steps). The sites and their order
    are the sites list's, paginated alike; the filters that depend on the date (`category`,
    `asset_type`) are refused. A map plays the window from this one answer.
    """

    http_method_names = ["get", "head", "options"]
    queryset = Site.objects.all()
    serializer_class = SiteStepsSerializer
    filterset_class = SiteStepsFilter
    pagination_class = SiteDocumentPagination

    def list(self, request, *args, **kwargs):
        for name in ("category", "asset_type"):
            if request.query_params.get(name):
                raise ValidationError({name: ["Not with steps: the sites holding it change from day to day."]})
        sites = self.filtered()
        ids, (count, next_url, previous_url) = page_of_ids(self, sites)
        window = self.filterset.form.cleaned_data
        head = {
            "from": window["from"].isoformat(), "to": window["to"].isoformat(), "count": count,
            "next": next_url, "previous": previous_url, "fields": list(SUMMARY_FIELDS),
        }  # fmt: skip
        body = site_steps(ids, self.filterset.posture_options(), window["from"], window["to"], head)
        return HttpResponse(body, content_type="application/json")


@extend_schema(parameters=[*POSTURE_READ_PARAMETERS, POSTURE_PARAMETER])
class SiteDetail(DetailView):
    """One site as a GeoJSON Feature, with footprint, description and posture as of `as_of`.

    Changes send the version they read (If-Match or `version`); stale ones get 412.
    """

    serializer_class = SiteDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return with_posture(Site.objects.all(), posture_mode(self.request), read_posture_options(self.request))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "posture": posture_mode(self.request)}

    def update_item(self, item, serializer, read_version: int):
        for name, value in serializer.validated_data.items():
            setattr(item, name, value)
        return site_writes.write_site(item, self.request.user, read_version=read_version)


@extend_schema(
    parameters=[
        OpenApiParameter("from", OpenApiTypes.DATE, description="First date (YYYY-MM-DD)."),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Last date (YYYY-MM-DD)."),
        OpenApiParameter("asset_type", str, description="Asset type slug."),
        OpenApiParameter("category", str, enum=AssetType.Category.values, description="Asset category."),
    ],
    responses=SiteTimeSeriesSerializer,
)
class SiteTimeSeries(ApiView):
    """Counts over time: per asset type and presence, the published observations as step-function points.

    Each point's `status` says what it knows: `counted`, `uncounted` (present in unknown
    numbers, `count` null) or `absent` (counts 0). Where two observations share a date, the
    one entered last counts. A point is stale after its series' `fresh_days`.
    """

    lookup_field = "slug"
    http_method_names = ["get", "head", "options"]

    def get(self, request, slug: str):
        body = self.series_document(request, slug)
        if body is None:
            raise Http404("No such site.")
        return HttpResponse(body, content_type="application/json")

    def series_document(self, request, slug: str) -> bytes | None:
        """The time series' JSON, as the query asks for it; None: no such site. The site is not
        read first: the series' statement finds it by its slug, a round trip fewer on the
        busiest read of a site page."""
        if not any(name in request.query_params for name in PostureSeriesFilter.base_filters):
            return time_series(slug)  # nothing narrows the series: every one kept
        spans = PostureSeriesFilter(request.query_params, queryset=PostureSpan.objects.filter(site__slug=slug))
        if not spans.is_valid():
            raise translate_validation(spans.errors)
        if spans.form.cleaned_data["from"] or spans.form.cleaned_data["to"]:
            return time_series_of_spans(slug, spans.qs)
        # Whole series, as kept: the same filters pick them (asset type, category), the dates
        # they would narrow them by being absent.
        return time_series(slug, spans.filter_queryset(PostureSeries.objects.filter(site__slug=slug)))
