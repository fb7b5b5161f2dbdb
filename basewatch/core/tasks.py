"""Core's jobs, run by the job queue's worker (`manage.py procrastinate worker`): archiving
source links (queue "archive") and checking or importing big spreadsheets (queue "imports").

The queue is the webhooks' (procrastinate, in PostgreSQL: basewatch/webhooks/tasks.py says
why); each kind of job has a queue of its own so that a slow page or a long import never
holds up a delivery.
"""

from __future__ import annotations

import pghistory
from django.urls import reverse
from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.contrib.django import app

from basewatch.core import archiving
from basewatch.core.imports import importing
from basewatch.core.models import Capture, ImportReport


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


def _run_import(report_id: int, state: str, work) -> None:
    """Run `work(report, user)` on a report still in `state`, recorded in the history as its editor's.

    A job that stops on an error leaves nothing stored (its transaction is rolled back) and
    says so on the report; it is not tried again: the error would come back, and the editor
    decides what to do with the file.
    """
    report = ImportReport.objects.select_related("entered_by").filter(pk=report_id, state=state).first()
    if report is None:
        return  # done by an earlier job, or the report was deleted
    try:
        # What the request would have recorded, had the editor waited for it.
        with pghistory.context(user=report.entered_by_id, url=reverse("front:claim-import-report", args=[report.pk])):
            work(report, report.entered_by)
    except Exception as error:
        importing.stopped(report_id, error)
        raise


@app.task(name="core.check_import", queue="imports")
def check_import(report_id: int) -> None:
    _run_import(report_id, ImportReport.State.CHECKING, importing.check)


@app.task(name="core.import_rows", queue="imports")
def import_rows(report_id: int) -> None:
    _run_import(report_id, ImportReport.State.IMPORTING, importing.confirm)
