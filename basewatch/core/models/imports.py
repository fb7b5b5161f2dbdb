"""Import reports: what a spreadsheet of claims, sites or sources held, row by row, and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class ImportReport(models.Model):
    """One file of claims, sites or sources handed to basewatch (basewatch.core.imports).

    A report is made by the dry run (state preview) and keeps the rows as parsed: confirming
    imports those very rows, so what is stored is what the preview showed, whatever happens
    to the file in between. A big file's dry run and import run in the background (states
    checking and importing; basewatch.core.tasks), a small one's while the editor waits.
    `results` holds one entry per row: its number, outcome (create, duplicate, error; for
    sites and sources also change and match), what it says, what it matched on file, the
    fields it changes (old, new) and its errors by column.
    """

    class Kind(models.TextChoices):
        OBSERVATIONS = "observations", "Observations"
        MOVEMENTS = "movements", "Movements"
        SITES = "sites", "Sites"
        SOURCES = "sources", "Sources"

    class State(models.TextChoices):
        CHECKING = "checking", "Being checked: nothing stored"
        PREVIEW = "preview", "Previewed: nothing stored"
        IMPORTING = "importing", "Being imported"
        IMPORTED = "imported", "Imported as drafts"
        FAILED = "failed", "Failed: nothing stored"

    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    imported = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    file_format = models.CharField(max_length=10)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    all_or_nothing = models.BooleanField(default=False, help_text="Store no row if any row fails.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEW)
    row_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0, help_text="Sites on file the file changes.")
    duplicate_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    rows = models.JSONField(default=list, help_text="The cells of each row as parsed: what a confirm imports.")
    results = models.JSONField(default=list)
    message = models.TextField(blank=True, help_text="Why a check or an import in the background stopped.")

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="import_report_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display().lower()}, {self.get_state_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("front:claim-import-report", args=[self.pk])

    @property
    def in_background(self) -> bool:
        """Waiting for, or being worked on by, the job queue's worker."""
        return self.state in (self.State.CHECKING, self.State.IMPORTING)
