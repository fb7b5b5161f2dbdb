"""Editor pages: import a spreadsheet of claims, sites or sources (basewatch.core.imports does the work).

Uploading a file is always a dry run: the file is parsed, every row tried through the claim
write path and rolled back, and the editor lands on the report: each row with what it
would create, what it matched on file, and every error with its row, column and reason.
Nothing is stored until they confirm on that page; confirming imports the rows the report
holds (as parsed at upload, so the preview is what goes in) as their drafts.

A file of up to settings.IMPORT_ROWS_WHILE_YOU_WAIT rows is checked and imported within the
request; a bigger one by the job queue's worker, while the report page says so and reloads:
a request never runs longer than a few seconds, however big the file.

A file over settings.IMPORT_MAX_BYTES is a 413 form error: the upload is cut off at the
limit (front.uploads.size_limited), so a huge file is never kept whole.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from basewatch.core.imports import catalogue, importing
from basewatch.core.imports.parsing import FileRefused
from basewatch.core.imports.rows import MOVEMENT_COLUMNS, OBSERVATION_COLUMNS
from basewatch.core.models import ImportReport
from basewatch.core.roles import EDITOR
from basewatch.front.access import role_required
from basewatch.front.forms import ClaimImportForm
from basewatch.front.uploads import UploadSizeLimit, size_limited


@role_required(EDITOR)
@size_limited("IMPORT_MAX_BYTES")
def claim_import(request, limit: UploadSizeLimit):
    status = 200
    if request.method == "POST":
        form = ClaimImportForm(request.POST, request.FILES, too_big=limit.too_big)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = importing.prepare(
                    b"".join(upload.chunks()),  # within the limit: the form checked its size
                    upload.name,
                    request.user,
                    all_or_nothing=form.cleaned_data["all_or_nothing"],
                    kind=form.cleaned_data["kind"] or None,
                )
            except FileRefused as refused:
                form.add_error("file", refused.message)
            else:
                if _while_you_wait(report):
                    importing.check(report, request.user)
                else:
                    importing.check_later(report)
                return redirect(report)
        status = 413 if limit.too_big else 400
    else:
        form = ClaimImportForm()
    context = {
        "form": form,
        "max_mb": settings.IMPORT_MAX_BYTES / 1_000_000,
        "max_rows": f"{settings.IMPORT_MAX_ROWS:,}",
        "observation_columns": OBSERVATION_COLUMNS,
        "movement_columns": MOVEMENT_COLUMNS,
        "site_columns": catalogue.SITE_COLUMNS,
        "site_extra_columns": catalogue.SITE_EXTRA_COLUMNS,
        "source_columns": catalogue.SOURCE_COLUMNS,
        "reports": ImportReport.objects.filter(entered_by=request.user).defer("rows", "results")[:10],
    }
    return render(request, "front/claim_import.html", context, status=status)


def _while_you_wait(report: ImportReport) -> bool:
    return report.row_count <= settings.IMPORT_ROWS_WHILE_YOU_WAIT


def _get_report_for_user(user, pk: int) -> ImportReport:
    """An editor's own reports: the rows may hold unpublished work of theirs."""
    return get_object_or_404(ImportReport, pk=pk, entered_by=user)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(EDITOR)
def claim_import_report(request, pk: int):
    report = _get_report_for_user(request.user, pk)
    if request.method == "POST":
        waited = _while_you_wait(report)
        report = importing.confirm(report, request.user) if waited else importing.confirm_later(report)
        if report.state in (ImportReport.State.IMPORTED, ImportReport.State.IMPORTING):
            return redirect(report)
    errors = [
        (result["row"], error["column"], error["message"])
        for result in report.results
        if result["outcome"] == "error"
        for error in result.get("errors", [])
    ]
    context = {
        "report": report,
        "outcome": importing.outcome(report),
        "errors": errors,
        "catalogue": report.kind in catalogue.KINDS,
    }
    return render(request, "front/claim_import_report.html", context)
