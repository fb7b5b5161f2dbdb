"""Evidence images: editors attach them, basewatch stores only re-encoded pixels and serves them
as images to whoever may read the claim; everything else is a field error with nothing stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from basewatch.core import images
from basewatch.core.models import EvidenceImage
from basewatch.core.workflow import State
from tests.editor.helpers import client_for
from tests.factories import make_asset_type, make_observation, make_site, make_source, make_user
from tests.images import (
    CAMERA_TIME,
    GPS_MARKER,
    SVG,
    encoded,
    jpeg_with_gps,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def draft(editor=None):
    site = make_site()
    return make_observation(site, make_asset_type(), dt.date(2024, 12, 13), state=State.DRAFT, entered_by=editor)


def add_url(observation) -> str:
    return reverse("front:image-add", args=["observation", observation.pk])


def upload(client: Client, observation, content: bytes, name: str = "crop.jpg", **fields):
    data = {"file": SimpleUploadedFile(name, content), "credit": "Maxar Technologies", **fields}
    return client.post(add_url(observation), data)


def served(client: Client, image: EvidenceImage, variant: str = "full"):
    response = client.get(reverse("front:image-variant", args=[image.pk, variant]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


@pytest.mark.parametrize(
    ("format", "options", "stored_as"),
    [("JPEG", {}, "JPEG"), ("PNG", {}, "PNG"), ("WEBP", {}, "WEBP"), ("TIFF", {"compression": "tiff_lzw"}, "PNG")],
)
def test_an_editor_attaches_each_accepted_type(media, format, options, stored_as):
    editor = make_user("editor")
    observation = draft(editor)
    content = encoded(format, size=(120, 80), **options)
    response = upload(client_for(None, editor), observation, content, "crop.bin", captured="2024-12-13")
    assert response.status_code == 302, response.content[:500]
    image = EvidenceImage.objects.get()
    assert (image.observation, image.format, image.original_format) == (observation, stored_as, format)
    assert (image.width, image.height, image.captured, image.uploaded_by) == (120, 80, dt.date(2024, 12, 13), editor)
    assert image.original_sha256 == hashlib.sha256(content).hexdigest()
    stored = (media / image.file.name).read_bytes()
    assert image.sha256 == hashlib.sha256(stored).hexdigest() and image.size == len(stored)
    # Named by hash, in the stored format; the name the browser sent is nowhere.
    assert image.file.name == f"images/{image.sha256[:2]}/{image.sha256}.{image.extension}"
    assert "crop" not in image.file.name + image.thumbnail.name
    assert Image.open(media / image.file.name).format == stored_as
    assert max(Image.open(media / image.thumbnail.name).size) <= 480


def test_the_stored_jpeg_has_no_exif_gps_and_the_camera_date_is_offered_for_confirming(media):
    editor = make_user("editor")
    observation = draft(editor)
    original = jpeg_with_gps()
    client = client_for(None, editor)
    response = upload(client, observation, original)
    image = EvidenceImage.objects.get()
    # No capture date was typed: the camera's is offered on the next page, not kept unasked.
    assert image.captured is None
    assert response.status_code == 302 and response["Location"].endswith("?captured=2024-12-13")
    page = client.get(response["Location"])
    assert 'value="2024-12-13"' in page.content.decode()
    assert "The file says it was taken on 2024-12-13" in page.content.decode()
    confirmed = client.post(reverse("front:image-edit", args=[image.pk]), {"captured": "2024-12-13", "credit": "Maxar"})
    assert confirmed.status_code == 302
    image.refresh_from_db()
    assert image.captured == dt.date(2024, 12, 13)

    for variant in ("full", "thumbnail", "download"):
        response, body = served(client, image, variant)
        assert response.status_code == 200
        exif = Image.open(io.BytesIO(body)).getexif()
        assert ExifTags.Base.GPSInfo not in exif and not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert len(exif) == 0
        assert GPS_MARKER not in body and b"TestCam" not in body and b"camera comment" not in body
        assert CAMERA_TIME.encode() not in body and b"Exif\x00\x00" not in body


def test_the_served_image_is_an_image_and_only_that(media):
    editor = make_user("editor")
    observation = draft(editor)
    upload(client_for(None, editor), observation, encoded("PNG"), captured="2024-12-01")
    image = EvidenceImage.objects.get()
    client = client_for("viewer")
    response, body = served(client, image)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="basewatch-image-{image.pk}.png"'
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "sandbox" in response["Content-Security-Policy"]
    assert body.startswith(b"\x89PNG")
    download, _ = served(client, image, "download")
    assert download["Content-Disposition"] == f'attachment; filename="basewatch-image-{image.pk}.png"'
    assert client.get(reverse("front:image-variant", args=[image.pk, "html"])).status_code == 404
    again = client.get(reverse("front:image", args=[image.pk]), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_images_of_unpublished_claims_are_served_to_viewers_and_up_only(media):
    editor = make_user("editor")
    observation = draft(editor)
    upload(client_for(None, editor), observation, encoded("PNG"))
    image = EvidenceImage.objects.get()
    for client in (Client(), client_for(None)):
        for variant in ("full", "thumbnail", "download"):
            assert served(client, image, variant)[0].status_code == 404
    assert served(client_for("viewer"), image)[0].status_code == 200
    observation.state = State.PUBLISHED
    observation.save()
    assert served(Client(), image)[0].status_code == 200
    assert served(Client(), image, "thumbnail")[0].status_code == 200


def test_a_source_image_is_public_once_a_published_claim_cites_the_source(media):
    source = make_source()
    editor = make_user("editor")
    response = client_for(None, editor).post(
        reverse("front:image-add", args=["source", source.pk]), {"file": SimpleUploadedFile("a.png", encoded("PNG"))}
    )
    assert response.status_code == 302
    image = EvidenceImage.objects.get(source=source)
    assert served(Client(), image)[0].status_code == 404
    make_observation(make_site(), make_asset_type(), dt.date(2024, 12, 13), sources=[source])
    assert served(Client(), image)[0].status_code == 200


def test_the_claim_page_and_the_site_page_show_the_images_with_their_details(media):
    editor = make_user("editor")
    observation = draft(editor)
    client = client_for(None, editor)
    upload(client, observation, encoded("PNG"), captured="2024-11-20", caption="Before: four S-400 launchers")
    upload(client, observation, encoded("JPEG"), captured="2024-12-13", caption="After: launchers gone")
    before, after = EvidenceImage.objects.order_by("captured")
    page = client_for("viewer").get(reverse("front:observation", args=[observation.pk])).content.decode()
    for image in (before, after):
        assert reverse("front:image-variant", args=[image.pk, "thumbnail"]) in page
        assert image.original_sha256[:16] in page
    assert "© Maxar Technologies" in page and "2024-11-20" in page and 'id="swipe-position"' in page
    # The site page shows published work only.
    site_url = observation.site.get_absolute_url()
    assert "Before: four S-400" not in Client().get(site_url).content.decode()
    observation.state = State.PUBLISHED
    observation.save()
    site_page = Client().get(site_url).content.decode()
    assert "Before: four S-400" in site_page and "After: launchers gone" in site_page
    assert "swipe.js" in site_page and 'type="range"' in site_page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("crop.jpg", b"This is plain text, not a JPEG.\n" * 20, "not an image basewatch takes"),
        ("map.svg", SVG, "not an image basewatch takes"),
        ("map.jpg", SVG, "not an image basewatch takes"),
        ("anim.gif", encoded("GIF"), "not an image basewatch takes"),
        ("cut.png", encoded("PNG", size=(300, 300))[:200], "damaged or cut short"),
        ("empty.jpg", b"", "empty"),
    ],
)
def test_refused_files_are_field_errors_and_nothing_is_stored(media, name, content, message):
    editor = make_user("editor")
    observation = draft(editor)
    response = upload(client_for(None, editor), observation, content, name)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and message in " ".join(errors["file"]), errors
    assert not EvidenceImage.objects.exists() and stored_files(media) == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(media, settings):
    settings.IMAGE_MAX_BYTES = 1000
    editor = make_user("editor")
    observation = draft(editor)
    response = upload(client_for(None, editor), observation, encoded("PNG", size=(200, 200)) + b"\0" * 2000)
    assert response.status_code == 400
    assert "images may be at most 1,000 bytes" in response.context["form"].errors["file"][0]
    assert not EvidenceImage.objects.exists() and stored_files(media) == []


def test_the_pixel_limit_is_a_setting(media, settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    editor = make_user("editor")
    observation = draft(editor)
    response = upload(client_for(None, editor), observation, encoded("PNG", size=(101, 100)))
    assert "declares 101 × 100 pixels" in response.context["form"].errors["file"][0]
    assert upload(client_for(None, editor), observation, encoded("PNG", size=(100, 100))).status_code == 302


def test_the_same_image_twice_on_one_claim_is_refused(media):
    editor = make_user("editor")
    observation = draft(editor)
    client = client_for(None, editor)
    assert upload(client, observation, encoded("PNG")).status_code == 302
    response = upload(client, observation, encoded("PNG"))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["This image is already attached here."]
    assert EvidenceImage.objects.count() == 1


def test_who_may_attach_images(media):
    owner = make_user("editor")
    observation = draft(owner)
    url = add_url(observation)
    assert Client().get(url).status_code == 302  # to the login page
    assert client_for("viewer").get(url).status_code == 403
    assert client_for(None, owner).get(url).status_code == 200
    # As for editing the claim: a published one is changed by reviewers, not by editors.
    published = make_observation(make_site(), make_asset_type(), dt.date(2024, 12, 1), entered_by=owner)
    assert upload(client_for("editor"), published, encoded("PNG")).status_code == 403
    assert client_for(None, owner).get(reverse("front:image-add", args=["site", 1])).status_code == 404
    assert client_for(None, owner).get(reverse("front:image-add", args=["observation", 999999])).status_code == 404
    assert not EvidenceImage.objects.exists()


def test_a_capture_date_in_the_future_is_a_field_error(media):
    editor = make_user("editor")
    observation = draft(editor)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = upload(client_for(None, editor), observation, encoded("PNG"), captured=tomorrow)
    assert response.status_code == 400 and "captured" in response.context["form"].errors
    assert not EvidenceImage.objects.exists()


def test_the_admin_adds_images_through_the_same_checks(media):
    admin = make_user("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(None, admin)
    observation = draft()
    url = reverse("admin:core_evidenceimage_add")
    fields = {"observation": observation.pk, "credit": "Maxar Technologies", "captured": "2024-12-13"}
    refused = client.post(url, {**fields, "upload": SimpleUploadedFile("x.jpg", SVG)})
    assert refused.status_code == 200 and "not an image basewatch takes" in refused.content.decode()
    assert not EvidenceImage.objects.exists() and stored_files(media) == []
    added = client.post(url, {**fields, "upload": SimpleUploadedFile("x.jpg", jpeg_with_gps())})
    assert added.status_code == 302, added.content.decode()[:2000]
    image = EvidenceImage.objects.get()
    assert (image.observation, image.uploaded_by, image.format) == (observation, admin, "JPEG")
    assert GPS_MARKER not in (media / image.file.name).read_bytes()
    again = client.post(url, {**fields, "upload": SimpleUploadedFile("x.jpg", jpeg_with_gps())})
    assert "This image is already attached here." in again.content.decode()
    assert EvidenceImage.objects.count() == 1


def test_the_source_page_lists_its_images_and_offers_to_add_one(media):
    source = make_source()
    editor = make_user("editor")
    client = client_for(None, editor)
    add = reverse("front:image-add", args=["source", source.pk])
    client.post(add, {"file": SimpleUploadedFile("a.webp", encoded("WEBP")), "caption": "Apron, 13 December"})
    page = client.get(reverse("front:source-edit", args=[source.pk])).content.decode()
    assert f'href="{add}"' in page and "Apron, 13 December" in page


def test_the_camera_orientation_is_applied_and_only_the_first_frame_is_kept():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: show it rotated by 90°
    turned = images.check_bytes(encoded("JPEG", size=(64, 48), exif=exif.tobytes()))
    assert (turned.width, turned.height) == (48, 64)
    assert ExifTags.Base.Orientation not in Image.open(io.BytesIO(turned.content)).getexif()
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (30, 20), "red"), Image.new("RGB", (30, 20), "blue")]
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:])  # an animated PNG
    first = images.check_bytes(buffer.getvalue())
    assert getattr(Image.open(io.BytesIO(first.content)), "n_frames", 1) == 1
