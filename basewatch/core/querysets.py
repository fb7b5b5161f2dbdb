"""Query logic. Posture (core.posture has its rules) is computed in PostgreSQL: the methods
reading it are each one SQL query whatever the number of sites or rows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import Distance
from django.db import models
from django.db.models import Case, Exists, F, Func, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Least, Lower, Replace
from django.utils import timezone

from basewatch.core.expressions import ArrayToString, Counted, DateRangeOf, MakeLine
from basewatch.core.workflow import State

if TYPE_CHECKING:
    from django.contrib.gis.geos import Point

    from basewatch.core.posture import PostureOptions


def _bare(text) -> Func:
    """The text in lower case with everything but letters and digits taken out ("Il-76" → "il76")."""
    return Func(Lower(text), Value("[^a-z0-9]"), Value(""), Value("g"), function="regexp_replace")


def _words(*parts) -> Concat:
    """Text fields (and arrays of them) as one space-separated text to search in."""
    spaced = [item for part in parts for item in (part, Value(" "))][:-1]
    return Concat(*spaced, output_field=models.TextField())


class ClaimQuerySet(models.QuerySet):
    """What observations and movements share: who may see them, and search."""

    # The site foreign keys of the claim, searched by the site's names.
    site_fields: tuple[str, ...] = ()

    def published(self):
        """Claims the public may see."""
        return self.filter(state=State.PUBLISHED)

    def visible_to(self, user):
        """Claims `user` may read: every state for viewers and up, published ones for anyone else."""
        from basewatch.core.roles import can_view_unpublished

        return self if can_view_unpublished(user) else self.published()

    def search(self, text: str):
        """Claims whose notes, site (names and aliases, any script), asset type, asset (registration,
        ICAO hex, hull number, MMSI, IMO, names and aliases) or a source (title, publisher) contain
        `text`, ignoring case and accents."""
        from basewatch.core.models import Asset, AssetType, Site, Source

        text = text.strip()
        sites = Site.objects.search(text).values("pk")
        match = (
            Q(notes__unaccent__icontains=text)
            | Q(asset_type__in=AssetType.objects.search(text).values("pk"))
            | Q(asset__in=Asset.objects.search(text).values("pk"))
        )
        for field in self.site_fields:
            match |= Q(**{f"{field}__in": sites})
        links = self.model.sources.through.objects
        cited = links.filter(**{self.model._meta.model_name: OuterRef("pk")}, source__in=Source.objects.search(text))
        return self.filter(match | Q(Exists(cited)))


class ObservationQuerySet(ClaimQuerySet):
    site_fields = ("site",)

    def with_details(self) -> ObservationQuerySet:
        """With what a claim is shown with (site, type, asset, people, sources), in two queries for any number."""
        related = ("site", "asset_type", "asset", "entered_by", "reviewed_by")
        return self.select_related(*related).prefetch_related("sources")

    def with_counted(self) -> ObservationQuerySet:
        """Annotate `counted`: what the observation counts in posture (0 for absent; NULL when unknown)."""
        return self.annotate(counted=Counted())

    def same_claim(self, observation, sources) -> ObservationQuerySet:
        """Live (not rejected or retracted) observations of the same site, asset type and date
        as `observation` that cite one of `sources`."""
        return (
            self.filter(site=observation.site_id, asset_type=observation.asset_type_id, observed=observation.observed)
            .filter(sources__in=sources)
            .exclude(state__in=[State.REJECTED, State.RETRACTED])
            .exclude(pk=observation.pk)
            .order_by("pk")
            .distinct()
        )


# The site's id in the ORM's queries of sites, for the posture SQL to correlate with.
_SITE_ID = '"core_site"."id"'


class SiteQuerySet(models.QuerySet):
    def search(self, text: str) -> SiteQuerySet:
        """Sites whose name, slug or an alias contains `text`, ignoring case and accents."""
        words = _words(F("name"), F("slug"), ArrayToString(F("aliases")))
        return self.alias(search_words=words).filter(search_words__unaccent__icontains=text.strip())

    def within_reach(self, point: Point, reach_m: Mapping[str, float]) -> SiteQuerySet:
        """Sites `point` is at: inside the footprint, or within `reach_m[precision]` metres (on the
        spheroid) of the location; annotated `distance_m` (0 inside the footprint), nearest first."""
        reach = Case(
            *(When(location_precision=precision, then=Value(float(metres))) for precision, metres in reach_m.items()),
            default=Value(0.0),
            output_field=models.FloatField(),
        )
        inside = Q(footprint__covers=point)
        distance = Distance("geography", point)
        return (
            self.alias(geography=Cast("location", PointField(geography=True, srid=4326)))
            .filter(inside | Q(geography__dwithin=(point, reach)))
            .annotate(
                distance_m=Case(When(inside, then=Value(0.0)), default=distance, output_field=models.FloatField())
            )
            .order_by("distance_m", "pk")
        )

    def holding(self, options: PostureOptions) -> SiteQuerySet:
        """Sites whose posture (core.posture, read with `options`) holds something: an entry not absent."""
        from basewatch.core.posture import holding_sql, positional

        sql, params = positional(holding_sql(_SITE_ID), options.params())
        holds = RawSQL(sql, params, output_field=models.BooleanField())  # noqa: S611 (constant SQL, parameters)
        return self.alias(holds=holds).filter(holds=True)

    def with_posture(self, options: PostureOptions, *, entries: bool = True) -> SiteQuerySet:
        """Annotate `posture_state`: the site's posture summary (core.posture.SUMMARY_FIELDS) read with
        `options` and, with `entries`, its entries (`posture`), as one dict per site, in the same query."""
        from basewatch.core.posture import positional, site_posture_sql

        posture = site_posture_sql(_SITE_ID, entries=entries)
        # The entries come as JSON text (core.posture): read them as JSON in the dict.
        document = "to_jsonb(site_posture)"
        if entries:
            document += " || jsonb_build_object('posture', site_posture.posture::jsonb)"
        statement = f"(SELECT {document} FROM ({posture}) AS site_posture)"  # noqa: S608 (constant SQL)
        sql, params = positional(statement, options.params())
        state = RawSQL(sql, params, output_field=models.JSONField())  # noqa: S611 (constant SQL, parameters)
        return self.annotate(posture_state=state)


class PosturePointQuerySet(models.QuerySet):
    def series(self) -> PosturePointQuerySet:
        """Counts over time: the points (or the spans, one starting at each) by asset type, presence, then date."""
        return self.order_by("asset_type_id", "presence", "observed")


class PostureSpanQuerySet(PosturePointQuerySet):
    def holding(self, day: dt.date) -> PostureSpanQuerySet:
        """The spans holding `day` (each site's latest word on each asset type and presence)."""
        return self.alias(days=DateRangeOf("observed", "until")).filter(days__contains=day)


class MovementQuerySet(ClaimQuerySet):
    site_fields = ("origin", "destination")

    def with_details(self) -> MovementQuerySet:
        """With what a claim is shown with (both sites, type, asset, people, sources), in two queries for any number."""
        related = ("origin", "destination", "asset_type", "asset", "entered_by", "reviewed_by")
        return self.select_related(*related).prefetch_related("sources")

    def with_journey(self) -> MovementQuerySet:
        """Annotate `line` (origin → destination) and the journey's `journey_start`/`journey_end` dates."""
        return self.annotate(
            line=MakeLine("origin__location", "destination__location"),
            journey_start=Coalesce("departed", "arrived"),
            journey_end=Coalesce("arrived", "departed"),
        )


class AssetQuerySet(models.QuerySet):
    def public(self) -> AssetQuerySet:
        """Assets the public may see: confirmed by a person (an import's guesses wait for review)."""
        return self.filter(confirmed=True)

    def visible_to(self, user) -> AssetQuerySet:
        """Assets `user` may read: all for viewers and up, confirmed ones for anyone else."""
        from basewatch.core.roles import can_view_unpublished

        return self if can_view_unpublished(user) else self.public()

    def named(self, key: str) -> AssetQuerySet:
        """The assets a readable key names, best match first: its registration, ICAO hex, MMSI or
        IMO number (any case), its id, a former registration, then its registration written
        without the dash (RA76845, as `search` and the map's search take it): last, so that it
        only adds matches and never changes what a key named before."""
        key = key.strip().upper()
        if not key:
            return self.none()
        ranks = [
            When(registration=key, then=0),
            When(icao_hex=key, then=1),
            When(Q(mmsi=key) | Q(imo=key), then=2),
            When(former_registrations__contains=[key], then=4),
            When(registration_undashed=key, then=5),
        ]
        if key.isascii() and key.isdigit() and len(key) < 19:  # "¹" and "٣" are digits too, but not ids
            ranks.insert(3, When(pk=int(key), then=3))
        rank = Case(*ranks, default=None, output_field=models.IntegerField())
        undashed = Replace(F("registration"), Value("-"), Value(""))
        return (
            self.alias(registration_undashed=undashed, key_rank=rank)
            .filter(key_rank__isnull=False)
            .order_by("key_rank", "pk")
        )

    def with_sightings(self) -> AssetQuerySet:
        """Annotate `first_seen` and `last_seen`: the dates of the asset's earliest and latest published
        claims (an observation's date; a movement's arrival, else departure, as core.tracks.seen_on)."""
        return self.annotate(first_seen=self._seen(Min), last_seen=self._seen(Max))

    def last_seen_between(self, start: dt.date | None, end: dt.date | None) -> AssetQuerySet:
        """Assets last seen (as with_sightings) within [start, end]; either end may be open."""
        seen = self.alias(seen_last=self._seen(Max))
        if start:
            seen = seen.filter(seen_last__gte=start)
        if end:
            seen = seen.filter(seen_last__lte=end)
        return seen

    @staticmethod
    def _seen(aggregate) -> Func:
        from basewatch.core.models import Movement, Observation

        def over(claims, day):
            dates = claims.published().filter(asset=OuterRef("pk")).order_by().values("asset")
            return Subquery(dates.annotate(day=aggregate(day)).values("day")[:1])

        sightings = over(Observation.objects, "observed")
        movements = over(Movement.objects, Coalesce("arrived", "departed"))
        # LEAST and GREATEST skip NULLs in PostgreSQL: an asset only seen moving has a date.
        combine = Least if aggregate is Min else Greatest
        return combine(sightings, movements, output_field=models.DateField())

    def search(self, text: str) -> AssetQuerySet:
        """Assets whose registration (with or without its dash), ICAO hex, hull number, MMSI, IMO,
        name, aliases, former registrations or operator contain `text`, ignoring case and accents."""
        words = _words(
            F("registration"),
            Replace(F("registration"), Value("-"), Value("")),
            F("icao_hex"),
            F("hull_number"),
            F("mmsi"),
            F("imo"),
            F("name"),
            ArrayToString(F("aliases")),
            ArrayToString(F("former_registrations")),
            F("operator"),
        )
        return self.alias(search_words=words).filter(search_words__unaccent__icontains=text.strip())


class AssetTypeQuerySet(models.QuerySet):
    def designated(self, designator: str) -> AssetTypeQuerySet:
        """Asset types whose slug or name is `designator` ignoring case and punctuation (an ICAO type
        designator such as IL76 names il-76 and "Il-76"), those matched by slug first."""
        key = re.sub(r"[^a-z0-9]", "", designator.lower())
        if not key:
            return self.none()
        by_slug = Q(bare_slug=key)
        return (
            self.alias(bare_slug=_bare(F("slug")), bare_name=_bare(F("name")))
            .filter(by_slug | Q(bare_name=key))
            .order_by(Case(When(by_slug, then=0), default=1), "name")
        )

    def search(self, text: str) -> AssetTypeQuerySet:
        """Asset types whose name, slug or NATO reporting name contains `text`, ignoring case and accents."""
        words = _words(F("name"), F("slug"), F("nato_name"))
        return self.alias(search_words=words).filter(search_words__unaccent__icontains=text.strip())


class SourceQuerySet(models.QuerySet):
    def search(self, text: str) -> SourceQuerySet:
        """Sources whose title or publisher contains `text`, ignoring case and accents."""
        words = _words(F("title"), F("publisher"))
        return self.alias(search_words=words).filter(search_words__unaccent__icontains=text.strip())


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        """Tokens not revoked."""
        return self.filter(revoked__isnull=True)


class LoginFailureQuerySet(models.QuerySet):
    def recent(self, username: str, address: str | None, window: dt.timedelta) -> LoginFailureQuerySet:
        """Failures for this user name, or from this address, within the last `window`."""
        since = timezone.now() - window
        who = models.Q(username=username)
        if address:
            who |= models.Q(address=address)
        return self.filter(who, created__gte=since)

    def recent_from(self, address: str, window: dt.timedelta) -> LoginFailureQuerySet:
        """Failures from this address within the last `window`."""
        return self.filter(address=address, created__gte=timezone.now() - window)
