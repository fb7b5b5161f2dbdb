"""What claims are about and rest on: sites, asset types, identified assets, sources."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pghistory
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import F, Q
from django.urls import reverse
from django_countries.fields import CountryField

from basewatch.core.expressions import IsCountryCode, IsValidGeometry, LatestAllowedDate, LonLatInRange
from basewatch.core.fields import HttpURLField, LonLatMultiPolygonField, LonLatPointField
from basewatch.core.querysets import AssetQuerySet, AssetTypeQuerySet, SiteQuerySet, SourceQuerySet
from basewatch.core.versions import VersionedModel
from basewatch.lib.dates import EARLIEST_DATE, latest_allowed_date

if TYPE_CHECKING:
    from basewatch.core.models.posture import PostureSpan

FUTURE_DATE_MESSAGE = "This date is in the future."
EARLY_DATE_MESSAGE = f"Give a date from {EARLIEST_DATE} on."
FRESH_DAYS_MAX = 36500  # a century: "never stale" in practice


def _dates_in_range(errors: dict[str, str], **dates: dt.date | None) -> None:
    """Each date from EARLIEST_DATE to today anywhere on Earth (lib.dates)."""
    for field, value in dates.items():
        if value and value > latest_allowed_date():
            errors[field] = FUTURE_DATE_MESSAGE
        elif value and value < EARLIEST_DATE:
            errors[field] = EARLY_DATE_MESSAGE


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
        # Ties broken by id: numbered pages of the sites list must not reorder same-named sites.
        ordering = ["name", "id"]
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

    def counts_over_time(self, points=None) -> list[tuple[tuple[AssetType, str], list[PostureSpan]]]:
        """Published counts over time: one step series per asset type and presence, in one query,
        as ((asset type, presence), points).

        `points` narrows them (a PostureSpan queryset: a date range, an asset type); by
        default every point of the site.
        """
        from basewatch.core.models.posture import PostureSpan

        if points is None:
            points = PostureSpan.objects.filter(site=self)
        series: dict[tuple[int, str], tuple[tuple[AssetType, str], list[PostureSpan]]] = {}
        for point in points.series().select_related("asset_type"):
            key = (point.asset_type_id, point.presence)
            series.setdefault(key, ((point.asset_type, point.presence), []))[1].append(point)
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

    # How long an observation stays fresh when nothing newer is known, by category: aircraft
    # redeploy within weeks, ships sail within days, air defence stays for months.
    DEFAULT_FRESH_DAYS = {
        Category.FIXED_WING_COMBAT: 60,
        Category.TRANSPORT_AIRCRAFT: 60,
        Category.HELICOPTER: 60,
        Category.AIR_DEFENCE: 180,
        Category.NAVAL_VESSEL: 30,
        Category.GROUND_VEHICLE: 90,
        Category.PERSONNEL: 90,
        Category.OTHER: 90,
    }

    name = models.CharField(max_length=200, unique=True, help_text='E.g. S-400 "Triumf".')
    slug = models.SlugField(max_length=100, unique=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    nato_name = models.CharField("NATO reporting name", max_length=100, blank=True)
    fresh_days = models.PositiveIntegerField(
        "freshness horizon (days)",
        blank=True,
        default=None,  # save() gives the category's default
        db_default=90,  # for SQL writers
        validators=[MinValueValidator(1), MaxValueValidator(FRESH_DAYS_MAX)],
        help_text="Posture marks an observation older than this as stale. Empty: the category's default.",
    )
    notes = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    objects = AssetTypeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fresh_days__gte=1, fresh_days__lte=FRESH_DAYS_MAX), name="assettype_fresh_days_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.fresh_days is None:
            self.fresh_days = self.DEFAULT_FRESH_DAYS.get(self.category, 90)
        super().save(*args, **kwargs)


def validate_imo_check_digit(value: str) -> None:
    """An IMO number's last digit checks the others (weights 7 to 2), so a typo is caught."""
    if len(value) == 7 and value.isdigit():
        check = sum(int(digit) * weight for digit, weight in zip(value[:6], range(7, 1, -1), strict=True)) % 10
        if check != int(value[6]):
            raise ValidationError("This is not an IMO number: its check digit does not match.")


# A registration is an asset's key in its URL (/assets/RA-76845/, Asset.key): a "/" cannot be in
# one (every page listing the asset was a 500), and digits alone are what an asset without a
# registration or hex is named by, its id (AssetQuerySet.named).
REGISTRATION_PATTERN = r"^([^/]*[^/0-9][^/]*)?$"
REGISTRATION_MESSAGE = "A registration has no “/” and is not digits alone (a bare serial goes in hull number)."


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
    hull_number = models.CharField(max_length=30, blank=True, help_text="Pennant or side number, e.g. 1166.")
    mmsi = models.CharField(
        "MMSI",
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{9}$", "Nine digits, e.g. 273350190.")],
        help_text="A vessel's Maritime Mobile Service Identity (AIS).",
    )
    imo = models.CharField(
        "IMO number",
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{7}$", "Seven digits, e.g. 9138850."), validate_imo_check_digit],
        help_text="A ship's IMO number (seven digits, without “IMO”).",
    )
    name = models.CharField(max_length=200, blank=True)
    aliases = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="Other names and spellings, comma-separated (Ил-76ТД, callsigns, nicknames).",
    )
    former_registrations = ArrayField(
        models.CharField(max_length=30),
        default=list,
        blank=True,
        help_text="Registrations it carried before, comma-separated.",
    )
    operator = models.CharField(max_length=200, blank=True, help_text="E.g. EMERCOM of Russia (MChS).")
    notes = models.TextField(blank=True)
    # An asset an import named (an ADS-B trace's hex) waits for a person to confirm it;
    # publishing a claim about it does (core.claims). The public sees confirmed assets only.
    confirmed = models.BooleanField(default=True, db_default=True)
    updated = models.DateTimeField(auto_now=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["registration", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(icao_hex="") | Q(icao_hex__regex=r"^[0-9A-F]{6}$"), name="asset_icao_hex_format"
            ),
            models.CheckConstraint(condition=Q(mmsi="") | Q(mmsi__regex=r"^[0-9]{9}$"), name="asset_mmsi_format"),
            models.CheckConstraint(condition=Q(imo="") | Q(imo__regex=r"^[0-9]{7}$"), name="asset_imo_format"),
            models.CheckConstraint(
                condition=Q(registration__regex=REGISTRATION_PATTERN), name="asset_registration_format"
            ),
            models.CheckConstraint(
                condition=~Q(registration="", icao_hex="", hull_number="", name="", mmsi="", imo=""),
                name="asset_identified",
            ),
            models.UniqueConstraint(
                fields=["registration"], condition=~Q(registration=""), name="asset_unique_registration"
            ),
            models.UniqueConstraint(fields=["icao_hex"], condition=~Q(icao_hex=""), name="asset_unique_icao_hex"),
            models.UniqueConstraint(fields=["mmsi"], condition=~Q(mmsi=""), name="asset_unique_mmsi"),
            models.UniqueConstraint(fields=["imo"], condition=~Q(imo=""), name="asset_unique_imo"),
        ]

    def __str__(self) -> str:
        label = self.registration or self.hull_number or self.name or self.icao_hex or self.imo or self.mmsi
        return f"{label} ({self.asset_type})" if self.asset_type_id else label

    @property
    def label(self) -> str:
        """How people name it: "Il-76TD RA-76845, EMERCOM of Russia (MChS)"."""
        ident = self.registration or self.hull_number or self.icao_hex or (f"IMO {self.imo}" if self.imo else self.mmsi)
        what = " ".join(part for part in (self.name, ident) if part)
        return f"{what}, {self.operator}" if self.operator else what

    @property
    def key(self) -> str:
        """What its URLs name it by: the registration, else the ICAO hex, else the id
        (AssetQuerySet.named reads each)."""
        return self.registration or self.icao_hex.lower() or str(self.pk)

    def get_absolute_url(self) -> str:
        """/assets/RA-76845/ (its `key`)."""
        return reverse("front:asset", args=[self.key])

    def clean(self) -> None:
        self.icao_hex = self.icao_hex.strip().upper()
        self.registration = self.registration.strip().upper()
        if not re.fullmatch(REGISTRATION_PATTERN, self.registration):
            raise ValidationError({"registration": REGISTRATION_MESSAGE})
        self.former_registrations = [old.strip().upper() for old in self.former_registrations if old.strip()]
        self.aliases = [alias.strip() for alias in self.aliases if alias.strip()]
        if not (self.registration or self.icao_hex or self.hull_number or self.name or self.mmsi or self.imo):
            raise ValidationError("Give at least one of registration, ICAO address, hull number, MMSI, IMO or name.")


def source_file_path(source: Source, filename: str) -> str:
    """sources/ab/abcdef…: a stored file is named by its SHA-256 (the name it came with is a field)."""
    return f"sources/{source.file_sha256[:2]}/{source.file_sha256}"


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
    # A file the source is (an ADS-B trace): stored under its hash, never a name a user chose.
    file = models.FileField(upload_to=source_file_path, max_length=200, blank=True, editable=False)
    file_name = models.CharField("file name", max_length=255, blank=True, help_text="The name it was given as.")
    file_sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False)
    reliability = models.CharField(max_length=1, choices=Reliability.choices, default=Reliability.F)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()

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
            models.UniqueConstraint(
                fields=["file_sha256"],
                condition=~Q(file_sha256=""),
                name="source_unique_file",
                violation_error_message="This file is already on file as a source.",
            ),
            models.CheckConstraint(
                condition=Q(file_sha256="") | Q(file_sha256__regex=r"^[0-9a-f]{64}$"), name="source_file_sha256_hex"
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

    def get_absolute_url(self) -> str:
        return reverse("front:source", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _dates_in_range(errors, published=self.published, captured=self.captured)
        if self.captured and self.published and self.captured > self.published and "captured" not in errors:
            errors["captured"] = "Imagery cannot be captured after it was published."
        _raise(errors)
