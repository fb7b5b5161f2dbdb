"""Query logic. Posture (core.posture has its rules) is computed in PostgreSQL: the methods
reading it are each one SQL query whatever the number of sites or rows."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from basewatch.core.expressions import ArrayToString, Counted, DateRangeOf, MakeLine
from basewatch.core.workflow import State

if TYPE_CHECKING:
    from basewatch.core.posture import PostureOptions


class ObservationQuerySet(models.QuerySet):
    def published(self) -> ObservationQuerySet:
        """Observations the public may see."""
        return self.filter(state=State.PUBLISHED)

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


class PosturePointQuerySet(models.QuerySet):
    def series(self) -> PosturePointQuerySet:
        """Counts over time: the points by asset type, presence, then date."""
        return self.order_by("asset_type_id", "presence", "observed")


# The site's id in the ORM's queries of sites, for the posture SQL to correlate with.
_SITE_ID = '"core_site"."id"'


class SiteQuerySet(models.QuerySet):
    def search(self, text: str) -> SiteQuerySet:
        """Sites whose name or an alias contains `text`, ignoring case and accents."""
        names = Concat(F("name"), Value(" "), ArrayToString(F("aliases")), output_field=models.TextField())
        return self.alias(search_names=names).filter(search_names__unaccent__icontains=text)

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
        statement = f"(SELECT row_to_json(site_posture)::jsonb FROM ({posture}) AS site_posture)"  # noqa: S608 (constant SQL)
        sql, params = positional(statement, options.params())
        state = RawSQL(sql, params, output_field=models.JSONField())  # noqa: S611 (constant SQL, parameters)
        return self.annotate(posture_state=state)


class PostureSpanQuerySet(models.QuerySet):
    def holding(self, day: dt.date) -> PostureSpanQuerySet:
        """The spans holding `day` (each site's latest word on each asset type and presence)."""
        return self.alias(days=DateRangeOf("observed", "until")).filter(days__contains=day)


class MovementQuerySet(models.QuerySet):
    def published(self) -> MovementQuerySet:
        """Movements the public may see."""
        return self.filter(state=State.PUBLISHED)

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
    def named(self, key: str) -> AssetQuerySet:
        """The asset a readable key names: its registration or ICAO hex (any case), or its id."""
        key = key.strip()
        match = models.Q(registration__iexact=key) | models.Q(icao_hex__iexact=key) if key else models.Q(pk=None)
        if key.isdigit() and len(key) < 19:
            match |= models.Q(pk=int(key))
        return self.filter(match)


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
