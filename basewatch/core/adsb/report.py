"""An import's report as plain text: what `manage.py import_adsb` prints for each file."""

from __future__ import annotations

from basewatch.core.adsb.importing import ImportReport, LegReport, event_time
from basewatch.core.adsb.legs import Event
from basewatch.core.models import Site


def report_text(report: ImportReport) -> str:
    lines = [f"{report.file_name} (SHA-256 {report.sha256})"]
    if report.duplicate_of is not None:
        return "\n".join([*lines, report.outcome])
    trace = report.trace
    lines.append(f"  {len(trace.positions)} positions, {trace.kind}; type designator {trace.type_designator or '—'}")
    if report.asset is not None:
        state = "new, unconfirmed until a reviewer publishes a movement" if report.asset_created else "on file"
        lines.append(f"  Aircraft: {report.asset.label} ({report.asset.asset_type}), {state}")
    if not report.legs:
        lines.append("  No take-off or landing in the trace.")
    for leg in report.legs:
        lines.extend(_leg_lines(leg))
    if report.source is not None and report.source.pk is not None:
        source = report.source
        lines.append(
            f"  Source {source.pk}: “{source.title}”, {source.get_kind_display().lower()}, file {source.file.name}"
        )
    lines.append(report.outcome)
    return "\n".join(lines)


def _leg_lines(leg: LegReport) -> list[str]:
    origin, destination = leg.origin.name if leg.origin else "?", leg.destination.name if leg.destination else "?"
    lines = [
        f"  Leg {leg.number}: {origin} → {destination}",
        f"    took off {_end(leg.leg.takeoff, leg.origin)}",
        f"    landed   {_end(leg.leg.landing, leg.destination)}",
    ]
    lines.extend(f"    note: {note}" for note in leg.leg.notes)
    if leg.movement is not None and leg.movement.pk is not None:
        movement = leg.movement
        part = f" (leg of transfer {movement.transfer_id})" if movement.transfer_id else ""
        lines.append(
            f"    movement {movement.pk}{part}, {movement.get_state_display().lower()}: {movement.get_absolute_url()}"
        )
    elif leg.skipped:
        lines.append(f"    no movement: {leg.skipped}")
    return lines


def _end(event: Event | None, site: Site | None) -> str:
    if event is None:
        return "— not in the trace"
    where = f"{event_time(event)} at lat {event.lat:.4f}, lon {event.lon:.4f}"
    if site is None:
        return f"{where}: no site within reach"
    return f"{where}: {site.name} ({site.slug}), {site.distance_m / 1000:.1f} km from its location"
