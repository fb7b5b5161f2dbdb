"""Captures and evidence images in an S3-compatible object store (BASEWATCH_STORAGE=s3), end to
end against a real S3-protocol server on localhost (moto's ThreadedMotoServer): stored under
their hashes, read back through basewatch's own views with the same headers, no bucket URL shown."""

from __future__ import annotations

import hashlib
import uuid

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from basewatch.core import archiving
from basewatch.core.models import Capture, EvidenceImage
from tests.editor.helpers import client_for
from tests.factories import make_source
from tests.images import encoded

pytestmark = pytest.mark.django_db

KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}


@pytest.fixture
def s3(settings, tmp_path):
    """A fresh S3 server with one private bucket, and basewatch's default storage in it (as
    settings.py builds it from BASEWATCH_STORAGE=s3); MEDIA_ROOT empty, to show nothing lands there."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = "http://{}:{}".format(*server.get_host_and_port())
    client = boto3.client("s3", endpoint_url=endpoint, **KEYS)
    # moto keeps its buckets per process, not per server: each test has a bucket of its own.
    client.bucket = f"basewatch-evidence-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=client.bucket)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": client.bucket,
                "endpoint_url": endpoint,
                "region_name": KEYS["region_name"],
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": True,
            },
        },
    }
    client.endpoint = endpoint
    yield client
    server.stop()


def objects(client) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=client.bucket).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=client.bucket, Key=item["Key"])["Body"].read() for item in listed}


@pytest.mark.xdist_group("browser")  # Chromium renders the page
def test_a_capture_is_stored_in_the_bucket_and_served_through_basewatch(fixture_site, allow_fixture, s3):
    capture = archiving.queue(make_source(url=fixture_site.url("/page")))
    archiving.archive(capture)
    capture.refresh_from_db()
    assert capture.state == Capture.State.ARCHIVED, capture.message
    kinds = ["warc", "wacz", "screenshot", "html", "thumbnail", "manifest"]
    stored = objects(s3)
    assert set(stored) == {getattr(capture, kind).name for kind in kinds}
    for kind in kinds:
        content = stored[getattr(capture, kind).name]
        assert hashlib.sha256(content).hexdigest() == getattr(capture, f"{kind}_sha256")
        download = Client().get(reverse("front:capture-file", args=[capture.pk, kind]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == content
        assert download["X-Content-Type-Options"] == "nosniff" and "sandbox" in download["Content-Security-Policy"]
        assert download["Content-Disposition"].startswith("attachment;")
    assert not (allow_fixture.MEDIA_ROOT).exists()  # nothing on the local disk
    page = Client().get(reverse("front:source", args=[capture.source_id])).content.decode()
    assert reverse("front:capture-file", args=[capture.pk, "thumbnail"]) in page
    assert s3.endpoint not in page and s3.bucket not in page and "X-Amz" not in page
    # Archived again unchanged: files with the same bytes are not stored twice.
    again = archiving.queue(capture.source)
    archiving.archive(again)
    again.refresh_from_db()
    assert again.html_sha256 == capture.html_sha256 and again.page_changed is False
    assert len(objects(s3)) < 2 * len(stored)


def test_an_evidence_image_is_stored_in_the_bucket_and_served_through_basewatch(s3, settings):
    source = make_source(url="")
    editor = client_for("editor")
    response = editor.post(
        reverse("front:image-add", args=["source", source.pk]), {"file": SimpleUploadedFile("a.png", encoded("PNG"))}
    )
    assert response.status_code == 302
    image = EvidenceImage.objects.get()
    stored = objects(s3)
    assert set(stored) == {image.file.name, image.thumbnail.name}
    assert hashlib.sha256(stored[image.file.name]).hexdigest() == image.sha256
    served = editor.get(reverse("front:image", args=[image.pk]))
    assert served.status_code == 200 and b"".join(served.streaming_content) == stored[image.file.name]
    assert served["X-Content-Type-Options"] == "nosniff"
    thumb = editor.get(reverse("front:image-variant", args=[image.pk, "thumbnail"]))
    assert b"".join(thumb.streaming_content) == stored[image.thumbnail.name]
    page = editor.get(reverse("front:source", args=[source.pk])).content.decode()
    assert s3.endpoint not in page and s3.bucket not in page
    assert not settings.MEDIA_ROOT.exists()
