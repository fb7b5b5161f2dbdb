"""A source's page with its captures, the captured files, and "archive again".

Captured files are the archived site's bytes, not basewatch's: whatever they hold (scripts,
forms, markup made to look like basewatch) must never run or render as a page of basewatch's
origin. So every file is sent as an attachment (`Content-Disposition`), with `nosniff` and a
Content-Security-Policy that sandboxes it into an origin of its own and lets it load nothing,
should a browser render it anyway. A screenshot or its thumbnail may be viewed in place
(`?view`): a PNG under the same policy is a picture and nothing else. Files are read from the
storage (local or S3) and streamed: no storage URL is ever handed out.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from basewatch.core import archiving
from basewatch.core.models import Capture, Source
from basewatch.core.models.captures import FILES
from basewatch.core.roles import EDITOR, has_role
from basewatch.front.access import role_required

SANDBOX = "default-src 'none'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; sandbox"
VIEWABLE = {"screenshot", "thumbnail"}
TYPES = {name: (suffix, content_type) for name, _label, suffix, content_type in FILES}


def source(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    captures = source.captures.latest_first()
    context = {"source": source, "captures": captures, "may_archive": has_role(request.user, EDITOR)}
    return render(request, "front/source.html", context)


def capture_file(request, pk: int, kind: str):
    if kind not in TYPES:
        raise Http404("No such file kind.")
    capture = get_object_or_404(Capture, pk=pk)
    stored = getattr(capture, kind)
    if not stored:
        raise Http404("This capture holds no such file.")
    suffix, content_type = TYPES[kind]
    view = kind in VIEWABLE and "view" in request.GET
    response = FileResponse(
        default_storage.open(stored.name),
        as_attachment=not view,
        filename=f"basewatch-capture-{capture.pk}{suffix}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # The bytes of a capture never change (they are named by their hash).
    response["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@require_POST
@role_required(EDITOR)
def archive_again(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    if not source.url:
        messages.error(request, "This source has no URL to archive.")
    else:
        with transaction.atomic():
            archiving.queue(source)
        messages.success(request, "A new capture of this source is queued.")
    return redirect("front:source", pk=source.pk)
