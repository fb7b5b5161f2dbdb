"""Editorial workflow states shared by observations and movements."""

from __future__ import annotations

from django.db import models


class State(models.TextChoices):
    """Only published items are public; nothing is ever deleted, it is retracted."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    RETRACTED = "retracted", "Retracted"
