"""Importing a trace: sites for each take-off and landing, the asset, the source and the movements.

One call of `import_trace` is one transaction: the asset it names (created unconfirmed
when unknown), one Source for the file (kind flight tracking, the bytes kept under their
SHA-256, the name they came with as `file_name`) and one movement per leg flown between
two sites, submitted for review through basewatch.core.claims, the legs of one file
grouped as one transfer. Either all of it is stored or, on any refusal, nothing.

A file already on file (the same SHA-256) stores nothing again. A file none of whose
legs joins two sites stores nothing either: the report lists where the aircraft took off
and landed, with coordinates, so an editor can add the sites and import it again.
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q

from basewatch.core import claims
from basewatch.core.adsb.legs import Event, Leg, find_legs
from basewatch.core.adsb.parsing import HEX_PATTERN, Trace, TraceRefused, parse_trace
from basewatch.core.models import Asset, AssetType, Movement, Site, Source
from basewatch.core.models.catalogue import source_file_path
from basewatch.core.workflow import Action

# How far from a site's location a take-off or landing may be and still be at that site:
# an airfield spans kilometres (runways of up to 3.5 km with aprons beside them), and the
# location itself is only as good as its stated precision. Inside a site's footprint is
# always at the site. Where several sites are within reach, the nearest wins.
AIRFIELD_EXTENT_M = 4_000
LOCATION_UNCERTAINTY_M = {
    Site.Precision.EXACT: 100,
    Site.Precision.APPROXIMATE: 2_000,
    Site.Precision.AREA: 25_000,
}
SITE_REACH_M = {precision: AIRFIELD_EXTENT_M + metres for precision, metres in LOCATION_UNCERTAINTY_M.items()}


@dataclass
class LegReport:
    """One leg as imported: the sites its ends matched, and its movement or why there is none."""

    number: int
    leg: Leg
    origin: Site | None
    destination: Site | None
    movement: Movement | None = None
    skipped: str = ""


@dataclass
class ImportReport:
    """What an import found and did, for the command's output and the upload page."""

    file_name: str
    sha256: str
    trace: Trace | None = None
    legs: list[LegReport] = field(default_factory=list)
    asset: Asset | None = None
    asset_created: bool = False
    source: Source | None = None
    duplicate_of: Source | None = None  # the source holding this very file, imported before
    dry_run: bool = False

    @property
    def drafted(self) -> list[LegReport]:
        return [leg for leg in self.legs if not leg.skipped]

    @property
    def outcome(self) -> str:
        """One sentence: what was stored."""
        if self.duplicate_of is not None:
            return f"This file was imported before (source {self.duplicate_of.pk}): nothing new was stored."
        count = len(self.drafted)
        if not count:
            return "No leg joins two sites: nothing was stored. Add the sites listed above, then import the file again."
        movements = f"{count} movement{'s' if count != 1 else ''}"
        if self.dry_run:
            return f"Dry run: {movements} would be submitted for review; nothing was stored."
        return f"{movements} submitted for review; nothing is published until a reviewer does."


def import_trace(
    content: bytes,
    file_name: str,
    user,
    *,
    icao_hex: str = "",
    registration: str = "",
    asset_type: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Import a trace file's legs as movements for review (see the module docstring).

    `user` is an editor, or claims.SYSTEM for a command run by the operator. `icao_hex` and
    `registration` name the aircraft when the file does not (a CSV); `asset_type` is the slug
    of its type when the aircraft is new and the file's type designator names none. Raises
    TraceRefused, with nothing stored, for a bad file or a refused write.
    """
    # The name is shown and kept as given (its last part); the file is stored under its hash.
    name = posixpath.basename(file_name.replace("\\", "/"))[:255]
    report = ImportReport(file_name=name, sha256=hashlib.sha256(content).hexdigest(), dry_run=dry_run)
    report.duplicate_of = Source.objects.filter(file_sha256=report.sha256).first()
    if report.duplicate_of is not None:
        return report
    trace = report.trace = parse_trace(content, settings.TRACE_MAX_BYTES)
    _name_aircraft(trace, icao_hex, registration)
    asset = _asset_on_file(trace)
    report.legs = [_matched(number, leg) for number, leg in enumerate(find_legs(trace.positions), start=1)]
    if not report.drafted:
        return report
    report.asset, report.asset_created = (asset, False) if asset else (_new_asset(trace, asset_type, report), True)
    if dry_run:
        return report
    try:
        with transaction.atomic():
            _store(report, content, user)
    except claims.ClaimRefused as error:
        raise TraceRefused(f"A movement was refused, so nothing was stored: {error}.") from None
    except IntegrityError:
        raise TraceRefused(
            "Another import stored this file or this aircraft at the same moment; nothing was stored. "
            "Import the file again to see what is on file now."
        ) from None
    return report


# --- the aircraft ---------------------------------------------------------------------


def _name_aircraft(trace: Trace, icao_hex: str, registration: str) -> None:
    """Fill in the identifiers the file lacks from those given; the file and the person must agree."""
    icao_hex, registration = icao_hex.strip().upper(), registration.strip().upper()
    if icao_hex and not HEX_PATTERN.match(icao_hex):
        raise TraceRefused(f"The ICAO hex given must be six hexadecimal digits (e.g. 152C2D), not {icao_hex!r}.")
    for name, given in (("icao_hex", icao_hex), ("registration", registration)):
        in_file = getattr(trace, name)
        if given and in_file and given != in_file:
            label = "ICAO hex" if name == "icao_hex" else "registration"
            raise TraceRefused(f"The file says {label} {in_file}, but {given} was given.")
        setattr(trace, name, in_file or given)
    if not (trace.icao_hex or trace.registration):
        raise TraceRefused("The file does not name the aircraft: give its ICAO hex or its registration.")


def _asset_on_file(trace: Trace) -> Asset | None:
    """The asset the trace names, refusing a file whose hex and registration name different ones.

    Looked up by exact fields, not Asset.objects.named: a hex of six digits would name an id.
    """
    by_hex = Asset.objects.filter(icao_hex=trace.icao_hex).first() if trace.icao_hex else None
    by_registration = None
    if trace.registration:
        named = Q(registration=trace.registration) | Q(former_registrations__contains=[trace.registration])
        by_registration = Asset.objects.filter(named).order_by("pk").first()
    if by_hex and by_registration and by_hex != by_registration:
        raise TraceRefused(
            f"The file's ICAO hex {trace.icao_hex} is {by_hex.registration or 'another asset'} on file, but its "
            f"registration {trace.registration} is {_ident(by_registration)}: check which aircraft this is."
        )
    if by_hex and trace.registration and by_hex.registration and by_registration is None:
        raise TraceRefused(
            f"The file says {trace.registration}, but its ICAO hex {trace.icao_hex} is {by_hex.registration} "
            "on file: check which aircraft this is (or record the new registration on the asset first)."
        )
    if by_registration and trace.icao_hex and by_registration.icao_hex and by_hex is None:
        raise TraceRefused(
            f"The file says ICAO hex {trace.icao_hex}, but {by_registration.registration} has the hex "
            f"{by_registration.icao_hex} on file: check which aircraft this is."
        )
    return by_hex or by_registration


def _ident(asset: Asset) -> str:
    return f"{asset.registration} ({asset.icao_hex})" if asset.icao_hex else asset.registration


def _new_asset(trace: Trace, asset_type: str, report: ImportReport) -> Asset:
    """An unsaved asset for an aircraft not on file: unconfirmed until a reviewer publishes a claim on it."""
    kind = _asset_type(trace, asset_type)
    asset = Asset(
        asset_type=kind,
        registration=trace.registration,
        icao_hex=trace.icao_hex,
        confirmed=False,
        notes=f"Named by the ADS-B trace {report.file_name} (SHA-256 {report.sha256[:12]}…).",
    )
    try:
        asset.full_clean()
    except ValidationError as error:
        raise TraceRefused(f"The aircraft cannot be recorded: {' '.join(error.messages)}") from None
    return asset


def _asset_type(trace: Trace, slug: str) -> AssetType:
    if slug:
        found = AssetType.objects.filter(slug=slug.strip()).first()
        if found is None:
            raise TraceRefused(f"No asset type has the slug {slug!r}.")
        return found
    found = AssetType.objects.designated(trace.type_designator).first() if trace.type_designator else None
    if found is None:
        said = f"its type designator {trace.type_designator} names" if trace.type_designator else "it names"
        raise TraceRefused(
            f"{_aircraft(trace)} is not on file and {said} no asset type: give its asset type "
            "(--asset-type SLUG, or the form's asset type)."
        )
    return found


def _aircraft(trace: Trace) -> str:
    if trace.registration and trace.icao_hex:
        return f"{trace.registration} ({trace.icao_hex})"
    return trace.registration or trace.icao_hex


# --- legs and sites ---------------------------------------------------------------------


def site_at(event: Event | None) -> Site | None:
    """The site a take-off or landing was at: the nearest within reach (SITE_REACH_M), if any."""
    if event is None:
        return None
    return Site.objects.within_reach(Point(event.lon, event.lat, srid=4326), SITE_REACH_M).first()


def _matched(number: int, leg: Leg) -> LegReport:
    report = LegReport(number, leg, site_at(leg.takeoff), site_at(leg.landing))
    report.skipped = _why_skipped(report)
    return report


def _why_skipped(report: LegReport) -> str:
    """Why the leg makes no movement ("" when it does)."""
    leg = report.leg
    if leg.takeoff is None and leg.landing is None:
        return "Neither end of this leg is in the trace."
    if leg.takeoff is None:
        return "Where it took off is not in the trace."
    if leg.landing is None:
        return "Where it landed is not in the trace."
    if report.origin is None or report.destination is None:
        return (
            "No site is within reach of "
            + " or of ".join(
                end
                for end, site in (("the take-off", report.origin), ("the landing", report.destination))
                if site is None
            )
            + ": add the site and import the file again."
        )
    if report.origin == report.destination:
        return f"It took off from and landed at {report.origin.name}: a local flight, not a movement."
    if leg.takeoff.day is None and leg.landing.day is None:
        return "Neither date is known: the gaps around take-off and landing span midnight."
    return ""


# --- storing ----------------------------------------------------------------------------


def _store(report: ImportReport, content: bytes, user) -> None:
    if report.asset_created:
        report.asset.save()
    source = report.source = _source(report)
    first = None
    for leg in report.drafted:
        movement = Movement(
            origin=leg.origin,
            destination=leg.destination,
            asset_type=report.asset.asset_type,
            asset=report.asset,
            count=1,
            departed=leg.leg.takeoff.day,
            arrived=leg.leg.landing.day,
            transfer=first,
            notes=_movement_notes(report, leg),
        )
        leg.movement = claims.write_claim(movement, user, sources=[source], action=Action.SUBMIT).claim
        first = first or leg.movement
    # The bytes last: a failure before this leaves no file behind. A copy left by an import
    # that was rolled back after this point is the same bytes under the same name.
    storage = source.file.storage
    if not storage.exists(source.file.name):
        storage.save(source.file.name, ContentFile(content))


def _source(report: ImportReport) -> Source:
    source = Source(
        kind=Source.Kind.FLIGHT_TRACKING,
        title=title_of(report.trace),
        file_name=report.file_name,
        file_sha256=report.sha256,
    )
    source.file.name = source_file_path(source, report.file_name)
    try:
        source.full_clean()
    except ValidationError as error:
        raise TraceRefused(f"The file cannot be recorded as a source: {' '.join(error.messages)}") from None
    source.save()
    return source


def title_of(trace: Trace) -> str:
    """ "ADS-B trace of RA-76845 (152C2D), 2024-12-17" (a range when it spans days)."""
    first, last = trace.positions[0].time.date(), trace.positions[-1].time.date()
    days = f"{first}" if first == last else f"{first} to {last}"
    return f"ADS-B trace of {_aircraft(trace)}, {days}"


def _movement_notes(report: ImportReport, leg: LegReport) -> str:
    lines = [
        f"Drafted from the ADS-B trace {report.file_name} (leg {leg.number}): "
        f"took off {event_time(leg.leg.takeoff)}, landed {event_time(leg.leg.landing)}."
    ]
    return "\n".join([*lines, *leg.leg.notes])


def event_time(event: Event) -> str:
    """ "2024-12-17 05:10 UTC", or the window it fell in when it was not seen."""
    if event.seen:
        return f"{event.earliest:%Y-%m-%d %H:%M} UTC"
    return f"between {event.earliest:%Y-%m-%d %H:%M} and {event.latest:%Y-%m-%d %H:%M} UTC (not seen)"
