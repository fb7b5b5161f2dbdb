"""Webhook endpoints partners register, and the log of every delivery and attempt.

A delivery is one event for one endpoint: its message id and body are fixed when the
event happens, so a retry sends the same bytes under the same `webhook-id` (receivers
deduplicate on it). Each try is an Attempt with its outcome, kept for admins.
"""

from __future__ import annotations

import base64
import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from basewatch.core.events import Event

SECRET_PREFIX = "whsec_"  # noqa: S105 (the marker of a Standard Webhooks secret, not one)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class EndpointQuerySet(models.QuerySet):
    def listening_to(self, event: Event):
        return self.filter(active=True, events__contains=[str(event)])


class Endpoint(models.Model):
    url = models.URLField(
        "URL",
        max_length=2000,
        help_text="Where deliveries are POSTed: an http(s) URL on the public internet "
        "(private and loopback addresses are refused unless settings allow the host).",
    )
    description = models.CharField(max_length=200, blank=True, help_text="Who receives it, and what for.")
    events = ArrayField(
        models.CharField(max_length=40, choices=Event.choices),
        help_text="The changes this endpoint hears about.",
    )
    # The receiver verifies signatures with the same secret, so it is kept as it is (not
    # hashed); it is shown once, when the endpoint is created or its secret rotated.
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    active = models.BooleanField(default=True, help_text="A paused endpoint gets no new deliveries.")
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["url", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__istartswith="http://") | Q(url__istartswith="https://"),
                name="webhook_endpoint_url_http",
            ),
            models.CheckConstraint(condition=Q(events__len__gt=0), name="webhook_endpoint_has_events"),
        ]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (no more retries)"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    event = models.CharField(max_length=40, choices=Event.choices)
    # The exact bytes signed and sent, as text: a JSON column would reorder the keys.
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            # The admin's deliveries of one endpoint, newest first.
            models.Index(fields=["endpoint", "-created"], name="webhook_delivery_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint} ({self.get_state_display().lower()})"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    seconds = models.FloatField(null=True, blank=True, help_text="How long the exchange took.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True, help_text="Why it failed, when it did.")
    response = models.TextField(blank=True, help_text="The start of the receiver's answer.")

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique_number"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery.message_id}"
