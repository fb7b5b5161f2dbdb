"""Running an import: every row through the one claim write path, kept or rolled back.

A dry run and a real import do the same thing: each row is written by
basewatch.core.claims.write_claim as a draft of the importer's, in a savepoint of its own
(a refused row takes nothing with it), inside one transaction. A dry run then rolls the
whole transaction back, so its preview is what the write path said about every row, on
the data on file, with the rows before it in place (a duplicate within the file shows);
an all-or-nothing import rolls back too when any row failed. Otherwise it commits.

However long it runs, it raises the data version once, at its end (changes.raised_once):
other editors' writes do not wait for it on the version's row.
"""

from __future__ import annotations

import hashlib

from django.db import DatabaseError, transaction
from django.utils import timezone

from basewatch.core import claims
from basewatch.core.duplicates import DuplicateObservation
from basewatch.core.imports import catalogue
from basewatch.core.imports.parsing import FileRefused, ParsedFile, parse_file
from basewatch.core.imports.rows import MOVEMENT_COLUMNS, OBSERVATION_COLUMNS, REQUIRED, Lookups, read_row
from basewatch.core.models import ImportReport, Movement
from basewatch.core.models.changes import raised_once
from basewatch.core.workflow import State

REQUIRED_COLUMNS = {**REQUIRED, **catalogue.REQUIRED}

# write_claim's error keys that are not column names.
FIELD_COLUMNS = {None: "", "new_sources": "sources", "action": "", "reason": ""}


class _RollBack(Exception):
    """Leaves the import's transaction, undoing every row."""


def detect_kind(parsed: ParsedFile, wanted: str | None = None) -> str:
    """observations, movements, sites or sources, by the columns (or `wanted`, when the editor chose);
    a file with no kind's required columns, or with two kinds' and no choice, is refused."""
    columns = set(parsed.columns)
    if wanted:
        missing = REQUIRED_COLUMNS[wanted] - columns
        if missing:
            raise FileRefused(f"The header lacks {', '.join(sorted(missing))}, which {wanted} need.")
        return wanted
    fitting = [kind for kind, required in REQUIRED_COLUMNS.items() if required <= columns]
    if len(fitting) == 1:
        return fitting[0]
    if fitting:
        raise FileRefused(f"The header has the columns of {' and of '.join(fitting)}: choose what the file holds.")
    kind = _nearest_kind(columns)
    missing = REQUIRED_COLUMNS[kind] - columns
    layouts = "; ".join(f"{name} need {', '.join(sorted(required))}" for name, required in REQUIRED_COLUMNS.items())
    raise FileRefused(f"The header lacks {', '.join(sorted(missing))}: see the column layouts ({layouts}).")


def _nearest_kind(columns: set[str]) -> str:
    """The kind a header that fits none was most likely meant to be (its message names what is missing)."""
    if {"origin", "destination"} & columns:
        return "movements"
    if {"operator", "host_country", "slug"} & columns:
        return "sites"
    if {"title", "publisher", "url"} & columns and "sources" not in columns:
        return "sources"
    return "observations"


def known_columns(kind: str) -> list[str]:
    return {
        "observations": OBSERVATION_COLUMNS,
        "movements": MOVEMENT_COLUMNS,
        "sites": catalogue.SITE_COLUMNS,
        "sources": catalogue.SOURCE_COLUMNS,
    }[kind]


def prepare(
    content: bytes, file_name: str, user, *, all_or_nothing: bool = False, kind: str | None = None
) -> ImportReport:
    """The file parsed into an unsaved report holding its rows (nothing checked yet). Raises FileRefused.

    `kind` (ImportReport.Kind) is what the editor said the file holds; by default its header says."""
    parsed = parse_file(content, file_name)
    return ImportReport(
        entered_by_id=user.pk,
        file_name=file_name[-255:],
        sha256=hashlib.sha256(content).hexdigest(),
        file_format=parsed.format,
        kind=detect_kind(parsed, kind),
        all_or_nothing=all_or_nothing,
        rows=[[number, cells] for number, cells in parsed.rows],
        row_count=len(parsed.rows),
    )


def check(report: ImportReport, user) -> ImportReport:
    """The dry run: every row tried and rolled back; the report saved with the results (state preview)."""
    _run(report, user, store=False)
    report.state, report.message = ImportReport.State.PREVIEW, ""
    report.save()
    return report


def preview(
    content: bytes, file_name: str, user, *, all_or_nothing: bool = False, kind: str | None = None
) -> ImportReport:
    """Parse the file and dry-run every row; store only the report (state preview). Raises FileRefused."""
    return check(prepare(content, file_name, user, all_or_nothing=all_or_nothing, kind=kind), user)


def check_later(report: ImportReport) -> ImportReport:
    """Save the report (state checking) and leave its dry run to the job queue (core.tasks.check_import)."""
    from basewatch.core import tasks

    with transaction.atomic():
        report.state = ImportReport.State.CHECKING
        report.save()
        tasks.check_import.defer(report_id=report.pk)
    return report


def confirm(report: ImportReport, user) -> ImportReport:
    """Import the report's rows for real (the rows the preview showed, as parsed then)."""
    with transaction.atomic():
        # A second confirm (a double click, two tabs) waits here, then finds it imported.
        report = ImportReport.objects.select_for_update().get(pk=report.pk)
        if report.state not in (ImportReport.State.PREVIEW, ImportReport.State.IMPORTING):
            return report
        stored = _run(report, user, store=True)
        report.state = ImportReport.State.IMPORTED if stored else ImportReport.State.PREVIEW
        report.imported, report.message = (timezone.now() if stored else None), ""
        report.save()
    return report


def confirm_later(report: ImportReport) -> ImportReport:
    """Mark a previewed report as being imported and leave the import to the job queue (core.tasks.import_rows)."""
    from basewatch.core import tasks

    with transaction.atomic():
        report = ImportReport.objects.select_for_update().get(pk=report.pk)
        if report.state == ImportReport.State.PREVIEW:  # else already on its way, or done
            report.state = ImportReport.State.IMPORTING
            report.save(update_fields=["state"])
            tasks.import_rows.defer(report_id=report.pk)
    return report


def stopped(report_id: int, error: BaseException) -> None:
    """Record that a job of the report stopped on an error: its transaction was rolled back, nothing stored.

    A check that stopped failed; an import that stopped is back to its preview, to confirm again.
    """
    report = ImportReport.objects.get(pk=report_id)
    failed = report.state == ImportReport.State.CHECKING
    report.state = ImportReport.State.FAILED if failed else ImportReport.State.PREVIEW
    report.message = (
        f"The {'check' if failed else 'import'} stopped on an error ({error.__class__.__name__}); nothing was stored."
    )
    report.save(update_fields=["state", "message"])


def import_now(
    content: bytes, file_name: str, user, *, all_or_nothing: bool = False, kind: str | None = None
) -> ImportReport:
    """Preview and confirm at once (the command without --dry-run)."""
    return confirm(preview(content, file_name, user, all_or_nothing=all_or_nothing, kind=kind), user)


def _run(report: ImportReport, user, *, store: bool) -> bool:
    """Write every row; keep them if `store` (and all-or-nothing allows). Fills the report's results."""
    results: list[dict] = []
    kept = False
    try:
        with transaction.atomic(), raised_once():
            lookups = Lookups()
            spreadsheet = report.file_format != "geojson"
            for number, cells in report.rows:
                results.append(_one(report.kind, number, cells, user, lookups, spreadsheet))
            failed = any(result["outcome"] == "error" for result in results)
            if not store or (report.all_or_nothing and failed):
                raise _RollBack
            kept = True
    except _RollBack:
        for result in results:
            if result["outcome"] == "create":
                result["claim"] = None  # its id was rolled back with it
    report.results = results
    report.row_count = len(results)
    report.created_count = sum(result["outcome"] == "create" for result in results)
    report.changed_count = sum(result["outcome"] == "change" for result in results)
    report.duplicate_count = sum(result["outcome"] in ("duplicate", "match") for result in results)
    report.error_count = sum(result["outcome"] == "error" for result in results)
    return kept


def _one(kind: str, number: int, cells: dict[str, str], user, lookups: Lookups, spreadsheet: bool) -> dict:
    if kind in catalogue.KINDS:
        return catalogue.import_row(kind, number, cells, user, lookups, spreadsheet)
    row = read_row(kind, cells, lookups, spreadsheet=spreadsheet)
    result = {"row": number, "outcome": "error", "summary": "", "matched": row.matched, "new": [], "claim": None}
    result["new"] = [_source_text(source) for source in row.new_sources]
    if row.errors:
        result["errors"] = _errors(row.errors)
        return result
    claim = row.claim
    result["summary"] = str(claim)
    duplicate = _same_movement(claim, row.sources) if isinstance(claim, Movement) else None
    if duplicate is not None:
        result.update(outcome="duplicate", claim=duplicate.pk, errors=[_duplicate_movement(duplicate)])
        return result
    try:
        written = claims.write_claim(claim, user, sources=row.sources, new_sources=row.new_sources)
    except DuplicateObservation as duplicate:
        result.update(outcome="duplicate", claim=duplicate.existing.pk)
        result["errors"] = [{"column": "", "message": duplicate.message}]
        return result
    except claims.ClaimRefused as refused:
        result["errors"] = _errors({FIELD_COLUMNS.get(name, name): message for name, message in refused.errors.items()})
        return result
    except DatabaseError as error:
        # A constraint the model's clean() does not mirror; write_claim's savepoint undid the row.
        result["errors"] = [{"column": "", "message": f"The database refused the row: {error.__class__.__name__}."}]
        return result
    for source in [*row.new_sources, *written.reused_sources]:
        if source.pk is not None:
            lookups.stored(source)
    result.update(outcome="create", claim=written.claim.pk, errors=[])
    return result


def _errors(errors: dict[str, str]) -> list[dict]:
    return [{"column": column or "", "message": message} for column, message in errors.items()]


def _source_text(source) -> str:
    text = str(source)
    return f"{text} <{source.url}>" if source.url and source.url != text else text


def _same_movement(movement: Movement, sources) -> Movement | None:
    """A live movement on file saying the same (sites, type, dates) from one of the row's sources on file."""
    if not sources:
        return None
    same = Movement.objects.filter(
        origin=movement.origin,
        destination=movement.destination,
        asset_type=movement.asset_type,
        departed=movement.departed,
        arrived=movement.arrived,
        sources__in=sources,
    )
    return same.exclude(state__in=[State.REJECTED, State.RETRACTED]).order_by("pk").first()


def _duplicate_movement(movement: Movement) -> dict:
    return {
        "column": "",
        "message": f"Movement {movement.pk} already records {movement} on these dates from the same source: "
        "edit that one instead.",
    }


def report_text(report: ImportReport) -> str:
    """The report as the command prints it: one line per row, then its errors by column."""
    lines = [
        f"{report.file_name} (SHA-256 {report.sha256}), {report.get_kind_display().lower()}, {report.file_format}",
    ]
    for result in report.results:
        head = f"  Row {result['row']}: {result['outcome']}"
        if result["summary"]:
            head += f": {result['summary']}"
        if result.get("claim") and report.state == ImportReport.State.IMPORTED:
            head += f" (#{result['claim']})"
        lines.append(head)
        lines.extend(f"    new source: {text}" for text in result["new"])
        lines.extend(f"    {c['field']}: {c['old']} → {c['new']}" for c in result.get("changes", []))
        for error in result.get("errors", []):
            lines.append(f"    {error['column'] or 'row'}: {error['message']}")
    lines.append(outcome(report))
    return "\n".join(lines)


def outcome(report: ImportReport) -> str:
    if report.state == ImportReport.State.CHECKING:
        return f"{report.row_count} rows, being checked in the background: nothing stored."
    if report.state == ImportReport.State.IMPORTING:
        return f"{report.row_count} rows, being imported in the background."
    if report.state == ImportReport.State.FAILED:
        return report.message
    if report.kind in catalogue.KINDS:
        noun = report.kind
        counts = (
            f"{report.row_count} rows: {report.created_count} new, {report.changed_count} changed, "
            f"{report.duplicate_count} on file unchanged or given twice, {report.error_count} with errors."
        )
        stored = f"Stored {report.created_count} new and {report.changed_count} changed {noun}."
    else:
        counts = (
            f"{report.row_count} rows: {report.created_count} new, "
            f"{report.duplicate_count} already on file, {report.error_count} with errors."
        )
        stored = f"Stored {report.created_count} drafts."
    if report.state == ImportReport.State.IMPORTED:
        return f"{counts} {stored}"
    if report.all_or_nothing and report.error_count:
        return f"{counts} Nothing stored: all or nothing, and some rows have errors."
    return f"{counts} Nothing stored yet (dry run)."
