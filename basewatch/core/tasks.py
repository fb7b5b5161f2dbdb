"""The archiving job, run by the job queue's worker (`manage.py procrastinate worker`, queue "archive").

The queue is the webhooks' (procrastinate, in PostgreSQL: basewatch/webhooks/tasks.py says
why); archiving has a queue of its own so that a slow page never holds up a delivery.
"""

from __future__ import annotations

from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.contrib.django import app

from basewatch.core import archiving
from basewatch.core.models import Capture


class ArchiveFailed(Exception):
    """This try failed for a reason that may pass (its reason is on the capture); another is due."""


class RetryTransient(BaseRetryStrategy):
    """Retry after archiving.retry_delay when a try failed transiently; refusals and bugs are final."""

    def get_retry_decision(self, *, exception: BaseException, job) -> RetryDecision | None:
        if not isinstance(exception, ArchiveFailed):
            return None
        delay = archiving.retry_delay(job.attempts + 1)
        return None if delay is None else RetryDecision(retry_in={"seconds": delay})


@app.task(name="core.archive_source", queue="archive", retry=RetryTransient())
def archive_source(capture_id: int) -> None:
    capture = Capture.objects.filter(pk=capture_id).first()
    if capture is None or capture.state != Capture.State.QUEUED:
        return  # its source was deleted since, or an earlier job finished it
    if archiving.archive(capture):
        raise ArchiveFailed(Capture.objects.get(pk=capture_id).message)
