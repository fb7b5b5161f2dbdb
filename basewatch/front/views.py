"""Public HTML pages."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Min, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django_countries import countries

from basewatch.api.filters import ObservationFilter
from basewatch.core.models import AssetType, Movement, Observation, Site


def index(request):
    """The map: every site's posture at a date, movements before it; the state is in the URL."""
    today = timezone.now().date()
    earliest = Observation.objects.published().aggregate(first=Min("observed"))["first"] or today
    operators = _countries(Site.objects.values_list("operator", flat=True))
    host_countries = _countries(Site.objects.values_list("host_country", flat=True))
    _, tile_url, tile_options = settings.LEAFLET_CONFIG["TILES"][0]
    config = {
        "sitesUrl": reverse("api:site-list"),
        "movementsUrl": reverse("api:movement-list"),
        "siteUrl": reverse("front:site", args=["__slug__"]),
        "earliest": earliest.isoformat(),
        "today": today.isoformat(),
        "center": settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
        "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
        "tiles": {"url": tile_url, "attribution": tile_options["attribution"]},
        "operators": [{"code": code, "name": name} for code, name in operators],
        "countries": dict(operators + host_countries),
        "kinds": dict(Site.Kind.choices),
        "activities": dict(Observation.Activity.choices),
    }
    context = {
        "config": config,
        "earliest": earliest,
        "today": today,
        "operators": operators,
        "host_countries": host_countries,
        "kinds": Site.Kind.choices,
        "categories": AssetType.Category.choices,
    }
    return render(request, "front/map.html", context)


def _countries(codes) -> list[tuple[str, str]]:
    """(code, name) for each distinct country code, by name."""
    return sorted({(code, countries.name(code)) for code in codes.distinct()}, key=lambda pair: pair[1])


def site(request, slug: str):
    """One site: its details, current posture, counts over time and movements."""
    today = timezone.now().date()
    site = get_object_or_404(Site.objects.with_posture(today), slug=slug)
    movements = (
        Movement.objects.published()
        .filter(Q(origin=site) | Q(destination=site))
        .select_related("origin", "destination", "asset_type", "asset")
    )
    context = {"site": site, "today": today, "series": site.counts_over_time(), "movements": movements}
    return render(request, "front/site.html", context)


def observations(request):
    """Published observations: searchable, filterable, paginated, with a CSV of the filter."""
    published = (
        Observation.objects.published().select_related("site", "asset_type", "asset").prefetch_related("sources")
    )
    filterset = ObservationFilter(request.GET, queryset=published)
    rows = filterset.qs if filterset.is_valid() else published.none()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    csv_query = request.GET.copy()
    csv_query.pop("page", None)
    csv_query["format"] = "csv"
    context = {
        "filterset": filterset,
        "page": page,
        "sites": Site.objects.only("slug", "name"),
        "asset_types": AssetType.objects.only("slug", "name"),
        "categories": AssetType.Category.choices,
        "activities": Observation.Activity.choices,
        "csv_url": reverse("api:observation-list") + "?" + csv_query.urlencode(),
        "page_query": _without_page(request),
    }
    return render(request, "front/observations.html", context)


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
