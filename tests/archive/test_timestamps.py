"""RFC 3161 timestamps of captures against a real authority (OpenSSL's `ts -reply`, tests/archive/tsa.py):
the manifest stored, stamped, its token verified by basewatch and again by OpenSSL; every way the
authority can fail leaves the capture archived, with the timestamp's failure and reason shown."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from basewatch.core import archiving
from basewatch.core.models import Capture
from basewatch.lib import timestamping
from tests.archive.tsa import TimestampAuthority
from tests.factories import make_source

pytestmark = pytest.mark.django_db


def archive(url: str) -> Capture:
    capture = archiving.queue(make_source(url=url))
    archiving.archive(capture)
    capture.refresh_from_db()
    return capture


def stored(name: str) -> bytes:
    with default_storage.open(name) as file:
        return file.read()


@pytest.mark.xdist_group("browser")  # Chromium renders the page
def test_a_capture_is_timestamped_over_its_manifest_and_the_token_verifies(fixture_site, use_tsa, media, tmp_path, api):
    capture = archive(fixture_site.url("/page"))
    assert capture.state == Capture.State.ARCHIVED, capture.message
    assert capture.timestamp == Capture.Timestamp.STAMPED, capture.timestamp_message
    assert capture.timestamp_authority == "CN=Test TSA,O=basewatch tests"
    assert abs(time.time() - capture.timestamp_time.timestamp()) < 60
    assert capture.timestamp_message == ""  # the chain was verified: nothing to caveat

    # The manifest lists every file with the hash it has in storage.
    manifest = stored(capture.manifest.name)
    assert hashlib.sha256(manifest).hexdigest() == capture.manifest_sha256
    document = json.loads(manifest)
    assert (document["url"], document["final_url"], document["status"]) == (capture.url, capture.url, 200)
    assert {f["kind"] for f in document["files"]} == {"warc", "wacz", "screenshot", "html", "thumbnail"}
    for entry in document["files"]:
        assert hashlib.sha256(stored(getattr(capture, entry["kind"]).name)).hexdigest() == entry["sha256"]

    # The response is kept with its hash, and OpenSSL, knowing only the CA, agrees it stamps the manifest.
    tsr = stored(capture.tsr.name)
    assert hashlib.sha256(tsr).hexdigest() == capture.tsr_sha256 and len(tsr) == capture.tsr_size
    (tmp_path / "manifest.json").write_bytes(manifest)
    (tmp_path / "capture.tsr").write_bytes(tsr)
    check = use_tsa.verify(tmp_path / "manifest.json", tmp_path / "capture.tsr")
    assert check.returncode == 0 and "Verification: OK" in check.stdout, check.stderr
    (tmp_path / "other.json").write_bytes(manifest + b" ")
    assert use_tsa.verify(tmp_path / "other.json", tmp_path / "capture.tsr").returncode != 0

    page = Client().get(reverse("front:source", args=[capture.source_id])).content.decode()
    shown = f"{capture.timestamp_time:%Y-%m-%d %H:%M:%S} UTC"
    assert f'Timestamped by <span class="url">CN=Test TSA,O=basewatch tests</span> at {shown}' in page
    assert reverse("front:capture-file", args=[capture.pk, "tsr"]) in page
    download = Client().get(reverse("front:capture-file", args=[capture.pk, "tsr"]))
    assert b"".join(download.streaming_content) == tsr
    assert download["Content-Disposition"].startswith("attachment;")

    stamp = api.get(f"sources/{capture.source_id}/").json()["captures"][0]["timestamp"]
    assert stamp["state"] == "stamped" and stamp["authority"] == capture.timestamp_authority
    assert stamp["response_sha256"] == capture.tsr_sha256
    assert stamp["response_url"].endswith(reverse("front:capture-file", args=[capture.pk, "tsr"]))


def test_without_certificates_the_token_is_kept_with_nonce_and_hash_checked(fixture_site, use_tsa, media, settings):
    settings.ARCHIVE_TSA_CERTS = ""
    capture = archive(fixture_site.url("/report.pdf"))
    assert (capture.state, capture.timestamp) == (Capture.State.ARCHIVED, Capture.Timestamp.STAMPED), (
        capture.timestamp_message
    )
    assert capture.timestamp_message == archiving.UNVERIFIED_CHAIN
    assert (
        "no certificates configured" in Client().get(reverse("front:source", args=[capture.source_id])).content.decode()
    )


def failed(capture: Capture) -> tuple:
    return capture.state, capture.timestamp, capture.timestamp_reason


@pytest.mark.parametrize(
    "mode, reason, words",
    [
        ("garbage", "bad-response", "not an RFC 3161 timestamp response"),
        ("error", "http-status", "HTTP 500"),
        ("replay", "not-verified", "nonce is not the one sent"),
    ],
)
def test_a_failing_authority_never_loses_the_capture(fixture_site, use_tsa, media, mode, reason, words):
    if mode == "replay":
        # A first, good token (for other data and another nonce) for the authority to replay.
        timestamping.request_timestamp(b"an earlier manifest", use_tsa.url, allowed_hosts=["127.0.0.1"])
    use_tsa.mode = mode
    capture = archive(fixture_site.url("/report.pdf"))
    assert failed(capture) == (Capture.State.ARCHIVED, Capture.Timestamp.FAILED, reason), capture.timestamp_message
    assert words in capture.timestamp_message
    assert capture.warc_sha256 and capture.manifest_sha256 and not capture.tsr and capture.timestamp_time is None
    page = Client().get(reverse("front:source", args=[capture.source_id])).content.decode()
    assert f'Timestamp failed (<span class="capture-reason">{reason}</span>)' in page


def test_a_token_from_an_authority_the_certificates_do_not_vouch_for_is_refused(fixture_site, use_tsa, media, settings):
    stranger = TimestampAuthority()  # another CA, another TSA: a valid token, but not from the configured one
    try:
        settings.ARCHIVE_TSA_URL = stranger.url
        capture = archive(fixture_site.url("/report.pdf"))
    finally:
        stranger.stop()
    assert failed(capture) == (Capture.State.ARCHIVED, Capture.Timestamp.FAILED, "not-verified")
    assert len(stranger.signed) == 1  # it answered; the answer was refused


def test_an_authority_that_hangs_is_given_up_on(fixture_site, use_tsa, media, settings, hanging):
    server = hanging()
    settings.ARCHIVE_TSA_URL = f"http://127.0.0.1:{server.port}/tsa"
    settings.ARCHIVE_TSA_SECONDS = 2
    started = time.monotonic()
    capture = archive(fixture_site.url("/report.pdf"))
    assert time.monotonic() - started < 10
    assert failed(capture) == (Capture.State.ARCHIVED, Capture.Timestamp.FAILED, "timeout")


def test_an_authority_at_a_private_address_is_refused_without_the_allow_list(fixture_site, use_tsa, media, settings):
    settings.OUTGOING_ALLOWED_HOSTS = ["fixture.test"]  # the page, not 127.0.0.1
    queries = len(use_tsa.queries)
    capture = archive(fixture_site.url("/report.pdf"))
    assert failed(capture) == (Capture.State.ARCHIVED, Capture.Timestamp.FAILED, "private-address")
    assert "127.0.0.1" in capture.timestamp_message
    assert len(use_tsa.queries) == queries  # never asked


def test_without_an_authority_configured_nothing_is_asked(fixture_site, allow_fixture, media, tsa):
    queries = len(tsa.queries)
    capture = archive(fixture_site.url("/report.pdf"))
    assert (capture.state, capture.timestamp) == (Capture.State.ARCHIVED, Capture.Timestamp.NONE)
    assert capture.manifest_sha256 and not capture.tsr
    assert len(tsa.queries) == queries


def test_the_library_checks_the_hash_it_sent(tsa):
    stamp = timestamping.request_timestamp(
        b"manifest", tsa.url, certificates=timestamping.load_certificates(tsa.chain), allowed_hosts=["127.0.0.1"]
    )
    assert stamp.chain_verified
    # Replayed for other data, the same token is refused.
    tsa.mode = "replay"
    tsa.signed.insert(0, stamp.response)
    try:
        with pytest.raises(timestamping.TimestampFailed) as refused:
            timestamping.request_timestamp(b"other", tsa.url, allowed_hosts=["127.0.0.1"])
    finally:
        tsa.mode = "ok"
        tsa.signed.pop(0)
    assert refused.value.reason == "not-verified"
