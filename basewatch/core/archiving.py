"""Every source link archived: when, how, and what is kept.

The rule, in one place for every face (forms, API, imports, admin, the claim write path): when
a source is saved with a URL that has no capture yet (a new source, or its URL changed), a
Capture is queued and a job to fill it (core.tasks.archive_source) is deferred, both inside the
transaction that saved the source: a rolled-back save archives nothing, a committed one is
archived even if the worker is down at that moment. Editors queue another capture of a source
on purpose ("Archive again").

The job fetches the page through basewatch.lib.webarchive (every request checked by
basewatch.lib.safehttp) and stores the WARC, the WACZ, the screenshot and the rendered HTML
through Django's storage API under names made of their SHA-256, with a thumbnail of the
screenshot's top and a manifest (the URL, the time and every file's SHA-256, as JSON). A failure
is recorded with its reason; transient ones (time-outs, unreachable or failing servers) are tried again on
settings.ARCHIVE_RETRY_SCHEDULE, refusals (a private address, too large, not a web page) are
final.

Archived again, a page is compared with the source's previous archived capture by the SHA-256
of its rendered HTML (the WARC's hash always differs: its records carry the time of the fetch),
so the newer capture says whether the page changed.

When settings.ARCHIVE_TSA_URL is set, the manifest's SHA-256 is timestamped by that authority
(RFC 3161, basewatch.lib.timestamping): one token vouches for every file the manifest lists.
The capture is stored first; a timestamp that fails is recorded with its reason beside the
archived capture, never in its place.

Data that cannot be fetched from where it is loaded (the demo's links, on a machine without
the internet) is saved inside `offline(...)`: its captures are recorded as not archived, with
the reason, instead of queuing jobs bound to fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from basewatch.core.images import fit_within, save_once
from basewatch.core.models import Capture, Source
from basewatch.core.models.captures import FETCHED, FILES
from basewatch.lib import timestamping, webarchive
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

UNVERIFIED_CHAIN = "Nonce and hash checked; no certificates configured to verify the signature."

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


SUFFIXES = {name: suffix for name, _label, suffix, _type in FILES}


def store(path: Path, suffix: str) -> tuple[str, str, int]:
    """Store a file under captures/ab/<sha256><suffix>; (name, SHA-256, size). The same bytes
    are stored once: a second capture of an unchanged page points at the same files."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    sha256 = digest.hexdigest()
    with path.open("rb") as file:
        return save_once(default_storage, _name(sha256, suffix), File(file)), sha256, path.stat().st_size


def store_bytes(content: bytes, suffix: str) -> tuple[str, str, int]:
    """As `store`, for a file made in memory (a thumbnail, a manifest, a timestamp)."""
    sha256 = hashlib.sha256(content).hexdigest()
    return save_once(default_storage, _name(sha256, suffix), content), sha256, len(content)


def _name(sha256: str, suffix: str) -> str:
    return f"captures/{sha256[:2]}/{sha256}{suffix}"


def thumbnail(screenshot: Path) -> bytes | None:
    """A PNG of the screenshot's top (4:3), settings.ARCHIVE_THUMBNAIL_WIDTH pixels wide; None
    when the screenshot is not a PNG or declares more than settings.IMAGE_MAX_PIXELS pixels
    (read from its header before anything is decoded: a page can be made endlessly tall)."""
    width = settings.ARCHIVE_THUMBNAIL_WIDTH
    try:
        with Image.open(screenshot, formats=["PNG"]) as image:
            if image.width < 1 or image.height < 1 or image.width * image.height > settings.IMAGE_MAX_PIXELS:
                return None
            top = image.crop((0, 0, image.width, min(image.height, image.width * 3 // 4)))
            small = fit_within(top, (width, width)).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def manifest(capture: Capture) -> bytes:
    """What a timestamp vouches for: the capture's URLs, time and each file's kind, SHA-256 and
    size, as canonical JSON (sorted keys, no spaces) so anyone can rebuild and hash it."""
    document = {
        "basewatch_capture": capture.pk,
        "url": capture.url,
        "final_url": capture.final_url,
        "status": capture.status,
        "fetched_at": capture.fetched_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "files": [
            {"kind": name, "sha256": getattr(capture, f"{name}_sha256"), "size": getattr(capture, f"{name}_size")}
            for name, *_ in FILES
            if name not in ("manifest", "tsr") and getattr(capture, f"{name}_sha256")
        ],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


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
        for name in FETCHED:
            path = getattr(result, name)
            if path is not None and path.exists():
                files[name], files[f"{name}_sha256"], files[f"{name}_size"] = store(path, SUFFIXES[name])
        small = thumbnail(result.screenshot) if "screenshot" in files else None
        if small is not None:
            files["thumbnail"], files["thumbnail_sha256"], files["thumbnail_size"] = store_bytes(small, ".png")
    previous = (
        Capture.objects.filter(source_id=capture.source_id, state=Capture.State.ARCHIVED)
        .exclude(pk=capture.pk)
        .order_by("-fetched_at", "-pk")
        .first()
    )
    changed = None
    if previous is not None and previous.html_sha256 and files.get("html_sha256"):
        changed = previous.html_sha256 != files["html_sha256"]
    for name, value in dict(
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
        compared_with=previous,
        page_changed=changed,
        **files,
    ).items():
        setattr(capture, name, value)
    capture.manifest, capture.manifest_sha256, capture.manifest_size = store_bytes(manifest(capture), ".json")
    capture.save()
    if settings.ARCHIVE_TSA_URL:
        timestamp(capture)
    return False


def timestamp(capture: Capture) -> None:
    """Ask settings.ARCHIVE_TSA_URL to timestamp the capture's manifest; the token and the
    authority's time are stored, or the failure with its reason. The capture stays archived."""
    data = default_storage.open(capture.manifest.name).read()
    try:
        if hashlib.sha256(data).hexdigest() != capture.manifest_sha256:
            raise timestamping.TimestampFailed("manifest-changed", "The stored manifest no longer has its hash.")
        certificates = timestamping.load_certificates(settings.ARCHIVE_TSA_CERTS) if settings.ARCHIVE_TSA_CERTS else []
        stamp = timestamping.request_timestamp(
            data,
            settings.ARCHIVE_TSA_URL,
            certificates=certificates,
            allowed_hosts=settings.OUTGOING_ALLOWED_HOSTS,
            user_agent=settings.OUTGOING_USER_AGENT,
            timeout=settings.ARCHIVE_TSA_SECONDS,
        )
    except timestamping.TimestampFailed as failed:
        Capture.objects.filter(pk=capture.pk).update(
            timestamp=Capture.Timestamp.FAILED,
            timestamp_reason=failed.reason[:40],
            timestamp_message=failed.message[:2000],
        )
        return
    tsr, tsr_sha256, tsr_size = store_bytes(stamp.response, ".tsr")
    Capture.objects.filter(pk=capture.pk).update(
        timestamp=Capture.Timestamp.STAMPED,
        timestamp_reason="",
        timestamp_message="" if stamp.chain_verified else UNVERIFIED_CHAIN,
        timestamp_time=stamp.time,
        timestamp_authority=stamp.authority[:300],
        tsr=tsr,
        tsr_sha256=tsr_sha256,
        tsr_size=tsr_size,
    )
