"""The webhook jobs, run by the job queue's worker (`manage.py procrastinate worker`).

Why procrastinate: its jobs live in PostgreSQL, which basewatch already runs and backs up,
and a job is deferred on Django's own connection, so it is stored in the transaction of
the change it announces (no lost or phantom deliveries); it retries with a schedule
we give it, wakes workers with LISTEN/NOTIFY instead of polling, and locks a job to one
worker. django-tasks' database backend (0.12) had no retries of its own.
"""

from __future__ import annotations

from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.contrib.django import app

from basewatch.webhooks import sending
from basewatch.webhooks.models import Delivery


class DeliveryFailed(Exception):
    """This try failed and another is due (its reason is in the delivery's attempt log)."""


class FollowSchedule(BaseRetryStrategy):
    """Retry a failed delivery after sending.retry_delay; any other error (a bug) is not retried."""

    def get_retry_decision(self, *, exception: BaseException, job) -> RetryDecision | None:
        if not isinstance(exception, DeliveryFailed):
            return None
        # `job.attempts` counts the tries before the one that just failed.
        delay = sending.retry_delay(job.attempts + 1)
        return None if delay is None else RetryDecision(retry_in={"seconds": delay})


@app.task(name="webhooks.deliver", queue="webhooks", pass_context=True, retry=FollowSchedule())
def deliver(context, delivery_id: int) -> None:
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.state == Delivery.State.DELIVERED:
        return  # its endpoint was deleted since, or an earlier job delivered it
    attempt = sending.attempt(delivery, tries_in_a_row=context.job.attempts + 1)
    if not attempt.ok and sending.retry_delay(context.job.attempts + 1) is not None:
        raise DeliveryFailed(attempt.error)
