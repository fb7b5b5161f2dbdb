"""Evidence images: satellite crops and photos attached to an observation or a source.

What is stored is never the file an editor uploaded but Pillow's re-encoding of its pixels
(basewatch.core.images): no EXIF, GPS, XMP, ICC profile, comment or trailing payload
survives. The SHA-256 of the upload is kept so the image can be matched with the copy
it came from; the SHA-256 of the stored file names it in storage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from basewatch.core.expressions import LatestAllowedDate
from basewatch.core.models.catalogue import Source, _dates_in_range, _raise
from basewatch.core.models.claims import Observation


class EvidenceImageQuerySet(models.QuerySet):
    def public(self) -> EvidenceImageQuerySet:
        """Images anyone may see: of published observations, and of sources a published claim cites."""
        from basewatch.core.models import Movement

        cited = Q(observations__in=Observation.objects.published()) | Q(movements__in=Movement.objects.published())
        return self.filter(Q(observation__state="published") | Q(source__in=Source.objects.filter(cited).values("pk")))

    def visible_to(self, user) -> EvidenceImageQuerySet:
        """Images `user` may see: all for viewers and up (as claims, core.querysets), public ones for anyone else."""
        from basewatch.core.roles import can_view_unpublished

        return self if can_view_unpublished(user) else self.public()

    def of_site(self, site) -> EvidenceImageQuerySet:
        """Images of the site's observations and of the sources those observations cite, oldest capture first."""
        sources = Source.objects.filter(observations__site=site).values("pk")
        return (
            self.filter(Q(observation__site=site) | Q(source__in=sources))
            .distinct()
            .order_by(models.F("captured").asc(nulls_last=True), "pk")
        )


def _stored_name(image: EvidenceImage, kind: str, extension: str) -> str:
    return f"images/{image.sha256[:2]}/{image.sha256}{kind}.{extension}"


def image_path(image: EvidenceImage, filename: str) -> str:
    """images/ab/abcdef….jpg: named by the stored file's SHA-256, never by anything a user typed."""
    return _stored_name(image, "", image.extension)


def thumbnail_path(image: EvidenceImage, filename: str) -> str:
    return _stored_name(image, "-thumb", image.extension)


class EvidenceImage(models.Model):
    class Format(models.TextChoices):
        """Formats stored: what browsers show. TIFF uploads are stored as PNG."""

        JPEG = "JPEG", "JPEG"
        PNG = "PNG", "PNG"
        WEBP = "WEBP", "WebP"

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, null=True, blank=True, related_name="images")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, null=True, blank=True, related_name="images")
    file = models.FileField(upload_to=image_path, max_length=200, editable=False)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=200, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False, help_text="Of the stored file.")
    original_sha256 = models.CharField(
        "SHA-256 of the upload", max_length=64, editable=False, help_text="Of the file as it was uploaded."
    )
    original_format = models.CharField("uploaded as", max_length=10, editable=False)
    format = models.CharField(max_length=10, choices=Format.choices, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    size = models.PositiveIntegerField("size in bytes", editable=False)
    captured = models.DateField(
        "captured on", null=True, blank=True, help_text="When the image was taken, as the editor confirms it."
    )
    credit = models.CharField(max_length=200, blank=True, help_text="Who made the image: Maxar Technologies, @handle …")
    caption = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded = models.DateTimeField(auto_now_add=True)

    objects = EvidenceImageQuerySet.as_manager()

    class Meta:
        ordering = ["captured", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(observation__isnull=False, source__isnull=True)
                | Q(observation__isnull=True, source__isnull=False),
                name="evidenceimage_one_target",
                violation_error_message="An image belongs to one observation or one source.",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$") & Q(original_sha256__regex=r"^[0-9a-f]{64}$"),
                name="evidenceimage_sha256_hex",
            ),
            models.CheckConstraint(
                condition=Q(captured__isnull=True) | Q(captured__lte=LatestAllowedDate()),
                name="evidenceimage_captured_not_future",
            ),
            models.CheckConstraint(condition=Q(format__in=["JPEG", "PNG", "WEBP"]), name="evidenceimage_format"),
            # The same picture is attached to a claim or source once.
            models.UniqueConstraint(
                fields=["observation", "sha256"],
                condition=Q(observation__isnull=False),
                name="evidenceimage_once_per_observation",
            ),
            models.UniqueConstraint(
                fields=["source", "sha256"], condition=Q(source__isnull=False), name="evidenceimage_once_per_source"
            ),
        ]

    def __str__(self) -> str:
        return self.caption or f"Image {self.pk} ({self.width} × {self.height})"

    def get_absolute_url(self) -> str:
        return reverse("front:image", args=[self.pk])

    @property
    def extension(self) -> str:
        return {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[self.format]

    @property
    def content_type(self) -> str:
        return f"image/{self.extension.replace('jpg', 'jpeg')}"

    @property
    def label(self) -> str:
        """What the image is, in a line: caption, credit, capture date."""
        parts = [self.caption or f"Image {self.pk}"]
        if self.credit:
            parts.append(f"© {self.credit}")
        if self.captured:
            parts.append(self.captured.isoformat())
        return " · ".join(parts)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _dates_in_range(errors, captured=self.captured)
        _raise(errors)
