"""The observation list's JSON, written by PostgreSQL (api.pg_json.observation_page), is what
ObservationSerializer gives for the same rows: for the public and for signed-in roles, with
assets named every way, odd text, timestamps with and without microseconds, several sources."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db.models.expressions import RawSQL
from django.test import RequestFactory
from django.utils import timezone

from basewatch.api.serializers import ObservationSerializer
from basewatch.core.expressions import ASSET_KEY_SQL, ASSET_LABEL_SQL
from basewatch.core.models import ApiToken, Asset, Observation
from tests.factories import make_asset, make_asset_type, make_observation, make_site, make_source, make_user

pytestmark = pytest.mark.django_db


def _serialized(rows, user) -> list[dict]:
    request = RequestFactory().get("/")
    request.user = user
    data = ObservationSerializer(rows, many=True, context={"request": request}).data
    return json.loads(json.dumps(data))


def _all_pages(api, **kwargs) -> list[dict]:
    rows, url = [], "observations/?page_size=7"
    while url:
        page = api.get(url, **kwargs).json()
        rows += page["results"]
        url = page["next"]
    return rows


@pytest.fixture
def varied():
    """Observations naming assets every way an asset can be named, with odd text and several sources."""
    site = make_site(slug="odd-base")
    jets = make_asset_type(slug="jets")
    ships = make_asset_type(slug="ships")
    editor, reviewer = make_user("editor"), make_user("reviewer")
    plain = make_source(title='Quote " backslash \\ and ünïcode ✓', publisher="")
    undated = make_source(title="Undated", published=None, captured=None, archive_url="")
    assets = [
        None,
        make_asset(asset_type=jets, registration="RA-76845", name="Il-76TD", operator="EMERCOM of Russia (MChS)"),
        make_asset(asset_type=jets, registration="", icao_hex="152C2D", name=""),
        make_asset(asset_type=ships, registration="", hull_number="1166", name="Pyotr Velikiy", operator=""),
        make_asset(asset_type=ships, registration="", imo="9138850", name=""),
        make_asset(asset_type=ships, registration="", mmsi="273350190", name="", operator="Sovcomflot"),
        make_asset(asset_type=jets, registration="RA 85 ü", name=""),  # reversed URLs quote it
    ]
    for n, asset in enumerate(assets):
        sources = [plain, undated] if n % 2 else [plain]
        observation = make_observation(
            site, asset.asset_type if asset else jets, dt.date(2024, 12, 1 + n), count=n or None, asset=asset,
            notes="line\nbreak\t\"quoted\"" if n == 3 else "", sources=sources,
        )  # fmt: skip
        if n == 2:  # reviewed, and a timestamp on a whole second (isoformat leaves the fraction out)
            whole = timezone.now().replace(microsecond=0)
            Observation.objects.filter(pk=observation.pk).update(
                reviewed_by=reviewer, reviewed_at=whole, created=whole, entered_by=editor
            )
    make_observation(site, jets, dt.date(2024, 12, 20), state="rejected", state_reason="Duplicate of a report.")
    return editor


def test_anonymous_pages_are_the_serializers_public_fields(api, varied):
    from django.contrib.auth.models import AnonymousUser

    expected = _serialized(Observation.objects.published().with_details(), AnonymousUser())
    assert _all_pages(api) == expected
    assert len(expected) == 7 and "entered_by" not in expected[0]


def test_signed_in_pages_add_the_internal_fields(api, varied):
    token = ApiToken.issue(varied, "test")[1]
    expected = _serialized(Observation.objects.with_details(), varied)
    assert _all_pages(api, token=token) == expected
    rejected = next(row for row in expected if row["state"] == "rejected")
    assert rejected["state_reason"] == "Duplicate of a report." and "reviewed_at" in rejected
    [reviewed] = [row for row in expected if row["reviewed_by"]]
    assert "." not in reviewed["created"] and "." not in reviewed["reviewed_at"]  # whole seconds were compared


def test_the_first_page_counts_and_filters_apply(api, varied):
    page = api.get("observations/", params={"asset_type": "ships", "page_size": 2}).json()
    assert page["count"] == 3 and list(page) == ["count", "next", "previous", "results"]
    assert [row["asset_type"] for row in page["results"]] == ["ships", "ships"]
    following = api.get(page["next"]).json()
    assert "count" not in following and [row["asset_type"] for row in following["results"]] == ["ships"]


def test_the_sql_names_assets_as_the_model_does():
    jets = make_asset_type()
    make_asset(asset_type=jets, registration="", icao_hex="ABCDEF", name="", operator="Some Air")
    make_asset(asset_type=jets, registration="", hull_number="", name="Only a name")
    make_asset(asset_type=jets, registration="", mmsi="273350190", imo="9138850", name="Both", operator="X")
    make_asset(asset_type=jets, registration="", name="", mmsi="273350191")
    rows = Asset.objects.annotate(
        sql_key=RawSQL(ASSET_KEY_SQL.format(a="core_asset"), []),  # noqa: S611 (constant SQL)
        sql_label=RawSQL(ASSET_LABEL_SQL.format(a="core_asset"), []),  # noqa: S611 (constant SQL)
    )
    assert len(rows) == 4
    for asset in rows:
        assert (asset.sql_key, asset.sql_label) == (asset.key, asset.label)
