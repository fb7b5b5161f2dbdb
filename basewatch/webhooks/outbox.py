"""From an announced change (basewatch.core.events) to queued deliveries.

Runs inside the transaction that made the change: the deliveries and their jobs in the
queue (procrastinate's tables, in the same database) are stored with the change or not at
all. A change rolled back sends nothing; a committed one is delivered even if the worker or
the receiver is down at that moment.
"""

from __future__ import annotations

from basewatch.core.events import Event
from basewatch.webhooks import payloads, tasks
from basewatch.webhooks.models import Delivery, Endpoint


def enqueue(sender, event: Event, instance, **kwargs) -> None:
    endpoints = list(Endpoint.objects.listening_to(event))
    if not endpoints:
        return
    body = payloads.body(event, instance)  # one snapshot for every endpoint
    for endpoint in endpoints:
        queue(Delivery.objects.create(endpoint=endpoint, event=event, body=body))


def queue(delivery: Delivery) -> None:
    """Put a delivery's next try in the job queue (also to send a failed one again)."""
    tasks.deliver.defer(delivery_id=delivery.pk)
