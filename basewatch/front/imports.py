"""Editor page: import ADS-B traces as movements for review (basewatch.core.adsb does the work).

The page takes one file, imports it whole or not at all, and shows the report: each leg
with its take-off and landing (the site matched, or the coordinates), the movement drafted
for it or why there is none. A bad file is a form error naming the problem (400), a file
over settings.TRACE_MAX_BYTES one too (413): the upload is cut off at the limit, so a
200 MB file is neither kept in memory nor written to a temporary file.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from basewatch.core.adsb.importing import import_trace
from basewatch.core.adsb.parsing import TraceRefused
from basewatch.core.roles import EDITOR
from basewatch.front.access import role_required
from basewatch.front.forms import TraceImportForm
from basewatch.front.uploads import UploadSizeLimit, size_limited


@role_required(EDITOR)
@size_limited("TRACE_MAX_BYTES")
def adsb_import(request, limit: UploadSizeLimit):
    report, status = None, 200
    if request.method == "POST":
        form = TraceImportForm(request.POST, request.FILES, too_big=limit.too_big)
        if form.is_valid():
            try:
                report = _import(request, form.cleaned_data)
            except TraceRefused as refused:
                form.add_error("file", refused.message)
        if form.errors:
            status = 413 if limit.too_big else 400
        else:
            form = TraceImportForm()  # ready for the next file
    else:
        form = TraceImportForm()
    context = {"form": form, "report": report, "max_mb": settings.TRACE_MAX_BYTES / 1_000_000}
    return render(request, "front/adsb_import.html", context, status=status)


def _import(request, data: dict):
    upload = data["file"]
    asset_type = data["asset_type"]
    return import_trace(
        b"".join(upload.chunks()),  # within the limit: the form checked its size
        upload.name,
        request.user,
        icao_hex=data["icao_hex"],
        registration=data["registration"],
        asset_type=asset_type.slug if asset_type else "",
        dry_run=data["dry_run"],
    )
