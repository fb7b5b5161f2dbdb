"""Public HTML pages."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote_plus, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django_countries import countries

from basewatch.core import tracks
from basewatch.core.filters import AssetFilter, MovementFilter, ObservationFilter, SiteFilter, parse_posture_options
from basewatch.core.models import (
    Asset,
    AssetType,
    EvidenceImage,
    Movement,
    Observation,
    PostureSpan,
    PostureStatus,
    Site,
    Source,
    Trend,
)
from basewatch.core.posture import observation_days
from basewatch.front.images import gallery
from basewatch.lib.dates import EARLIEST_DATE, parse_day
from basewatch.lib.tiles import map_tiles


def index(request):
    """The map: every site's posture at a date, movements before it; the state is in the URL."""
    today = timezone.now().date()
    observed = observation_days()
    moved = Movement.objects.published().order_by().values_list("departed", "arrived").distinct()
    # The days the published data says something on: the time slider stops at these (and
    # today), so the weeks a story is told over are not squeezed against years of no change.
    dates = sorted({*observed, *(day for pair in moved for day in pair if day)})
    earliest = observed[0] if observed else today
    # The map opens on the newest data, so recent movements show too; the posture
    # there is the same as today's, since nothing newer is known.
    latest = dates[-1] if dates else today
    operators = _countries(Site.objects.values_list("operator", flat=True))
    host_countries = _countries(Site.objects.values_list("host_country", flat=True))
    config = {
        "sitesUrl": reverse("api:site-list"),
        "siteApiUrl": reverse("api:site-detail", args=["__slug__"]),
        "siteTableUrl": reverse("api:site-table"),
        "siteStepsUrl": reverse("api:site-steps"),
        "movementsUrl": reverse("api:movement-list"),
        "siteUrl": reverse("front:site", args=["__slug__"]),
        "assetsUrl": reverse("api:asset-list"),
        "earliest": earliest.isoformat(),
        "firstAllowed": EARLIEST_DATE.isoformat(),
        "today": today.isoformat(),
        "latest": latest.isoformat(),
        "dates": [day.isoformat() for day in dates],
        "center": settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
        "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
        "maxZoom": settings.LEAFLET_CONFIG["MAX_ZOOM"],
        "tiles": map_tiles(),
        "operators": [{"code": code, "name": name} for code, name in operators],
        "countries": dict(operators + host_countries),
        "kinds": dict(Site.Kind.choices),
        "activities": dict(Observation.Activity.choices),
        # Movement popups name the type of what moved when no single asset is known.
        "assetTypes": dict(AssetType.objects.values_list("slug", "name")),
        "reliability": dict(Source.Reliability.choices),
    }
    context = {
        "config": config,
        "preload": first_load_urls(request.GET, config),
        "operators": operators,
        "host_countries": host_countries,
        "kinds": Site.Kind.choices,
        "categories": AssetType.Category.choices,
        "periods": [(value, label) for value, (_, label) in MAP_PERIODS.items()],
    }
    return render(request, "front/map.html", context)


# The periods of movements the map offers, by their value in its `period` select; the first
# (30 days) is the default and has no value. map.js reads the choices from the select and takes
# any other `period` in the address as the default, as first_load_urls does.
MAP_PERIODS = {"": (30, "Last 30 days"), "90": (90, "Last 90 days"), "365": (365, "Last year")}

# The map's filters, as static/js/map.js sends them to the site table and to the movements.
_SITE_FILTERS = ("operator", "host_country", "kind", "category", "q")
_MOVEMENT_FILTERS = ("operator", "host_country", "kind", "category")


def first_load_urls(query, config: dict) -> list[str]:
    """The site table's and the movements' first pages that static/js/map.js will ask for on
    opening at `query` (the page's own query string), so the page can ask for them at once,
    while its scripts load. map.js builds these URLs itself (readState, apiParams,
    movementParams); a browser test checks that each is asked for once."""
    day = map_day(query, config)
    days, _ = MAP_PERIODS.get(query.get("period", ""), MAP_PERIODS[""])
    first = parse_day(day) - dt.timedelta(days=days - 1)
    sites = [("as_of", day), ("page_size", "10000")]
    sites += [(name, query[name]) for name in _SITE_FILTERS if query.get(name)]
    movements = [("from", first.isoformat()), ("to", day), ("page_size", "1000")]
    movements += [(name, query[name]) for name in _MOVEMENT_FILTERS if query.get(name)]
    if query.get("q"):
        movements.append(("site_q", query["q"]))
    return [
        config["siteTableUrl"] + "?" + _form_encoded(sites),
        config["movementsUrl"] + "?" + _form_encoded(movements),
    ]


def map_day(query, config: dict) -> str:
    """The day the map opens on at `query` (static/js/map.js readState reads it alike): the
    address's `as_of` (or `date`, its older name), a later one read as today; the newest data's
    day where there is none or it is not a day the map takes (not YYYY-MM-DD, before EARLIEST_DATE)."""
    asked = query.get("as_of") or query.get("date")
    try:
        if parse_day(asked or "") < EARLIEST_DATE:
            return config["latest"]
    except ValueError:
        return config["latest"]
    return min(asked, config["today"])


def _form_encoded(pairs) -> str:
    """`pairs` as a browser's URLSearchParams writes them (the WHATWG urlencoded serializer:
    `*-._` and alphanumerics kept, a space as `+`), which Python's urlencode differs from on `~` and `*`."""
    return "&".join(f"{_form_part(name)}={_form_part(value)}" for name, value in pairs)


def _form_part(text: str) -> str:
    return quote_plus(text, safe="*").replace("~", "%7E")


def _countries(codes) -> list[tuple[str, str]]:
    """(code, name) for each distinct country code, by name."""
    # order_by(): the model's ordering (by name) would make DISTINCT return every site.
    return sorted({(code, countries.name(code)) for code in codes.order_by().distinct()}, key=lambda pair: pair[1])


def sites(request):
    """Every site with its posture summary on a date (today by default), by name: the map's sites
    as a list, for a phone, a screen reader or a search, with the sites list's filters and files."""
    filterset = SiteFilter(request.GET, queryset=Site.objects.all())
    if filterset.is_valid():
        options = filterset.posture_options()
        rows = filterset.qs.with_posture(options, entries=False).order_by(Lower("name"), "pk")
    else:  # the page names the filter at fault and lists nothing
        options, rows = parse_posture_options(QueryDict()), Site.objects.none()
    context = {
        "filterset": filterset,
        "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        "page_query": _without_page(request),
        "as_of": options.as_of,
        "date_typed": request.GET.get("as_of") or options.as_of.isoformat(),
        "operators": _countries(Site.objects.values_list("operator", flat=True)),
        "host_countries": _countries(Site.objects.values_list("host_country", flat=True)),
        "kinds": Site.Kind.choices,
        "categories": AssetType.Category.choices,
        "downloads": _download_urls(request, "api:site-list"),
    }
    return render(request, "front/sites.html", context, status=_list_status(context))


def site(request, slug: str):
    """One site: its details, posture on a date (`as_of`, or `date` as the map's links had it; today
    by default), small map, chart of counts over time, observations, movements."""
    query = request.GET.copy()
    if "date" in query and "as_of" not in query:
        query["as_of"] = query["date"]
    # A date the page does not take is said beside its date box, on the page as of today (a 400):
    # a bare error page lost the site and the way back to it.
    refused = {}
    try:
        options = parse_posture_options(query)
    except ValidationError as error:
        refused = error.message_dict
        options = parse_posture_options(QueryDict())
    site = get_object_or_404(Site.objects.with_posture(options), slug=slug)
    published = Observation.objects.published().filter(site=site)
    series = site.counts_over_time()
    # Every chart point is one of these rows: their sources are read once, here.
    observations = list(
        published.with_counted().select_related("asset_type", "asset").prefetch_related("sources__captures")
    )
    movements = (
        Movement.objects.published()
        .filter(Q(origin=site) | Q(destination=site))
        .select_related("origin", "destination", "asset_type", "asset")
        .prefetch_related("sources__captures")
    )
    today = timezone.now().date()
    start, end = _chart_span(series, options.as_of, today)
    chart = {
        "today": today.isoformat(),
        "as_of": options.as_of.isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "series": [
            {
                "label": asset_type.name,
                "presence": presence,
                "fresh_days": asset_type.fresh_days,
                "points": [_chart_point(point) for point in points],
            }
            for (asset_type, presence), points in series
        ],
        "observations": {observation.pk: _observation_detail(observation) for observation in observations},
        "location": [site.location.x, site.location.y],
        "footprint": json.loads(site.footprint.geojson) if site.footprint else None,
        "tiles": map_tiles(),
    }
    posture = site.posture_state
    context = {
        "site": site,
        "observations_kml_url": reverse("api:observation-list") + "?" + urlencode({"site": site.slug, "format": "kml"}),
        "as_of": options.as_of,
        "today": today,
        "posture": posture,
        "based": [entry for entry in posture["posture"] if entry["presence"] == Observation.Presence.BASED],
        "transient": [entry for entry in posture["posture"] if entry["presence"] == Observation.Presence.TRANSIENT],
        "map_url": _map_url(site, options.as_of),
        "observations": observations,
        "movements": movements,
        "chart": chart,
        "chart_key": _chart_key(chart["series"], end),
        # The site page shows published work only, so its images are the public ones.
        "gallery": gallery(EvidenceImage.objects.public().of_site(site)),
        "capture_states": True,  # each source says whether, and when, it was archived
        "refused": [(name, " ".join(messages)) for name, messages in refused.items()],
        # The date box keeps a refused date as typed, to be mended.
        "date_typed": query.get("as_of", "") if "as_of" in refused else options.as_of.isoformat(),
    }
    return render(request, "front/site.html", context, status=400 if refused else 200)


def _map_url(site: Site, as_of) -> str:
    """The map at this site and date."""
    query = urlencode(
        {"as_of": as_of.isoformat(), "lat": f"{site.location.y:.4f}", "lng": f"{site.location.x:.4f}", "z": 9}
    )
    return f"{reverse('front:index')}?{query}"


def _chart_point(point: PostureSpan) -> dict:
    return {
        "date": point.observed.isoformat(),
        "precision": point.observed_precision,
        "status": point.status,
        "trend": point.trend,
        "count": point.counted,
        "low": point.count_low,
        "high": point.count_high,
        "activity": point.get_activity_display(),
        "id": point.pk,
    }


def _observation_detail(observation: Observation) -> dict:
    return {
        "date": observation.observed.isoformat(),
        "precision": observation.observed_precision,
        "activity": observation.get_activity_display(),
        "count": observation.counted,
        "credibility": observation.get_credibility_display(),
        "notes": observation.notes,
        "sources": [
            {
                "title": source.title,
                "publisher": source.publisher,
                "url": source.url,
                "archive_url": source.archive_url,
                "published": source.published.isoformat() if source.published else None,
                "reliability": source.get_reliability_display(),
            }
            for source in observation.sources.all()
        ],
    }


def _chart_span(series, as_of: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """The chart's time axis: the observations, with some room after the last (up to today) so a
    story told over weeks is not squeezed against years of "no change since"; and always the
    posture date, which the chart marks."""
    if not series:
        return as_of, as_of
    dates = [point.observed for _, points in series for point in points]
    first, last = min(dates), max(dates)
    end = max(as_of, min(today, last + dt.timedelta(days=max(14, round((last - first).days * 0.3)))))
    start = min(first, as_of)
    return start - dt.timedelta(days=max(3, round((end - start).days * 0.05))), end


def _chart_key(series: list[dict], end: dt.date) -> dict:
    """What the chart draws (static/js/site.js), so that the explanation under it names only that."""
    points = [point for one in series for point in one["points"]]
    counted = [one for one in series if _has(one["points"], PostureStatus.COUNTED)]
    return {
        "counted": bool(counted),
        "total": any(one["presence"] == Observation.Presence.BASED for one in counted),
        # A series without counts, or with stretches of unknown count, has a row of its own.
        "lanes": any(one not in counted or _has(one["points"], PostureStatus.UNCOUNTED) for one in series),
        "absent": _has(points, PostureStatus.ABSENT),
        "ranges": any(point["low"] is not None or point["high"] is not None for point in points),
        "transient": any(one["presence"] == Observation.Presence.TRANSIENT for one in series),
        "leaving": any(point["trend"] == Trend.LEAVING for point in points),
        "arriving": any(point["trend"] == Trend.ARRIVING for point in points),
        "stale": any(_has_stale_stretch(one, end) for one in series),
    }


def _has(points: list[dict], status: str) -> bool:
    return any(point["status"] == status for point in points)


def _has_stale_stretch(series: dict, end: dt.date) -> bool:
    """Whether a point of the series is still the latest word on a day it is stale (core.posture:
    more than its type's fresh_days old): the day before the next point, or the axis's last day."""
    dates = [dt.date.fromisoformat(point["date"]) for point in series["points"]]
    last_days = [later - dt.timedelta(days=1) for later in dates[1:]] + [end]
    fresh = dt.timedelta(days=series["fresh_days"])
    return any(last - observed > fresh for observed, last in zip(dates, last_days, strict=True))


def observations(request):
    """Published observations: searchable, filterable, paginated, with a CSV of the filter."""
    published = (
        Observation.objects.published().select_related("site", "asset_type", "asset").prefetch_related("sources")
    )
    context = {
        **_filtered_page(request, ObservationFilter, published),
        "sites": Site.objects.only("slug", "name"),
        "asset_types": AssetType.objects.only("slug", "name"),
        "categories": AssetType.Category.choices,
        "activities": Observation.Activity.choices,
        "downloads": _download_urls(request, "api:observation-list"),
    }
    return render(request, "front/observations.html", context, status=_list_status(context))


def movements(request):
    """Published movements: filterable by asset, type, operator, ends and dates, paginated, with a CSV."""
    published = Movement.objects.published().with_journey().with_details()
    context = {
        **_filtered_page(request, MovementFilter, published),
        "sites": Site.objects.only("slug", "name"),
        "asset_types": AssetType.objects.only("slug", "name"),
        "operators": _countries(Site.objects.values_list("operator", flat=True)),
        "downloads": _download_urls(request, "api:movement-list"),
    }
    return render(request, "front/movements.html", context, status=_list_status(context))


def _list_status(context: dict) -> int:
    """A list page whose filters are not valid lists nothing and names them: a 400."""
    return 400 if context["filterset"].errors else 200


def _filtered_page(request, filterset_class, rows, order_by: tuple = ()) -> dict:
    """A list page's filters (a bad one lists nothing, and the page names it) and its page of 50 rows."""
    filterset = filterset_class(request.GET, queryset=rows)
    rows = filterset.qs if filterset.is_valid() else rows.none()
    if order_by:
        rows = rows.order_by(*order_by)
    return {
        "filterset": filterset,
        "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        "page_query": _without_page(request),
    }


DOWNLOADS = (("CSV", "csv"), ("XLSX", "xlsx"), ("KML", "kml"), ("KMZ", "kmz"), ("GeoPackage", "gpkg"))


def _download_urls(request, api_list: str) -> list[tuple[str, str]]:
    """The API list `api_list` as files (CSV, XLSX, KML, KMZ, GeoPackage), with this page's filters."""
    query = request.GET.copy()
    query.pop("page", None)
    urls = []
    for label, extension in DOWNLOADS:
        query["format"] = extension
        urls.append((label, reverse(api_list) + "?" + query.urlencode()))
    return urls


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def assets(request):
    """Identified airframes and vessels: searchable, filterable by type, operator and when last seen."""
    shown = Asset.objects.visible_to(request.user).select_related("asset_type").with_sightings()
    last_seen_first = (F("last_seen").desc(nulls_last=True), "registration", "name", "pk")
    context = {
        **_filtered_page(request, AssetFilter, shown, last_seen_first),
        "asset_types": AssetType.objects.filter(assets__isnull=False).distinct().only("slug", "name"),
        "categories": AssetType.Category.choices,
    }
    return render(request, "front/assets.html", context, status=_list_status(context))


def asset(request, key: str):
    """One identified asset (by registration, ICAO hex or id): what it is, and every published
    sighting and movement of it in date order, with their sources."""
    found = Asset.objects.visible_to(request.user).named(key).select_related("asset_type").first()
    if found is None:
        raise Http404("No asset has this registration, ICAO address or id.")
    claims = tracks.timeline(found)
    context = {
        "asset": found,
        "config": {
            "assetKey": found.key,
            "assetsUrl": reverse("api:asset-list"),
            "tiles": map_tiles(),
            "assetTypes": {found.asset_type.slug: found.asset_type.name},
            "reliability": dict(Source.Reliability.choices),
        },
        "timeline": [(tracks.seen_on(claim), claim) for claim in claims],
        "first_seen": tracks.seen_on(claims[0]) if claims else None,
        "last_seen": tracks.seen_on(claims[-1]) if claims else None,
    }
    return render(request, "front/asset.html", context)
