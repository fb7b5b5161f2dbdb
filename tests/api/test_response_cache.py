"""Anonymous answers are kept per worker until the next write; editors' never are."""

from __future__ import annotations

import pytest

from basewatch.api.response_cache import CachedAnswer, ResponseCache, responses
from tests.factories import make_site, make_token

pytestmark = pytest.mark.django_db


def test_an_anonymous_answer_is_served_from_the_cache_until_a_write(api):
    make_site(slug="khmeimim", name="Khmeimim")
    first = api.get("sites/")
    kept = responses.get(first.headers["ETag"])
    assert kept is not None and kept.body == first.content
    again = api.get("sites/")
    assert again.content == first.content and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert "Content-Security-Policy" in again.headers

    renamed = api.patch(
        "sites/khmeimim/", json={"properties": {"name": "Hmeimim"}, "version": 1}, token=make_token("editor")
    )
    assert renamed.status_code == 200
    after = api.get("sites/")
    assert after.headers["ETag"] != first.headers["ETag"]
    assert "Hmeimim" in after.text and "Khmeimim" not in after.text


def test_csv_is_kept_with_its_headers_and_editors_answers_are_not_kept(api):
    make_site(slug="tartus", name="Tartus")
    csv = api.get("sites/", params={"format": "csv"})
    kept = responses.get(csv.headers["ETag"])
    assert kept is not None and kept.body == csv.content
    assert dict(kept.headers)["Content-Disposition"] == csv.headers["Content-Disposition"]
    editor = api.get("sites/", token=make_token("editor"))
    assert responses.get(editor.headers["ETag"]) is None


def test_the_cache_stays_within_its_bytes():
    cache = ResponseCache(capacity=100)
    for key in "abcdef":
        cache.put(key, CachedAnswer((), b"x" * 20))
    assert cache.get("a") is None and cache.get("b") is not None  # least recently used went first
    cache.put("huge", CachedAnswer((), b"x" * 26))  # over a quarter of the capacity
    assert cache.get("huge") is None
    streamed = b"".join(cache.tee("s", (), iter([b"12", b"34"])))
    assert streamed == b"1234" and cache.get("s").body == b"1234"
    long = b"".join(cache.tee("long", (), iter([b"x" * 20, b"y" * 20])))
    assert long == b"x" * 20 + b"y" * 20 and cache.get("long") is None  # sent whole, not kept in part
    off = ResponseCache(capacity=0)  # RESPONSE_CACHE_MB=0
    b"".join(off.tee("s", (), iter([b"12"])))
    off.put("p", CachedAnswer((), b"1"))
    assert off.get("s") is None and off.get("p") is None
