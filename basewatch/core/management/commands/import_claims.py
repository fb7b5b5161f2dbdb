"""Import a spreadsheet of observations, movements, sites or sources (basewatch.core.imports).

    manage.py import_claims observations.csv [--dry-run] [--all-or-nothing] [--user ana] [--kind sites]

The name is kept from when it took claims only: it takes all four kinds, told apart by the
header (or by --kind, when the header has the columns of two). Observations and movements
are stored as drafts; sites and sources as the site and source forms store them.

Prints the report: each row with what it creates (or would), what it matched, and every
error with its row, column and reason. With --dry-run nothing is stored; without, the
valid rows are stored as drafts in one transaction (none with --all-or-nothing if any row
fails) and the report is kept, as the upload page keeps it. The exit status is non-zero
when the file is refused or any row has an error.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from basewatch.core.imports import importing
from basewatch.core.imports.parsing import FileRefused
from basewatch.core.management.inputs import read_at_most, writer_named
from basewatch.core.models import ImportReport


class Command(BaseCommand):
    help = (
        "Import a CSV, XLSX or GeoJSON of observations or movements (as drafts), sites or sources, "
        "with the columns of the CSV exports."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--user", help="The editor the drafts are entered by (default: the system).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would be stored; store nothing.")
        parser.add_argument("--all-or-nothing", action="store_true", help="Store no row if any row has an error.")
        parser.add_argument(
            "--kind", choices=ImportReport.Kind.values, help="What the file holds (default: what its header says)."
        )

    def handle(
        self, *args, file: str, user: str | None, dry_run: bool, all_or_nothing: bool, kind: str | None, **options
    ) -> None:
        writer = writer_named(user, "import")
        path = Path(file)
        try:
            content = read_at_most(path, settings.IMPORT_MAX_BYTES, "an import", FileRefused)
            report = importing.preview(content, path.name, writer, all_or_nothing=all_or_nothing, kind=kind)
        except FileRefused as refused:
            raise CommandError(f"{file}: refused, nothing stored. {refused.message}") from None
        if not dry_run:
            report = importing.confirm(report, writer)
        self.stdout.write(importing.report_text(report))
        if report.state == ImportReport.State.PREVIEW and not dry_run:
            raise CommandError("Nothing stored.")
        if report.error_count:
            raise CommandError(f"{report.error_count} row{'s' if report.error_count != 1 else ''} with errors.")
