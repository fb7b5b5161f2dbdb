"""The basewatch domain: sites, what is seen there, and the sources behind it.

Every number shown to a researcher is an Observation: a dated, sourced claim
that some count of an asset type was at a site. Invariants are database
constraints (named, so an error says which) mirrored in clean() so forms and
the API report them against the field at fault.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from basewatch.core.expressions import IsCountryCode, IsValidGeometry, LatestAllowedDate, LonLatInRange
from basewatch.core.fields import HttpURLField, LonLatMultiPolygonField, LonLatPointField
from basewatch.core.querysets import (
    ApiTokenQuerySet,
    LoginFailureQuerySet,
    MovementQuerySet,
    ObservationQuerySet,
    PosturePointQuerySet,
    SiteQuerySet,
)
from basewatch.core.versions import VersionedModel, version_trigger
from basewatch.core.workflow import State
from basewatch.lib.dates import latest_allowed_date

FUTURE_DATE_MESSAGE = "This date is in the future."


def _not_future(errors: dict[str, str], **dates: dt.date | None) -> None:
    for field, value in dates.items():
        if value and value > latest_allowed_date():
            errors[field] = FUTURE_DATE_MESSAGE


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Site(VersionedModel):
    class Kind(models.TextChoices):
        AIR_BASE = "air_base", "Air base"
        NAVAL_BASE = "naval_base", "Naval base"
        PORT_FACILITY = "port_facility", "Port facility"
        ARMY_BASE = "army_base", "Army base"
        AIRPORT = "airport", "Airport"
        RADAR = "radar", "Radar"
        LOGISTICS_HUB = "logistics_hub", "Logistics hub"
        OTHER = "other", "Other"

    class Precision(models.TextChoices):
        EXACT = "exact", "Exact (within 100 m)"
        APPROXIMATE = "approximate", "Approximate (within 2 km)"
        AREA = "area", "General area (within 25 km)"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DRAWING_DOWN = "drawing_down", "Drawing down"
        CLOSED = "closed", "Closed"
        UNKNOWN = "unknown", "Unknown"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, help_text="Short name used in URLs, e.g. khmeimim.")
    aliases = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="Other spellings and scripts, comma-separated (Hmeimim, حميميم, Хмеймим).",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    operator = CountryField(help_text="The foreign force holding the site.")
    host_country = CountryField()
    location = LonLatPointField(help_text="Longitude/latitude (WGS 84).")
    location_precision = models.CharField(max_length=20, choices=Precision.choices, default=Precision.APPROXIMATE)
    footprint = LonLatMultiPolygonField(null=True, blank=True, help_text="Outline of the site, if known.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    description = models.TextField(blank=True)
    wikidata_id = models.CharField(
        "Wikidata id",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q123.")],
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=LonLatInRange("location"), name="site_location_in_range"),
            models.CheckConstraint(condition=Q(IsValidGeometry("footprint")), name="site_footprint_valid"),
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=r"^Q[1-9][0-9]*$"),
                name="site_wikidata_id_format",
            ),
            models.CheckConstraint(
                condition=Q(IsCountryCode("operator")) & Q(IsCountryCode("host_country")),
                name="site_country_codes",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("front:site", args=[self.slug])

    def counts_over_time(self, points=None) -> list[tuple[AssetType, list[PosturePoint]]]:
        """Published counts over time: one step series per asset type, in one query.

        `points` narrows them (a PosturePoint queryset: a date range, an asset type); by
        default every point of the site.
        """
        if points is None:
            points = PosturePoint.objects.filter(site=self)
        series: dict[int, tuple[AssetType, list[PosturePoint]]] = {}
        for point in points.series().select_related("asset_type"):
            series.setdefault(point.asset_type_id, (point.asset_type, []))[1].append(point)
        return list(series.values())

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.location is not None and not (-180 <= self.location.x <= 180 and -90 <= self.location.y <= 90):
            errors["location"] = "Longitude must be within ±180 and latitude within ±90."
        if self.footprint is not None and not self.footprint.valid:
            errors["footprint"] = f"The footprint is not a valid polygon: {self.footprint.valid_reason}."
        _raise(errors)


class AssetType(VersionedModel):
    class Category(models.TextChoices):
        FIXED_WING_COMBAT = "fixed_wing_combat", "Fixed-wing combat aircraft"
        TRANSPORT_AIRCRAFT = "transport_aircraft", "Transport aircraft"
        HELICOPTER = "helicopter", "Helicopter"
        AIR_DEFENCE = "air_defence", "Air defence"
        NAVAL_VESSEL = "naval_vessel", "Naval vessel"
        GROUND_VEHICLE = "ground_vehicle", "Ground vehicle"
        PERSONNEL = "personnel", "Personnel"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True, help_text='E.g. S-400 "Triumf".')
    slug = models.SlugField(max_length=100, unique=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    nato_name = models.CharField("NATO reporting name", max_length=100, blank=True)
    notes = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Asset(VersionedModel):
    """One individually identified airframe, vessel or vehicle."""

    asset_type = models.ForeignKey(AssetType, on_delete=models.PROTECT, related_name="assets")
    registration = models.CharField(max_length=30, blank=True, help_text="E.g. RA-76845.")
    icao_hex = models.CharField(
        "ICAO 24-bit address",
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-Fa-f]{6}$", "Six hexadecimal digits, e.g. 152C2D.")],
    )
    hull_number = models.CharField(max_length=30, blank=True)
    name = models.CharField(max_length=200, blank=True)
    operator = models.CharField(max_length=200, blank=True, help_text="E.g. EMERCOM of Russia (MChS).")
    notes = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registration", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(icao_hex="") | Q(icao_hex__regex=r"^[0-9A-F]{6}$"), name="asset_icao_hex_format"
            ),
            models.CheckConstraint(
                condition=~Q(registration="", icao_hex="", hull_number="", name=""), name="asset_identified"
            ),
            models.UniqueConstraint(
                fields=["registration"], condition=~Q(registration=""), name="asset_unique_registration"
            ),
            models.UniqueConstraint(fields=["icao_hex"], condition=~Q(icao_hex=""), name="asset_unique_icao_hex"),
        ]

    def __str__(self) -> str:
        label = self.registration or self.hull_number or self.name or self.icao_hex
        return f"{label} ({self.asset_type})" if self.asset_type_id else label

    def clean(self) -> None:
        self.icao_hex = self.icao_hex.strip().upper()
        self.registration = self.registration.strip().upper()
        if not (self.registration or self.icao_hex or self.hull_number or self.name):
            raise ValidationError("Give at least one of registration, ICAO address, hull number or name.")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Source(VersionedModel):
    class Kind(models.TextChoices):
        SATELLITE_IMAGERY = "satellite_imagery", "Satellite imagery"
        NEWS_REPORT = "news_report", "News report"
        SOCIAL_MEDIA = "social_media", "Social-media post"
        OFFICIAL_STATEMENT = "official_statement", "Official statement"
        FLIGHT_TRACKING = "flight_tracking", "Flight tracking"
        OTHER = "other", "Other"

    class Reliability(models.TextChoices):
        """Source reliability, NATO Admiralty code (STANAG 2511)."""

        A = "A", "A — completely reliable"
        B = "B", "B — usually reliable"
        C = "C", "C — fairly reliable"
        D = "D", "D — not usually reliable"
        E = "E", "E — unreliable"
        F = "F", "F — reliability cannot be judged"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True, help_text="Maxar, CNN, @handle …")
    url = HttpURLField("URL", max_length=1000, blank=True)
    published = models.DateField(null=True, blank=True, help_text="Leave empty when the source does not say.")
    captured = models.DateField(
        "imagery captured", null=True, blank=True, help_text="Capture date of imagery, where it differs."
    )
    archive_url = HttpURLField("archive URL", max_length=1000, blank=True)
    reliability = models.CharField(max_length=1, choices=Reliability.choices, default=Reliability.F)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(url="") | Q(url__iregex=r"^https?://"), name="source_url_scheme"),
            models.CheckConstraint(
                condition=Q(archive_url="") | Q(archive_url__iregex=r"^https?://"), name="source_archive_url_scheme"
            ),
            models.CheckConstraint(
                condition=Q(published__isnull=True) | Q(published__lte=LatestAllowedDate()),
                name="source_published_not_future",
            ),
            models.CheckConstraint(
                condition=Q(captured__isnull=True) | Q(captured__lte=LatestAllowedDate()),
                name="source_captured_not_future",
            ),
            models.CheckConstraint(
                condition=Q(captured__isnull=True) | Q(published__isnull=True) | Q(captured__lte=F("published")),
                name="source_captured_before_published",
            ),
            # The same URL is the same source: editors pick it instead of re-creating it.
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_unique_url",
                violation_error_message="A source with this URL is already on file: pick it instead.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}" if self.publisher else self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_future(errors, published=self.published, captured=self.captured)
        if self.captured and self.published and self.captured > self.published and "captured" not in errors:
            errors["captured"] = "Imagery cannot be captured after it was published."
        _raise(errors)


class SourcedClaim(VersionedModel):
    """What observations and movements share: sources, notes, review workflow, version."""

    notes = models.TextField(blank=True)
    # `sources` is declared on each claim: its link table is tracked in the history.
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    state_reason = models.TextField(blank=True, help_text="Why it was rejected or retracted.")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Observation(SourcedClaim):
    """A sourced claim: on a date, this many of an asset type were at a site.

    `count` is the best estimate; it is empty when only presence is known (a
    report says "parts of an S-400 unit"). `absent` means someone looked and
    the asset type was not there: it counts as 0 in posture.
    """

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        WEEK = "week", "Week"
        MONTH = "month", "Month"

    class Activity(models.TextChoices):
        PRESENT = "present", "Present"
        ARRIVING = "arriving", "Arriving"
        DEPARTING = "departing", "Departing"
        LOADING = "loading", "Loading"
        DISMANTLED = "dismantled", "Being dismantled"
        ABSENT = "absent", "Absent (looked, not there)"

    class Credibility(models.IntegerChoices):
        """Information credibility, NATO Admiralty code (STANAG 2511)."""

        CONFIRMED = 1, "1 — confirmed by other sources"
        PROBABLY_TRUE = 2, "2 — probably true"
        POSSIBLY_TRUE = 3, "3 — possibly true"
        DOUBTFUL = 4, "4 — doubtful"
        IMPROBABLE = 5, "5 — improbable"
        CANNOT_JUDGE = 6, "6 — truth cannot be judged"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="observations")
    asset_type = models.ForeignKey(AssetType, on_delete=models.PROTECT, related_name="observations")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="observations")
    observed = models.DateField(help_text="For week or month precision, the first day of that period.")
    observed_precision = models.CharField(max_length=10, choices=Precision.choices, default=Precision.DAY)
    count = models.IntegerField(
        null=True, blank=True, help_text="Best estimate; leave empty if only presence is known."
    )
    count_low = models.IntegerField("low estimate", null=True, blank=True)
    count_high = models.IntegerField("high estimate", null=True, blank=True)
    activity = models.CharField(max_length=20, choices=Activity.choices, default=Activity.PRESENT)
    credibility = models.PositiveSmallIntegerField(choices=Credibility.choices, default=Credibility.CANNOT_JUDGE)
    sources = models.ManyToManyField(
        Source, through="ObservationSource", related_name="observations", help_text="At least one source."
    )

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["-observed", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(count__isnull=True) | Q(count__gte=0))
                & (Q(count_low__isnull=True) | Q(count_low__gte=0))
                & (Q(count_high__isnull=True) | Q(count_high__gte=0)),
                name="observation_counts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(count_low__isnull=True, count_high__isnull=True) | Q(count__isnull=False),
                name="observation_bounds_need_count",
            ),
            models.CheckConstraint(
                condition=Q(count_low__isnull=True) | Q(count_low__lte=F("count")), name="observation_low_le_count"
            ),
            models.CheckConstraint(
                condition=Q(count_high__isnull=True) | Q(count__lte=F("count_high")),
                name="observation_count_le_high",
            ),
            models.CheckConstraint(
                condition=~Q(activity="absent") | Q(count__isnull=True) | Q(count=0),
                name="observation_absent_counts_zero",
            ),
            models.CheckConstraint(
                condition=Q(observed__lte=LatestAllowedDate()), name="observation_observed_not_future"
            ),
            models.CheckConstraint(
                condition=Q(credibility__gte=1, credibility__lte=6), name="observation_credibility_range"
            ),
        ]
        indexes = [
            # Serves the posture view (PosturePoint: DISTINCT ON (site, asset_type, observed)
            # ORDER BY observed DESC, id DESC, over published rows), read in this order.
            models.Index(
                "site",
                "asset_type",
                F("observed").desc(),
                F("id").desc(),
                condition=Q(state="published"),
                name="observation_posture_idx",
            ),
            # Serves the observation list's keyset pages (api.pagination.KeysetPagination),
            # newest first, in every state an editor may list.
            models.Index(F("observed").desc(), F("id").desc(), name="observation_newest_idx"),
        ]

    def __str__(self) -> str:
        count = "?" if self.count is None else self.count
        return f"{self.observed}: {count} × {self.asset_type} at {self.site} ({self.get_activity_display()})"

    def get_absolute_url(self) -> str:
        return f"{self.site.get_absolute_url()}#observation-{self.pk}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("count", "count_low", "count_high"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = "A count cannot be negative."
        if self.count is None and (self.count_low is not None or self.count_high is not None):
            errors["count"] = "Give a best estimate when giving low or high bounds."
        elif self.count is not None:
            if self.count_low is not None and self.count_low > self.count and "count_low" not in errors:
                errors["count_low"] = "The low estimate cannot exceed the count."
            if self.count_high is not None and self.count_high < self.count and "count_high" not in errors:
                errors["count_high"] = "The high estimate cannot be below the count."
        if self.activity == self.Activity.ABSENT and self.count:
            errors["count"] = "An absent observation counts 0; leave the count empty or 0."
        _not_future(errors, observed=self.observed)
        if self.asset_id and self.asset_type_id and self.asset.asset_type_id != self.asset_type_id:
            errors["asset"] = f"This asset is a {self.asset.asset_type}, not a {self.asset_type}."
        _raise(errors)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Movement(SourcedClaim):
    """Assets seen leaving one site for another, drawn on the map as a line."""

    origin = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="movements_out")
    destination = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="movements_in")
    asset_type = models.ForeignKey(AssetType, on_delete=models.PROTECT, related_name="movements")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="movements")
    count = models.IntegerField(null=True, blank=True, help_text="Leave empty if unknown.")
    departed = models.DateField(null=True, blank=True)
    arrived = models.DateField(null=True, blank=True)
    sources = models.ManyToManyField(
        Source, through="MovementSource", related_name="movements", help_text="At least one source."
    )

    objects = MovementQuerySet.as_manager()

    class Meta:
        ordering = ["-arrived", "-departed", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(origin=F("destination")), name="movement_distinct_sites"),
            models.CheckConstraint(
                condition=Q(departed__isnull=False) | Q(arrived__isnull=False), name="movement_has_date"
            ),
            models.CheckConstraint(
                condition=Q(departed__isnull=True) | Q(arrived__isnull=True) | Q(departed__lte=F("arrived")),
                name="movement_departed_before_arrived",
            ),
            models.CheckConstraint(
                condition=(Q(departed__isnull=True) | Q(departed__lte=LatestAllowedDate()))
                & (Q(arrived__isnull=True) | Q(arrived__lte=LatestAllowedDate())),
                name="movement_dates_not_future",
            ),
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=0), name="movement_count_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_type}: {self.origin} → {self.destination}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.origin_id and self.origin_id == self.destination_id:
            errors["destination"] = "The destination must differ from the origin."
        if self.departed is None and self.arrived is None:
            errors["departed"] = "Give a departure date, an arrival date or both."
        _not_future(errors, departed=self.departed, arrived=self.arrived)
        if self.departed and self.arrived and self.departed > self.arrived and "arrived" not in errors:
            errors["arrived"] = "The arrival cannot be before the departure."
        if self.count is not None and self.count < 0:
            errors["count"] = "A count cannot be negative."
        if self.asset_id and self.asset_type_id and self.asset.asset_type_id != self.asset_type_id:
            errors["asset"] = f"This asset is a {self.asset.asset_type}, not a {self.asset_type}."
        _raise(errors)


class PosturePoint(models.Model):
    """A point of the step function that is a site's posture over time: per site, asset type and
    date, the published observation that counts (the one entered last, when several share the date)
    and what it counts: 0 for `absent` ("looked, not there"), the count otherwise, NULL when only
    presence is known.

    Posture as of D is, per asset type, the latest point on or before D
    (PosturePointQuerySet.as_of); counts over time are the points in date order. This is the one
    definition of both: a database view (core_posturepoint, migration 0010), so the ORM, the JSON
    PostgreSQL builds for the API (api.pg_json) and the trigger that keeps site totals
    (refresh_site_totals below) all read it. It is read only.
    """

    observation = models.OneToOneField(
        Observation, primary_key=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    site = models.ForeignKey(Site, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    asset_type = models.ForeignKey(AssetType, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    observed = models.DateField()
    observed_precision = models.CharField(max_length=10, choices=Observation.Precision.choices)
    count_low = models.IntegerField(null=True)
    count_high = models.IntegerField(null=True)
    activity = models.CharField(max_length=20, choices=Observation.Activity.choices)
    counted = models.IntegerField(null=True)

    objects = PosturePointQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "core_posturepoint"
        ordering = ["site_id", "asset_type_id", "observed"]

    def __str__(self) -> str:
        return f"{self.observed}: {self.counted} of type {self.asset_type_id} at site {self.site_id}"


# A claim's sources are part of it: linking or unlinking one is recorded like any other change.
# The link tables are the ones Django made for the original many-to-many fields.
SOURCE_LINK_EVENTS = (pghistory.InsertEvent("source.add"), pghistory.DeleteEvent("source.remove"))


@pghistory.track(*SOURCE_LINK_EVENTS, obj_field=None)
class ObservationSource(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE)
    source = models.ForeignKey(Source, on_delete=models.CASCADE)

    class Meta:
        db_table = "core_observation_sources"
        unique_together = [("observation", "source")]

    def __str__(self) -> str:
        return f"{self.source} → observation {self.observation_id}"


@pghistory.track(*SOURCE_LINK_EVENTS, obj_field=None)
class MovementSource(models.Model):
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE)
    source = models.ForeignKey(Source, on_delete=models.CASCADE)

    class Meta:
        db_table = "core_movement_sources"
        unique_together = [("movement", "source")]

    def __str__(self) -> str:
        return f"{self.source} → movement {self.movement_id}"


class DataVersion(models.Model):
    """A counter of changes to everything the API serves, for cheap conditional GETs.

    A statement-level trigger on each of those tables bumps the one row (creating it
    if missing), in the writing transaction, so a reader never sees a version newer
    than the data it reads after it. API answers put the version in their ETag: a
    client's If-None-Match is answered 304 without reading anything else. Writers
    queue on the row; editorial writes are few.
    """

    version = models.BigIntegerField(default=0)
    changed = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="dataversion_single_row")]

    def __str__(self) -> str:
        return f"data version {self.version}"

    @classmethod
    def current(cls) -> tuple[int, dt.datetime | None]:
        """The version and the time of the last write; (0, None) before the first write (or after a test flush)."""
        return cls.objects.filter(pk=1).values_list("version", "changed").first() or (0, None)


class SiteTotal(models.Model):
    """A step of a site's posture total: from `day` on (until the site's next step) the
    published observations count `total` assets there, and `day` is the latest observed.

    There is a step for every date with a published observation of the site, so the
    total and the last observation date as of D are one index probe per site (the
    latest step on or before D) instead of the posture of every asset type: that is
    what lets the map draw ten thousand sites, and redraw them for another date, at
    once. Kept by triggers on observations (refresh_site_totals below), in the writing
    transaction; never written by the application.
    """

    # Indexed by the unique constraint (site, day desc), which the as-of probes read.
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="totals", db_index=False)
    day = models.DateField()
    total = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint("site", F("day").desc(), name="sitetotal_site_day")]

    def __str__(self) -> str:
        return f"{self.site_id} from {self.day}: {self.total}"


# The posture total of a site at every date where one of its posture points falls
# (PosturePoint: absent counts 0; a count not known adds 0 for now): the change each
# point makes to its asset type's count, then a running sum of the changes per site.
_REFRESH_SITE_TOTALS = """
    sites := ARRAY({changed});
    IF cardinality(sites) = 0 THEN
        RETURN NULL;  -- no published count, date, type or site changed (a draft, a note)
    END IF;
    -- Writers refresh one after another, each seeing what the ones before committed.
    LOCK TABLE core_sitetotal IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM core_sitetotal WHERE site_id = ANY(sites);
    INSERT INTO core_sitetotal (site_id, day, total)
    SELECT site_id, observed, sum(sum(change)) OVER (PARTITION BY site_id ORDER BY observed)
    FROM (
        SELECT site_id, observed,
               coalesce(counted, 0)
                 - coalesce(lag(coalesce(counted, 0)) OVER (PARTITION BY site_id, asset_type_id ORDER BY observed), 0)
                   AS change
        FROM core_posturepoint
        WHERE site_id = ANY(sites)
    ) AS changes
    GROUP BY site_id, observed;
    RETURN NULL;
"""


def _refresh_site_totals(operation, referencing: pgtrigger.Referencing, changed: str) -> pgtrigger.Trigger:
    """A trigger refreshing the steps of the sites `changed` (a query of site ids) names."""
    return pgtrigger.Trigger(
        name=f"refresh_site_totals_{str(operation).lower()}",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=referencing,
        declare=[("sites", "bigint[]")],
        func=_REFRESH_SITE_TOTALS.format(changed=changed),
    )


pgtrigger.register(
    _refresh_site_totals(
        pgtrigger.Insert,
        pgtrigger.Referencing(new="new_rows"),
        "SELECT DISTINCT site_id FROM new_rows WHERE state = 'published'",
    ),
    _refresh_site_totals(
        pgtrigger.Update,
        pgtrigger.Referencing(old="old_rows", new="new_rows"),
        # Only what a total depends on; both sites of an observation moved from one to another.
        """SELECT DISTINCT unnest(ARRAY[o.site_id, n.site_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
           WHERE 'published' IN (o.state, n.state)
             AND (o.site_id, o.asset_type_id, o.observed, o.count, o.activity, o.state)
                 IS DISTINCT FROM (n.site_id, n.asset_type_id, n.observed, n.count, n.activity, n.state)""",
    ),
    _refresh_site_totals(
        pgtrigger.Delete,
        pgtrigger.Referencing(old="old_rows"),
        "SELECT DISTINCT site_id FROM old_rows WHERE state = 'published'",
    ),
)(Observation)


def _bump_data_version() -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="bump_data_version",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        func=(
            "INSERT INTO core_dataversion (id, version, changed) VALUES (1, 1, now()) "
            "ON CONFLICT (id) DO UPDATE SET version = core_dataversion.version + 1, changed = now(); "
            "RETURN NULL;"
        ),
    )


for _served in (Site, AssetType, Asset, Source, Observation, Movement, ObservationSource, MovementSource):
    pgtrigger.register(_bump_data_version())(_served)

for _versioned in (Site, AssetType, Asset, Source, Observation, Movement):
    pgtrigger.register(version_trigger())(_versioned)


class ApiToken(models.Model):
    """A key for the REST API, stored only as its SHA-256 hash.

    The key is shown once, when issued. Keys are 256 random bits, so an unsalted
    hash is enough: it cannot be reversed or guessed. To rotate, issue a new
    token, switch the client to it, then revoke the old one.
    """

    KEY_PREFIX = "bw_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “QGIS on my laptop”.")
    key_prefix = models.CharField(max_length=12, editable=False, help_text="The key's first characters.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, editable=False)
    revoked = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.name})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """Create a token for `user`; returns it with the key, which is not stored."""
        key = cls.KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_prefix=key[:10], key_hash=cls.hash_key(key))
        return token, key

    def revoke(self) -> None:
        if self.revoked is None:
            self.revoked = timezone.now()
            self.save(update_fields=["revoked"])


class LoginFailure(models.Model):
    """A failed login, kept for a while so repeated guessing can be slowed down."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = LoginFailureQuerySet.as_manager()

    class Meta:
        # Serves LoginFailureQuerySet.recent (the last minutes of one name or address).
        indexes = [
            models.Index(fields=["username", "created"], name="loginfailure_user_idx"),
            models.Index(fields=["address", "created"], name="loginfailure_address_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.created:%Y-%m-%d %H:%M}"
