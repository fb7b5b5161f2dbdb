"""Query strings never break a write or a detail: list parameters apply to list reads only.

Every write endpoint and every detail endpoint is sent every list parameter with a valid
and an invalid value. The rule: a write ignores the query string (its answer describes
what it stored, exactly once); a detail ignores list filters (it answers as without
them) and checks only its own parameters (a site's `as_of`, `fresh`, `transient` and `posture`: a 400 naming
the parameter). Nothing answers 5xx, and every 4xx leaves every table as it was.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from basewatch.core.filters import (
    AssetFilter,
    AssetTypeFilter,
    MovementFilter,
    ObservationFilter,
    SiteFilter,
    SourceFilter,
)
from basewatch.core.models import Asset, AssetType, DataVersion, Movement, Observation, Site, Source
from basewatch.core.workflow import State
from tests.api.helpers import assert_error
from tests.factories import make_site, make_token
from tests.test_permission_matrix import snapshot

pytestmark = pytest.mark.django_db

# Every list's parameters: its filters, its paging and its format switches.
LIST_PARAMETERS = sorted(
    {
        name
        for filterset in (SiteFilter, ObservationFilter, MovementFilter, AssetTypeFilter, AssetFilter, SourceFilter)
        for name in filterset.base_filters
    }
    | {"posture", "format", "page", "page_size", "cursor"}
)
VALID = {
    "as_of": "2024-12-13",
    "fresh": "true",
    "transient": "true",
    "operator": "US",
    "host_country": "SY",
    "kind": "naval_base",
    "asset_type": "s-400",
    "category": "helicopter",
    "q": "nothing-matches-this",
    "bbox": "0,0,1,1",
    "site": "tartus",
    "origin": "tartus",
    "destination": "tartus",
    "activity": "absent",
    "asset": "1",
    "state": "draft",
    "source_kind": "official_statement",
    "from": "2030-01-01",
    "to": "2000-01-01",
    "registration": "XX-00000",
    "icao_hex": "000000",
    "reliability": "E",
    "url": "https://nowhere.example.org/",
    "publisher": "nobody",
    "posture": "none",
    "format": "csv",
    "page": "2",
    "page_size": "1",
    "cursor": "",
}
INVALID = "bogus\u00e9"


class Rollback(Exception):
    pass


@pytest.fixture
def editor() -> Client:
    return Client(headers={"Authorization": f"Token {make_token('reviewer')}"})


def _send(client: Client, method: str, path: str, query: dict, body: dict | None = None):
    url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    if method == "GET":
        return client.get(path, query)
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _writes(demo_rows) -> list[tuple[str, str, dict, str]]:
    """(method, path, body, the body's field to find in the answer) of every write endpoint."""
    site, observation, movement, source, asset_type, asset = demo_rows
    observation_body = {
        "site": site.slug,
        "asset_type": observation.asset_type.slug,
        "observed": "2024-12-20",
        "count": 3,
        "activity": "present",
        "credibility": 2,
        "source_ids": [source.pk],
    }
    movement_body = {
        "type": "Feature",
        "properties": {
            "origin": movement.origin.slug,
            "destination": movement.destination.slug,
            "asset_type": movement.asset_type.slug,
            "arrived": "2024-12-20",
            "source_ids": [source.pk],
        },
    }
    site_body = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [10.5, 20.5]},
        "properties": {"slug": "new-site", "name": "New site", "kind": "air_base", "operator": "RU",
                       "host_country": "LY"},
    }  # fmt: skip
    return [
        ("POST", reverse("api:site-list"), site_body, "new-site"),
        ("PATCH", reverse("api:site-detail", args=[site.slug]), {"properties": {"description": "x"}, "version": site.version}, "x"),  # noqa: E501
        ("POST", reverse("api:observation-list"), observation_body, "2024-12-20"),
        ("PATCH", reverse("api:observation-detail", args=[observation.pk]), {"notes": "n1", "version": observation.version}, "n1"),  # noqa: E501
        ("POST", reverse("api:observation-decision", args=[observation.pk, "retract"]), {"version": observation.version, "reason": "r1"}, "retracted"),  # noqa: E501
        ("POST", reverse("api:movement-list"), movement_body, "2024-12-20"),
        ("PATCH", reverse("api:movement-detail", args=[movement.pk]), {"properties": {"notes": "n2"}, "version": movement.version}, "n2"),  # noqa: E501
        ("POST", reverse("api:movement-decision", args=[movement.pk, "retract"]), {"version": movement.version, "reason": "r2"}, "retracted"),  # noqa: E501
        ("POST", reverse("api:assettype-list"), {"slug": "t-new", "name": "T new", "category": "other"}, "t-new"),
        ("PATCH", reverse("api:assettype-detail", args=[asset_type.slug]), {"notes": "n3", "version": asset_type.version}, "n3"),  # noqa: E501
        ("POST", reverse("api:asset-list"), {"asset_type": asset_type.slug, "registration": "RA-99999"}, "RA-99999"),
        ("PATCH", reverse("api:asset-detail", args=[asset.pk]), {"notes": "n4", "version": asset.version}, "n4"),
        ("POST", reverse("api:source-list"), {"kind": "other", "title": "T4", "url": "https://s.example.org/4"}, "T4"),
        ("PATCH", reverse("api:source-detail", args=[source.pk]), {"title": "T5", "version": source.version}, "T5"),
    ]  # fmt: skip


def _details(demo_rows) -> list[str]:
    site, observation, movement, source, asset_type, asset = demo_rows
    return [
        reverse("api:site-detail", args=[site.slug]),
        reverse("api:site-timeseries", args=[site.slug]),
        reverse("api:observation-detail", args=[observation.pk]),
        reverse("api:movement-detail", args=[movement.pk]),
        reverse("api:assettype-detail", args=[asset_type.slug]),
        reverse("api:asset-detail", args=[asset.pk]),
        reverse("api:source-detail", args=[source.pk]),
    ]


# A detail's own parameters: they are checked, the list filters are not.
OWN_PARAMETERS = {
    "/api/v1/sites/khmeimim/": {"as_of", "fresh", "transient", "posture"},
    "/api/v1/sites/khmeimim/timeseries/": {"from", "to", "asset_type", "category"},
}


@pytest.fixture
def demo_rows(demo):
    site = Site.objects.get(slug="khmeimim")
    observation = Observation.objects.filter(site=site, state=State.PUBLISHED).first()
    movement = Movement.objects.published().first()
    return site, observation, movement, Source.objects.first(), AssetType.objects.first(), Asset.objects.first()


@pytest.mark.parametrize("parameter", LIST_PARAMETERS)
def test_writes_ignore_list_parameters(editor, demo_rows, parameter):
    version_before = DataVersion.current()[0]
    problems = []
    before = snapshot()  # every write below is rolled back, so each starts from this
    for value in (VALID.get(parameter, "x"), INVALID):
        for method, path, body, expected in _writes(demo_rows):
            try:
                with transaction.atomic():
                    response = _send(editor, method, path, {parameter: value}, body)
                    # A 2xx must have stored what it describes; a refusal must have stored nothing.
                    stored = DataVersion.current()[0] != version_before
                    after = snapshot() if response.status_code >= 400 else None
                    raise Rollback
            except Rollback:
                pass
            where = f"{method} {path}?{parameter}={value}"
            if not 200 <= response.status_code < 300:
                changed = " and changed rows" if after != before else ""
                problems.append(f"{where}: {response.status_code}{changed} {_content(response)[:300]!r}")
            elif expected.encode() not in _content(response):
                problems.append(f"{where}: the answer does not describe the write: {_content(response)[:300]!r}")
            elif not stored:
                problems.append(f"{where}: answered {response.status_code} but stored nothing")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("parameter", LIST_PARAMETERS)
def test_details_ignore_list_parameters(demo_rows, parameter):
    client = Client()
    problems = []
    for path in _details(demo_rows):
        plain = client.get(path)
        assert plain.status_code == 200, path
        for value in (VALID.get(parameter, "x"), INVALID):
            response = client.get(path, {parameter: value})
            where = f"GET {path}?{parameter}={value}"
            if parameter in OWN_PARAMETERS.get(path, ()):
                if value == INVALID and (response.status_code != 400 or parameter not in response.json()):
                    problems.append(f"{where}: {response.status_code}, expected a 400 naming {parameter}")
                elif value != INVALID and response.status_code != 200:
                    problems.append(f"{where}: {response.status_code}")
            elif response.status_code != 200 or _content(response) != _content(plain):
                problems.append(f"{where}: {response.status_code}, not the same answer as without the parameter")
    assert not problems, "\n".join(problems)


def test_the_examples_found_on_the_running_server(editor, demo_rows):
    """The four answers the issue found, each now describing what happened."""
    site_body = _writes(demo_rows)[0][2]
    response = _send(editor, "POST", reverse("api:site-list"), {"posture": "bogus"}, site_body)
    assert response.status_code == 201 and response.json()["properties"]["posture"] == []

    site_body["properties"]["slug"] = "second-site"
    before = Site.objects.count()
    response = _send(editor, "POST", reverse("api:site-list"), {"as_of": "x"}, site_body)
    assert response.status_code == 201 and Site.objects.count() == before + 1

    observation_body = _writes(demo_rows)[2][2]
    response = _send(editor, "POST", reverse("api:observation-list"), {"activity": "absent"}, observation_body)
    assert response.status_code == 201 and response.json()["activity"] == "present"
    assert Observation.objects.filter(pk=response.json()["id"], activity="present").exists()

    response = Client().get(reverse("api:site-detail", args=["khmeimim"]), {"operator": "US"})
    assert response.status_code == 200 and response.json()["id"] == "khmeimim"


def test_as_of_on_a_detail_is_read(demo_rows):
    """`as_of` on a site's detail is its own parameter: the posture is the one of that date."""
    before = Client().get(reverse("api:site-detail", args=["khmeimim"]), {"as_of": "2024-10-31"}).json()
    after = Client().get(reverse("api:site-detail", args=["khmeimim"]), {"as_of": str(dt.date(2024, 12, 31))}).json()
    assert before["properties"]["posture"] == [] and after["properties"]["posture"]


def test_every_country_code_is_taken_by_each_filter_and_by_a_site():
    """Every ISO code the document lists for `operator` and `host_country`, as filter and as a
    site's field. (The schemathesis runs send a few representative codes, not all 249:
    tests/api/schemathesis_hooks.py.)"""
    from basewatch.api.serializers import SiteDetailSerializer
    from basewatch.core.filters import COUNTRIES

    codes = [code for code, _ in COUNTRIES]
    assert len(codes) == 249
    site_fields = SiteDetailSerializer().fields
    filter_fields = [
        (filterset.__name__, name, filterset(queryset=filterset._meta.model.objects.all()).form.fields[name])
        for filterset, names in (
            (SiteFilter, ("operator", "host_country")),
            (ObservationFilter, ("operator",)),
            (MovementFilter, ("operator", "host_country")),
        )
        for name in names
    ]
    for filterset, name, field in filter_fields:  # each list's field offers every code
        assert {value for value, _ in field.choices} >= set(codes), (filterset, name)
    _, _, field = filter_fields[0]
    for code in codes:  # and takes it (one field: each clean walks all 249 choices)
        assert field.clean(code) == code
        for name in ("operator", "host_country"):
            assert str(site_fields[name].run_validation(code)) == code
    bad = SiteFilter({"operator": "XX"}, queryset=Site.objects.all()).form
    assert not bad.is_valid() and "operator" in bad.errors


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        # A filter of another list was ignored: the client got every row as if filtered.
        ("observations/", {"bbox": "35,34,37,36"}, "bbox"),
        ("movements/", {"bbox": "35,34,37,36"}, "bbox"),
        # Another CRS asked for: the bbox was read as degrees and the answer was in 4326.
        ("sites/", {"bbox": "35,34,37,36", "bbox-crs": "EPSG:3857"}, "bbox-crs"),
        ("sites/", {"crs": "EPSG:3857"}, "crs"),
        ("sources/", {"limit": "2"}, "limit"),  # OGC's name for page_size: the full page came back
        ("observations/", {"page": "2"}, "page"),  # paged by cursor
    ],
)
def test_a_parameter_the_list_does_not_take_is_a_400_naming_it(api, db, path, params, name):
    response = api.get(path, params=params)
    assert_error(response, 400, name)
    assert "This list takes:" in response.json()[name][0]
    if path == "observations/":
        assert "follow the `next`" in response.json()[name][0]


def test_a_cache_buster_is_let_through(api, db):
    assert api.get("observations/", params={"_": "1701234567"}).status_code == 200


@pytest.mark.parametrize("page", ["0", "-1", "abc", "²"])
def test_a_page_that_is_not_a_number_from_1_is_a_400(api, db, page):
    assert_error(api.get("sites/", params={"page": page}), 400, "page")


def test_a_page_past_the_last_is_a_404(api, db):
    make_site()
    assert api.get("sites/", params={"page": "99"}).status_code == 404
    assert api.get("sites/", params={"page": "last"}).status_code == 200
