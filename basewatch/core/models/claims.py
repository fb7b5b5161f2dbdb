"""Sourced claims: observations and movements, and the links to their sources."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from basewatch.core.expressions import LatestAllowedDate
from basewatch.core.models.catalogue import Asset, AssetType, Site, Source, _dates_in_range, _raise
from basewatch.core.querysets import (
    MovementQuerySet,
    ObservationQuerySet,
)
from basewatch.core.versions import VersionedModel
from basewatch.core.workflow import State
from basewatch.lib.dates import EARLIEST_DATE

# The most assets one claim may count. A site's total adds its types' counts in a 32-bit
# integer (core.models.SiteSummaryStep): without a bound, two counts of two billion made a
# publish fail in PostgreSQL (a 500). No base holds a million of one type.
COUNT_MAX = 1_000_000
COUNT_TOO_LARGE = f"A count cannot exceed {COUNT_MAX:,}."


def _count_in_range(errors: dict[str, str], field: str, value: int | None) -> None:
    if value is not None and value < 0:
        errors[field] = "A count cannot be negative."
    elif value is not None and value > COUNT_MAX:
        errors[field] = COUNT_TOO_LARGE


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
    the asset type was not there: it counts as 0 in posture. `presence` says
    whether the assets belong to the site (based) or pass through it
    (transient: visiting, staging, transports flying equipment in or out);
    posture counts based assets (core.posture).
    """

    class Presence(models.TextChoices):
        BASED = "based", "Based (stationed at the site)"
        TRANSIENT = "transient", "Transient (visiting, staging, transport in or out)"

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
    presence = models.CharField(
        max_length=10,
        choices=Presence.choices,
        default=Presence.BASED,
        db_default=Presence.BASED,
        help_text="Based assets make the site's posture; transient ones are shown beside it, not counted.",
    )
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
                condition=~Q(activity="absent") | Q(presence="based"), name="observation_absent_is_based"
            ),
            models.CheckConstraint(
                condition=Q(observed__lte=LatestAllowedDate()), name="observation_observed_not_future"
            ),
            models.CheckConstraint(condition=Q(observed__gte=EARLIEST_DATE), name="observation_observed_from_earliest"),
            models.CheckConstraint(
                condition=Q(count__lte=COUNT_MAX) & Q(count_high__lte=COUNT_MAX), name="observation_counts_at_most_max"
            ),
            models.CheckConstraint(
                condition=Q(credibility__gte=1, credibility__lte=6), name="observation_credibility_range"
            ),
        ]
        indexes = [
            # Serves the posture view (PosturePoint: DISTINCT ON (site, asset_type, presence,
            # observed) ORDER BY observed DESC, id DESC, over published rows), read in this order.
            models.Index(
                "site",
                "asset_type",
                "presence",
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
            _count_in_range(errors, field, getattr(self, field))
        if self.count is None and (self.count_low is not None or self.count_high is not None):
            errors["count"] = "Give a best estimate when giving low or high bounds."
        elif self.count is not None:
            if self.count_low is not None and self.count_low > self.count and "count_low" not in errors:
                errors["count_low"] = "The low estimate cannot exceed the count."
            if self.count_high is not None and self.count_high < self.count and "count_high" not in errors:
                errors["count_high"] = "The high estimate cannot be below the count."
        if self.activity == self.Activity.ABSENT and self.count:
            errors["count"] = "An absent observation counts 0; leave the count empty or 0."
        if self.activity == self.Activity.ABSENT and self.presence == self.Presence.TRANSIENT:
            errors["presence"] = "“Absent” says the site has none based there; it cannot be transient."
        _dates_in_range(errors, observed=self.observed)
        if self.asset_id and self.asset_type_id and self.asset.asset_type_id != self.asset_type_id:
            errors["asset"] = f"This asset is a {self.asset.asset_type}, not a {self.asset_type}."
        _raise(errors)


TRIPS_MESSAGE = "Give a number of trips of 1 or more, or leave it empty."

TRIP_WORDS = {
    AssetType.Category.FIXED_WING_COMBAT: "flight",
    AssetType.Category.TRANSPORT_AIRCRAFT: "flight",
    AssetType.Category.HELICOPTER: "flight",
    AssetType.Category.NAVAL_VESSEL: "voyage",
}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Movement(SourcedClaim):
    """Assets seen leaving one site for another, drawn on the map as a line."""

    origin = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="movements_out")
    destination = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="movements_in")
    asset_type = models.ForeignKey(AssetType, on_delete=models.PROTECT, related_name="movements")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="movements")
    count = models.IntegerField(
        null=True, blank=True, help_text="How many assets moved (on each trip); leave empty if unknown."
    )
    departed = models.DateField(null=True, blank=True)
    arrived = models.DateField(null=True, blank=True)
    trips = models.PositiveIntegerField(
        "flights or voyages",
        null=True,
        blank=True,
        help_text="How many flights or voyages this movement stands for between the dates, when more than one.",
    )
    trips_at_least = models.BooleanField(
        "at least", default=False, db_default=False, help_text="The source says “at least” that many."
    )
    # Legs of one transfer (Khmeimim → al-Khadim → Bamako) point to its first leg.
    transfer = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legs",
        help_text="The first leg of the transfer this movement continues, if any.",
    )
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
            models.CheckConstraint(condition=Q(count__lte=COUNT_MAX), name="movement_count_at_most_max"),
            models.CheckConstraint(condition=Q(trips__isnull=True) | Q(trips__gte=1), name="movement_trips_positive"),
            models.CheckConstraint(
                condition=Q(trips__isnull=False) | Q(trips_at_least=False), name="movement_at_least_needs_trips"
            ),
            models.CheckConstraint(condition=~Q(transfer=F("id")), name="movement_not_own_transfer"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_type}: {self.origin} → {self.destination}"

    def get_absolute_url(self) -> str:
        return reverse("front:movement", args=[self.pk])

    @property
    def trips_text(self) -> str:
        """Like "at least 7 flights" (voyages for ships, trips for the rest); "" when not given."""
        if self.trips is None:
            return ""
        trip = TRIP_WORDS.get(self.asset_type.category, "trip")
        return f"{'at least ' if self.trips_at_least else ''}{self.trips} {trip}{'s' if self.trips != 1 else ''}"

    def transfer_legs(self) -> MovementQuerySet:
        """Every leg of the transfer this movement belongs to (itself alone if none), first leg first."""
        head = self.transfer_id or self.pk
        return Movement.objects.filter(Q(pk=head) | Q(transfer=head)).order_by(Coalesce("departed", "arrived"), "pk")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.origin_id and self.origin_id == self.destination_id:
            errors["destination"] = "The destination must differ from the origin."
        if self.departed is None and self.arrived is None:
            errors["departed"] = "Give a departure date, an arrival date or both."
        _dates_in_range(errors, departed=self.departed, arrived=self.arrived)
        if self.departed and self.arrived and self.departed > self.arrived and "arrived" not in errors:
            errors["arrived"] = "The arrival cannot be before the departure."
        _count_in_range(errors, "count", self.count)
        if self.asset_id and self.asset_type_id and self.asset.asset_type_id != self.asset_type_id:
            errors["asset"] = f"This asset is a {self.asset.asset_type}, not a {self.asset_type}."
        if self.trips is not None and self.trips < 1:
            errors["trips"] = TRIPS_MESSAGE
        elif self.trips is None and self.trips_at_least:
            errors["trips"] = "Give the number of trips that “at least” qualifies."
        if self.transfer_id:
            if self.transfer_id == self.pk:
                errors["transfer"] = "A movement cannot continue itself."
            elif self.transfer.transfer_id:
                errors["transfer"] = "Name the transfer's first leg (this one continues another)."
            elif self.pk and self.legs.exists():
                errors["transfer"] = "Other legs continue this movement: it is a transfer's first leg."
        _raise(errors)


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
