"""Evidence images: editors attach them to observations and sources; everyone who may read the
claim sees them, served by basewatch itself with headers that keep them images.

Uploads go through basewatch.core.images (the checks and the re-encoding); these views only
turn its refusals into field errors. Stored files are never reachable under MEDIA_URL: each
answer here decides who may see the image, and says it is an image and nothing else.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from basewatch.core import claims, images
from basewatch.core.models import EvidenceImage, Observation, Source
from basewatch.core.roles import EDITOR
from basewatch.front.access import role_required
from basewatch.front.forms import ImageDetailsForm, ImageForm
from basewatch.lib.dates import parse_day

# An image's own answer: nothing in it may load, run or be framed, whatever the bytes say.
IMAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "img-src 'self'",
        "script-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "sandbox",
    ]
)
VARIANTS = {"full": "file", "thumbnail": "thumbnail", "download": "file"}


def _target(request, kind: str, pk: int) -> Observation | Source:
    """The observation (which the editor must be allowed to change) or source to attach to."""
    if kind == "observation":
        observation = get_object_or_404(Observation, pk=pk)
        if not claims.may_change(request.user, observation):
            raise PermissionDenied
        return observation
    if kind == "source":
        return get_object_or_404(Source, pk=pk)
    raise Http404("Images are attached to observations and sources.")


def _back(image: EvidenceImage) -> str:
    if image.observation_id:
        return reverse("front:observation", args=[image.observation_id])
    return reverse("front:source-edit", args=[image.source_id])


@role_required(EDITOR)
def image_add(request, kind: str, pk: int):
    target = _target(request, kind, pk)
    form = ImageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        checked = form.cleaned_data["file"]
        data = form.cleaned_data
        try:
            image = images.attach(
                checked,
                **{kind: target},
                user=request.user,
                captured=data["captured"],
                credit=data["credit"],
                caption=data["caption"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            if data["captured"] is None and checked.camera_date:
                # The camera's date is a suggestion only: the editor confirms it on the next page.
                messages.info(
                    request,
                    f"The file says it was taken on {checked.camera_date}: confirm that date below, or correct it.",
                )
                query = urlencode({"captured": checked.camera_date.isoformat()})
                return redirect(reverse("front:image-edit", args=[image.pk]) + "?" + query)
            messages.success(request, f"Image added: {image.label}.")
            return redirect(_back(image))
    context = {
        "form": form,
        "target": target,
        "kind": kind,
        "max_bytes": f"{settings.IMAGE_MAX_BYTES / 1_000_000:g} MB",
        "max_pixels": f"{settings.IMAGE_MAX_PIXELS:,}",
    }
    return render(request, "front/image_form.html", context, status=400 if form.errors else 200)


@role_required(EDITOR)
def image_edit(request, pk: int):
    image = get_object_or_404(EvidenceImage.objects.select_related("observation", "source"), pk=pk)
    if image.observation_id and not claims.may_change(request.user, image.observation):
        raise PermissionDenied
    initial = {}
    if "captured" in request.GET:
        # A suggestion that is not a date is no suggestion.
        with contextlib.suppress(ValueError):
            initial["captured"] = parse_day(request.GET["captured"])
    form = ImageDetailsForm(request.POST or None, instance=image, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Image saved: {image.label}.")
        return redirect(_back(image))
    kind = "observation" if image.observation_id else "source"
    context = {"form": form, "image": image, "kind": kind, "target": image.observation or image.source}
    return render(request, "front/image_form.html", context, status=400 if form.errors else 200)


def image_file(request, pk: int, variant: str = "full"):
    """The stored image or its thumbnail, to whoever may read the claim or source it belongs to."""
    if variant not in VARIANTS:
        raise Http404("No such version of the image.")
    image = get_object_or_404(EvidenceImage.objects.visible_to(request.user), pk=pk)
    stored = getattr(image, VARIANTS[variant])
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The stored image is missing.") from None
    name = f"basewatch-image-{image.pk}{'-thumbnail' if variant == 'thumbnail' else ''}.{image.extension}"
    response = FileResponse(handle, content_type=image.content_type, as_attachment=variant == "download", filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_POLICY
    # The bytes never change under a name; who may see them can (a claim retracted), so ask each time.
    response["ETag"] = f'"{image.sha256}{variant[0]}"'
    response["Cache-Control"] = "private, no-cache"
    return response


def gallery(rows) -> dict:
    """What the image list and the before/after comparison show (includes/_images.html)."""
    rows = list(rows)
    return {
        "images": rows,
        "swipe": [
            {
                "id": image.pk,
                "url": reverse("front:image", args=[image.pk]),
                # Short enough for a phone's select; the list above gives the credit.
                "label": " · ".join(filter(None, [image.caption or f"Image {image.pk}", str(image.captured or "")])),
                "width": image.width,
                "height": image.height,
            }
            for image in rows
        ],
    }
