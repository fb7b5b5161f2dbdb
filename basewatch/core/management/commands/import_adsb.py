"""Import ADS-B trace files as movements for review (basewatch.core.adsb).

    manage.py import_adsb trace_full_152c2d.json [more files…] [--user ana] [--asset-type il-76]
    manage.py import_adsb positions.csv --registration RA-76845 [--hex 152C2D] [--dry-run]

Each file is imported on its own (all of it or nothing) and its report printed; a file
refused is named with the reason, the others still go in. The exit status is non-zero
when any file was refused.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from basewatch.core.adsb.importing import import_trace
from basewatch.core.adsb.parsing import TraceRefused
from basewatch.core.adsb.report import report_text
from basewatch.core.management.inputs import read_at_most, writer_named


class Command(BaseCommand):
    help = "Turn ADS-B traces (readsb trace_full JSON, or a CSV of positions) into movements submitted for review."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--user", help="The editor the movements are entered by (default: the system).")
        parser.add_argument("--asset-type", default="", help="Slug of the aircraft's type, if it is new.")
        parser.add_argument("--hex", default="", help="The aircraft's ICAO hex (for a CSV).")
        parser.add_argument("--registration", default="", help="The aircraft's registration (for a CSV).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would be stored; store nothing.")

    def handle(self, *args, files: list[str], user: str | None, dry_run: bool, **options) -> None:
        writer = writer_named(user, "enter movements")
        refused = 0
        for name in files:
            try:
                report = import_trace(
                    read_at_most(Path(name), settings.TRACE_MAX_BYTES, "a trace", TraceRefused),
                    name,
                    writer,
                    icao_hex=options["hex"],
                    registration=options["registration"],
                    asset_type=options["asset_type"],
                    dry_run=dry_run,
                )
            except TraceRefused as error:
                refused += 1
                self.stderr.write(f"{name}: refused, nothing stored. {error.message}")
                continue
            self.stdout.write(report_text(report))
        if refused:
            raise CommandError(f"{refused} of {len(files)} file{'s' if len(files) != 1 else ''} refused.")
