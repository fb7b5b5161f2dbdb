"""Archived copies of source links (basewatch.core.archiving makes them)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from basewatch.core.fields import HttpURLField

SHA256 = r"^[0-9a-f]{64}$"

# The files of a capture: (field name, label, file name suffix, content type served).
FILES = (
    ("warc", "WARC", ".warc.gz", "application/warc"),
    ("wacz", "WACZ", ".wacz", "application/wacz"),
    ("screenshot", "Screenshot", ".png", "image/png"),
    ("html", "Rendered HTML", ".html", "text/html"),
)


class CaptureQuerySet(models.QuerySet):
    def latest_first(self) -> CaptureQuerySet:
        """Newest first, as sources list them."""
        return self.order_by("-requested", "-pk")


class Capture(models.Model):
    """One archiving of one source's URL: what was asked for, what came back, and the files kept.

    Each file is stored under its SHA-256 (captures/ab/abcdef….warc.gz), never under a name from
    the page or the person who typed the URL, and its hash and size are kept beside it so anyone
    holding a copy can check it is the one basewatch took."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        ARCHIVED = "archived", "Archived"
        FAILED = "failed", "Failed"
        OFFLINE = "offline", "Not archived (offline)"

    source = models.ForeignKey("core.Source", on_delete=models.CASCADE, related_name="captures")
    url = HttpURLField("URL requested", max_length=1000)
    final_url = models.CharField("final URL", max_length=2000, blank=True, help_text="After redirects.")
    status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    reason = models.CharField(max_length=40, blank=True, help_text="Why it failed or was not archived (a code).")
    message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested = models.DateTimeField(auto_now_add=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    resources = models.PositiveIntegerField(default=0, help_text="Requests the page made that were archived.")
    skipped = models.JSONField(default=list, blank=True, help_text="Requests not fetched: [url, reason].")
    warc = models.FileField(max_length=200, blank=True)
    warc_sha256 = models.CharField("WARC SHA-256", max_length=64, blank=True)
    warc_size = models.PositiveBigIntegerField(null=True, blank=True)
    wacz = models.FileField(max_length=200, blank=True)
    wacz_sha256 = models.CharField("WACZ SHA-256", max_length=64, blank=True)
    wacz_size = models.PositiveBigIntegerField(null=True, blank=True)
    screenshot = models.FileField(max_length=200, blank=True)
    screenshot_sha256 = models.CharField("screenshot SHA-256", max_length=64, blank=True)
    screenshot_size = models.PositiveBigIntegerField(null=True, blank=True)
    html = models.FileField("rendered HTML", max_length=200, blank=True)
    html_sha256 = models.CharField("HTML SHA-256", max_length=64, blank=True)
    html_size = models.PositiveBigIntegerField(null=True, blank=True)

    objects = CaptureQuerySet.as_manager()

    class Meta:
        ordering = ["-requested", "-pk"]
        indexes = [
            # A source's captures, newest first (source and claim pages, the API).
            models.Index(fields=["source", "-requested"], name="capture_source_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(url__iregex=r"^https?://"), name="capture_url_scheme"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}_sha256": ""}) | Q(**{f"{name}_sha256__regex": SHA256}),
                    name=f"capture_{name}_sha256_hex",
                )
                for name, *_ in FILES
            ],
            # An archived capture has its WARC and WACZ; a failed or offline one says why.
            models.CheckConstraint(
                condition=~Q(state="archived") | (~Q(warc_sha256="") & ~Q(wacz_sha256="")),
                name="capture_archived_has_files",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["failed", "offline"]) | ~Q(reason=""), name="capture_failure_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("front:source", args=[self.source_id]) + f"#capture-{self.pk}"

    def stored_files(self) -> list[dict]:
        """The files this capture holds: kind, label, SHA-256, size and download URL."""
        return [
            {
                "kind": name,
                "label": label,
                "sha256": getattr(self, f"{name}_sha256"),
                "size": getattr(self, f"{name}_size"),
                "url": reverse("front:capture-file", args=[self.pk, name]),
            }
            for name, label, *_ in FILES
            if getattr(self, name)
        ]
