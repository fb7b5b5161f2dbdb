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
    ("thumbnail", "Thumbnail", ".png", "image/png"),
    ("manifest", "Manifest", ".json", "application/json"),
    ("tsr", "RFC 3161 timestamp", ".tsr", "application/timestamp-reply"),
)
# The files the fetcher makes (basewatch.lib.webarchive); the others are made from them.
FETCHED = ("warc", "wacz", "screenshot", "html")


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

    class Timestamp(models.TextChoices):
        NONE = "", "Not asked for"
        STAMPED = "stamped", "Timestamped"
        FAILED = "failed", "Timestamp failed"

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
    thumbnail = models.FileField(max_length=200, blank=True, help_text="The top of the screenshot, small.")
    thumbnail_sha256 = models.CharField("thumbnail SHA-256", max_length=64, blank=True)
    thumbnail_size = models.PositiveBigIntegerField(null=True, blank=True)
    manifest = models.FileField(max_length=200, blank=True, help_text="URL, time and every file's SHA-256, as JSON.")
    manifest_sha256 = models.CharField("manifest SHA-256", max_length=64, blank=True)
    manifest_size = models.PositiveBigIntegerField(null=True, blank=True)
    # What changed since the last archived capture of the same source: the rendered HTML's
    # hash (the WARC's always differs: its records carry the time and the server's headers).
    compared_with = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="The previous capture."
    )
    page_changed = models.BooleanField(
        null=True, blank=True, help_text="Whether the rendered page differs from the previous capture's."
    )
    # An RFC 3161 timestamp over the manifest's SHA-256 (settings.ARCHIVE_TSA_URL).
    timestamp = models.CharField(max_length=10, choices=Timestamp.choices, default=Timestamp.NONE, blank=True)
    timestamp_reason = models.CharField(max_length=40, blank=True, help_text="Why the timestamp failed (a code).")
    timestamp_message = models.TextField(blank=True)
    timestamp_time = models.DateTimeField("time stamped", null=True, blank=True, help_text="The authority's time.")
    timestamp_authority = models.CharField("time-stamping authority", max_length=300, blank=True)
    tsr = models.FileField("timestamp response", max_length=200, blank=True)
    tsr_sha256 = models.CharField("timestamp response SHA-256", max_length=64, blank=True)
    tsr_size = models.PositiveBigIntegerField(null=True, blank=True)

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
            # A timestamp is the authority's response and its time; a failed one says why.
            models.CheckConstraint(
                condition=~Q(timestamp="stamped") | (~Q(tsr_sha256="") & Q(timestamp_time__isnull=False)),
                name="capture_stamped_has_response",
            ),
            models.CheckConstraint(
                condition=~Q(timestamp="failed") | ~Q(timestamp_reason=""), name="capture_timestamp_failure_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("front:source", args=[self.source_id]) + f"#capture-{self.pk}"

    def file_url(self, kind: str) -> str:
        return reverse("front:capture-file", args=[self.pk, kind])

    def stored_files(self) -> list[dict]:
        """The files this capture holds: kind, label, SHA-256, size and download URL."""
        return [
            {
                "kind": name,
                "label": label,
                "sha256": getattr(self, f"{name}_sha256"),
                "size": getattr(self, f"{name}_size"),
                "url": self.file_url(name),
            }
            for name, label, *_ in FILES
            if getattr(self, name)
        ]
