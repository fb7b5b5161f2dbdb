"""Every source link archived: when, how, and what is kept.

The rule, in one place for every face (forms, API, imports, admin, the claim write path): when
a source is saved with a URL that has no capture yet (a new source, or its URL changed), a
Capture is queued and a job to fill it (core.tasks.archive_source) is deferred, both inside the
transaction that saved the source: a rolled-back save archives nothing, a committed one is
archived even if the worker is down at that moment. Editors queue another capture of a source
on purpose ("Archive again").

The job fetches the page through basewatch.lib.webarchive (every request checked by
basewatch.lib.safehttp) and stores the WARC, the WACZ, the screenshot and the rendered HTML
through Django's storage API under names made of their SHA-256. A failure is recorded with its
reason; transient ones (time-outs, unreachable or failing servers) are tried again on
settings.ARCHIVE_RETRY_SCHEDULE, refusals (a private address, too large, not a web page) are
final.

Data that cannot be fetched from where it is loaded (the demo's links, on a machine without
the internet) is saved inside `offline(...)`: its captures are recorded as not archived, with
the reason, instead of queuing jobs bound to fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from basewatch.core.models import Capture, Source
from basewatch.core.models.captures import FILES
from basewatch.lib import webarchive
from basewatch.lib.safehttp import Refused

# Worth another try later: the network, the server or the renderer may do better then.
TRANSIENT = {"timeout", "connection", "dns", "tls", "bad-answer", "server-error", "render"}
# Chromium as the archiver runs it. Its sandbox needs a non-root user: as root it will not
# start without --no-sandbox, and the page is still confined to a fresh context with no
# network of its own (webarchive.NO_NETWORK_FLAGS).
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    *(["--no-sandbox"] if os.geteuid() == 0 else []),
]

_offline: ContextVar[str | None] = ContextVar("archiving_offline", default=None)


@contextlib.contextmanager
def offline(message: str) -> Iterator[None]:
    """Sources saved inside are recorded as not archived (offline), with `message` as the reason."""
    token = _offline.set(message)
    try:
        yield
    finally:
        _offline.reset(token)


def queue(source: Source) -> Capture:
    """Queue a capture of the source's URL (in the caller's transaction); one already queued is reused."""
    from basewatch.core import tasks

    message = _offline.get()
    if message is not None:
        return Capture.objects.create(
            source=source, url=source.url, state=Capture.State.OFFLINE, reason="offline", message=message
        )
    waiting = source.captures.filter(url=source.url, state=Capture.State.QUEUED, attempts=0).first()
    if waiting is not None:  # a double click, or a save before the worker got to it
        return waiting
    capture = Capture.objects.create(source=source, url=source.url)
    tasks.archive_source.defer(capture_id=capture.pk)
    return capture


def source_saved(sender, instance: Source, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not instance.url:  # loaddata replays rows; a source without a link has nothing to fetch
        return
    if not instance.captures.filter(url=instance.url).exists():
        queue(instance)


def retry_delay(attempts_made: int) -> int | None:
    """Seconds before the next try after `attempts_made` failed ones in a row; None: give up."""
    schedule = settings.ARCHIVE_RETRY_SCHEDULE
    return schedule[attempts_made - 1] if 0 < attempts_made <= len(schedule) else None


def limits() -> webarchive.Limits:
    return webarchive.Limits(
        max_redirects=settings.ARCHIVE_MAX_REDIRECTS,
        response_bytes=settings.ARCHIVE_RESPONSE_BYTES,
        total_bytes=settings.ARCHIVE_TOTAL_BYTES,
        seconds=settings.ARCHIVE_SECONDS,
        resources=settings.ARCHIVE_RESOURCES,
    )


def store(path: Path, suffix: str) -> tuple[str, str, int]:
    """Store a file under captures/ab/<sha256><suffix>; (name, SHA-256, size). The same bytes
    are stored once: a second capture of an unchanged page points at the same files."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    sha256 = digest.hexdigest()
    name = f"captures/{sha256[:2]}/{sha256}{suffix}"
    if not default_storage.exists(name):
        with path.open("rb") as file:
            saved = default_storage.save(name, File(file))
        if saved != name:  # a storage that renamed it would break the name-is-the-hash promise
            default_storage.delete(saved)
            raise RuntimeError(f"storage stored {name} as {saved}")
    return name, sha256, path.stat().st_size


def archive(capture: Capture) -> bool:
    """Fetch and store one capture; True when it failed and another try is due."""
    attempt = capture.attempts + 1
    with tempfile.TemporaryDirectory(prefix="basewatch-archive-") as workdir:
        try:
            result = webarchive.capture(
                capture.url,
                Path(workdir),
                user_agent=settings.OUTGOING_USER_AGENT,
                allowed_hosts=settings.OUTGOING_ALLOWED_HOSTS,
                limits=limits(),
                chromium=settings.ARCHIVE_CHROMIUM,
                chromium_flags=CHROMIUM_FLAGS,
            )
        except Refused as refused:
            again = refused.reason in TRANSIENT and retry_delay(attempt) is not None
            Capture.objects.filter(pk=capture.pk).update(
                state=Capture.State.QUEUED if again else Capture.State.FAILED,
                reason=refused.reason[:40],
                message=refused.message[:2000],
                attempts=attempt,
                fetched_at=timezone.now(),
            )
            return again
        files = {}
        for name, _label, suffix, _type in FILES:
            path = getattr(result, name)
            if path is not None and path.exists():
                files[name], files[f"{name}_sha256"], files[f"{name}_size"] = store(path, suffix)
    with transaction.atomic():
        Capture.objects.filter(pk=capture.pk).update(
            state=Capture.State.ARCHIVED,
            reason="",
            message="",
            attempts=attempt,
            final_url=result.final_url[:2000],
            status=result.status,
            fetched_at=result.fetched_at,
            seconds=round(result.seconds, 2),
            resources=result.resources,
            skipped=[list(pair) for pair in result.skipped[:100]],
            **files,
        )
    return False
