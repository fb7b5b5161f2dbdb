"""The feature collections basewatch offers over OGC API - Features: sites, observations, movements.

Each says which rows a user may read (the REST API's rule: core's published claims for
the public, api.views.claims.visible_claims), how `bbox` and `datetime` narrow them, in
which stable order they are paged, and how one row reads as a GeoJSON feature. Every
coordinate is lon/lat (CRS84), as stored.

- sites: every site, with its posture summary as of the `datetime` day (an instant; default
  today), read by core.posture through SiteQuerySet.with_posture like every other face.
- observations: published claims at the site's point, `datetime` over the observed day.
- movements: origin → destination LineStrings, `datetime` over the journey (departed to
  arrived, either alone for a one-ended journey), as the REST API's `from`/`to` read it.

Property filters: each collection's queryables are some of its features' properties, taken
as query parameters on items and read by the lists' own FilterSets (core.filters), so the
OGC API, the REST API and the pages accept, refuse and select alike. Observations and
movements add their dates and counts (CQL2 compares those), as filters of a FilterSet
extending the list's. A CQL2 `filter` (cql.py) compares the same queryables, each read from
its filter, and `geometry`.

Paging is by keyset cursor (api.pagination.keyset_page), as the REST API's observations
are: each collection has a stable order, its `order_key` then the id, and a page starts
after the last row of the one before, so a deep page costs what the first does.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import django_filters as filters
from django import forms
from django.contrib.gis.db.models import Extent
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from basewatch.api.csv_export import sources_text
from basewatch.api.pagination import KeysetPage, keyset_page
from basewatch.api.views.claims import visible_claims
from basewatch.core.filters import BBoxFilter, MovementFilter, ObservationFilter, SiteFilter
from basewatch.core.models import Movement, Observation, Site
from basewatch.core.posture import SUMMARY_FIELDS, PostureOptions, entry_text
from basewatch.ogc import cql
from basewatch.ogc.params import CRS84, BadParameter, Interval, ItemsQuery

WORLD = [-180.0, -90.0, 180.0, 90.0]
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


class NotFound(Exception):
    pass


def _point(location) -> dict:
    return {"type": "Point", "coordinates": [location.x, location.y]}


def _moment(day: dt.date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00Z" if day else None


def _spatial(box) -> dict:
    return {"bbox": [list(box) if box else WORLD], "crs": CRS84}


class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class ObservationQueryables(ObservationFilter):
    """The observation list's filters, and the day observed and the count, which CQL2 compares."""

    observed = filters.DateFilter(help_text="Observed on this day (YYYY-MM-DD).")
    count = IntegerFilter(help_text="Best estimate of how many.")


class MovementQueryables(MovementFilter):
    """The movement list's filters, and the dates and counts, which CQL2 compares."""

    departed = filters.DateFilter(help_text="Departed on this day (YYYY-MM-DD).")
    arrived = filters.DateFilter(help_text="Arrived on this day (YYYY-MM-DD).")
    count = IntegerFilter(help_text="How many assets moved on each trip.")
    trips = IntegerFilter(help_text="How many flights or voyages the movement stands for.")


class Collection:
    id: str
    title: str
    description: str
    geometry_type: str
    bbox_field: str
    filterset_class: type
    # The property filters: query parameter (a feature property of the same name) → what it selects.
    queryables: dict[str, str]
    # The paging order: this attribute of a row, then its id, descending (newest first) or not.
    order_key: str
    order_key_type: type = dt.date
    descending: bool = True

    def rows(self, user) -> QuerySet:
        """Every row `user` may read."""
        raise NotImplementedError

    @cached_property
    def filterables(self) -> dict[str, cql.Queryable]:
        """The queryables as CQL2 compares them: each read from its property filter."""
        return {name: cql.Queryable.of(self.filterset_class.base_filters[name]) for name in self.queryables}

    def narrowed(self, rows: QuerySet, query: ItemsQuery) -> QuerySet:
        if query.properties:
            found = self.filterset_class(query.properties, queryset=rows)
            if not found.is_valid():
                name, errors = next(iter(found.errors.items()))
                raise BadParameter(name, " ".join(errors))
            rows = found.qs
        if query.bbox is not None:
            rows = BBoxFilter(field_name=self.bbox_field).filter(rows, query.bbox)
        if query.datetime is not None:
            rows = self.during(rows, query.datetime)
        if query.filter is not None:
            try:
                rows = rows.filter(cql.condition(query.filter, self.filterables, self.bbox_field))
            except cql.InvalidFilter as error:
                raise BadParameter("filter", str(error)) from None
        return rows

    def during(self, rows: QuerySet, interval: Interval) -> QuerySet:
        raise NotImplementedError

    def page(self, rows: QuerySet, query: ItemsQuery) -> KeysetPage:
        return keyset_page(rows, self.order_key, query.limit, query.cursor, self.descending)

    def get(self, user, feature_id: str, query: ItemsQuery):
        raise NotImplementedError

    def feature(self, row, query: ItemsQuery) -> dict:
        raise NotImplementedError

    def extent(self, user) -> dict:
        raise NotImplementedError

    def queryable_schema(self, name: str) -> dict:
        """A queryable as JSON Schema: its type, and its values when the filter has a fixed list."""
        return {"title": name, "description": self.queryables[name], **self.filterables[name].schema()}

    def geometry_schema(self) -> dict:
        """The spatial queryable, as OGC API - Features Part 3 describes one."""
        return {
            "title": cql.GEOMETRY,
            "description": "The feature's geometry, compared by S_INTERSECTS in longitude/latitude (CRS84).",
            "format": f"geometry-{self.geometry_type.lower()}",
            "x-ogc-role": "primary-geometry",
        }


class Sites(Collection):
    id = "sites"
    title = "Sites"
    description = (
        "Foreign military sites, each with its posture summary (total and its label, counted, uncounted, "
        "absent, stale, leaving and transient asset types) as of the `datetime` day: one date or instant, "
        "default today."
    )
    geometry_type = "Point"
    bbox_field = "location"
    filterset_class = SiteFilter
    queryables = {
        "operator": "Operating country, ISO 3166-1 alpha-2.",
        "host_country": "Host country, ISO 3166-1 alpha-2.",
        "kind": "Kind of site.",
    }
    order_key = "slug"
    order_key_type = str
    descending = False

    def rows(self, user) -> QuerySet:
        return Site.objects.all()

    def during(self, rows: QuerySet, interval: Interval) -> QuerySet:
        if not interval.instant:
            raise BadParameter("datetime", "Sites take one date or instant: the day their posture is read on.")
        return rows  # every site has a posture on any day, if only "nothing known"

    def options(self, query: ItemsQuery) -> PostureOptions:
        return PostureOptions(as_of=query.datetime.start if query.datetime else timezone.now().date())

    def page(self, rows: QuerySet, query: ItemsQuery) -> KeysetPage:
        return super().page(rows.with_posture(self.options(query)), query)

    def get(self, user, feature_id: str, query: ItemsQuery) -> Site:
        if query.datetime is not None:
            self.during(Site.objects.none(), query.datetime)
        site = Site.objects.with_posture(self.options(query)).filter(slug=feature_id).first()
        if site is None:
            raise NotFound(f"No site `{feature_id}`.")
        return site

    def feature(self, site: Site, query: ItemsQuery) -> dict:
        state = site.posture_state
        properties = {
            "slug": site.slug,
            "name": site.name,
            "aliases": "; ".join(site.aliases),
            "kind": site.kind,
            "operator": site.operator.code,
            "host_country": site.host_country.code,
            "status": site.status,
            "location_precision": site.location_precision,
            "as_of": self.options(query).as_of.isoformat(),
            **{name: state[name] for name in SUMMARY_FIELDS},
            "posture": "; ".join(entry_text(entry) for entry in state["posture"]),
        }
        return {"type": "Feature", "id": site.slug, "geometry": _point(site.location), "properties": properties}

    def extent(self, user) -> dict:
        return {"spatial": _spatial(Site.objects.aggregate(box=Extent("location"))["box"])}


def _claim_properties(claim) -> dict:
    return {
        "asset_type": claim.asset_type.slug,
        "asset_type_name": claim.asset_type.name,
        "asset": claim.asset.registration if claim.asset else None,
        "count": claim.count,
        "state": claim.state,
        "sources": sources_text(claim),
        "source_count": len(claim.sources.all()),
        "notes": claim.notes,
    }


def _claim(rows: QuerySet, feature_id: str, label: str):
    claim = None
    if feature_id.isascii() and feature_id.isdigit() and len(feature_id) <= 18:  # within bigint
        claim = rows.filter(pk=int(feature_id)).first()
    if claim is None:
        raise NotFound(f"No {label} `{feature_id}` you may read.")
    return claim


class Observations(Collection):
    id = "observations"
    title = "Observations"
    description = (
        "Sourced observations of assets at a site (at the site's point): asset type, count, activity, the day "
        "observed and the sources' summary. `datetime` selects by the day observed."
    )
    geometry_type = "Point"
    bbox_field = "site__location"
    filterset_class = ObservationQueryables
    queryables = {
        "site": "The site's slug.",
        "asset_type": "The asset type's slug.",
        "activity": "What the assets were seen doing.",
        "asset": "The asset: registration (RA-76845), ICAO hex (152C2D), MMSI, IMO or id.",
        "observed": "The day observed (for week or month precision, its first day).",
        "count": "Best estimate of how many; none when only presence is known.",
    }
    order_key = "observed"

    def rows(self, user) -> QuerySet:
        return visible_claims(Observation, user)

    def during(self, rows: QuerySet, interval: Interval) -> QuerySet:
        if interval.start:
            rows = rows.filter(observed__gte=interval.start)
        if interval.end:
            rows = rows.filter(observed__lte=interval.end)
        return rows

    def get(self, user, feature_id: str, query: ItemsQuery) -> Observation:
        return _claim(self.rows(user), feature_id, "observation")

    def feature(self, observation: Observation, query: ItemsQuery) -> dict:
        properties = {
            "site": observation.site.slug,
            "site_name": observation.site.name,
            "observed": observation.observed.isoformat(),
            "observed_precision": observation.observed_precision,
            **_claim_properties(observation),
            "count_low": observation.count_low,
            "count_high": observation.count_high,
            "activity": observation.activity,
            "presence": observation.presence,
            "credibility": observation.credibility,
        }
        geometry = _point(observation.site.location)
        return {"type": "Feature", "id": observation.pk, "geometry": geometry, "properties": properties}

    def extent(self, user) -> dict:
        found = (
            self.rows(user)
            .order_by()
            .aggregate(box=Extent("site__location"), first=Min("observed"), last=Max("observed"))
        )
        interval = [_moment(found["first"]), _moment(found["last"])]
        return {"spatial": _spatial(found["box"]), "temporal": {"interval": [interval], "trs": GREGORIAN}}


class Movements(Collection):
    id = "movements"
    title = "Movements"
    description = (
        "Sourced movements of assets from one site to another, as LineStrings from origin to destination. "
        "`datetime` (an instant or interval) selects the journeys overlapping it, from departure to arrival."
    )
    geometry_type = "LineString"
    bbox_field = "line"
    filterset_class = MovementQueryables
    queryables = {
        "origin": "The origin site's slug.",
        "destination": "The destination site's slug.",
        "asset_type": "The asset type's slug.",
        "asset": "The asset: registration (RA-76845), ICAO hex (152C2D), MMSI, IMO or id.",
        "departed": "The day of departure, if known.",
        "arrived": "The day of arrival, if known.",
        "count": "How many assets moved on each trip, if known.",
        "trips": "How many flights or voyages the movement stands for, when more than one.",
    }
    # The journey's first known day: its departure, else its arrival (a movement has one or both).
    order_key = "journey_start"

    def rows(self, user) -> QuerySet:
        return visible_claims(Movement, user)

    def during(self, rows: QuerySet, interval: Interval) -> QuerySet:
        if interval.start:
            rows = rows.filter(journey_end__gte=interval.start)
        if interval.end:
            rows = rows.filter(journey_start__lte=interval.end)
        return rows

    def get(self, user, feature_id: str, query: ItemsQuery) -> Movement:
        return _claim(self.rows(user), feature_id, "movement")

    def feature(self, movement: Movement, query: ItemsQuery) -> dict:
        properties = {
            "origin": movement.origin.slug,
            "origin_name": movement.origin.name,
            "destination": movement.destination.slug,
            "destination_name": movement.destination.name,
            "departed": movement.departed.isoformat() if movement.departed else None,
            "arrived": movement.arrived.isoformat() if movement.arrived else None,
            **_claim_properties(movement),
            "trips": movement.trips,
        }
        geometry = {"type": "LineString", "coordinates": [list(point) for point in movement.line.coords]}
        return {"type": "Feature", "id": movement.pk, "geometry": geometry, "properties": properties}

    def extent(self, user) -> dict:
        found = (
            self.rows(user)
            .order_by()
            .aggregate(box=Extent("line"), first=Min("journey_start"), last=Max("journey_end"))
        )
        interval = [_moment(found["first"]), _moment(found["last"])]
        return {"spatial": _spatial(found["box"]), "temporal": {"interval": [interval], "trs": GREGORIAN}}


COLLECTIONS: dict[str, Collection] = {c.id: c for c in (Sites(), Observations(), Movements())}


def collection(collection_id: str) -> Collection:
    try:
        return COLLECTIONS[collection_id]
    except KeyError:
        raise NotFound(f"No collection `{collection_id}`: see /ogc/collections.") from None
