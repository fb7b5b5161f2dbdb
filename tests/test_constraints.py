"""Every invariant is refused by the database (named constraint) and by clean() (field error)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from basewatch.core.models import Asset, Movement, Observation, Site, Source
from basewatch.lib.dates import latest_allowed_date
from tests.factories import make_asset, make_asset_type, make_observation, make_site, make_source

pytestmark = pytest.mark.django_db


class _Future:
    """The first day after latest_allowed_date() when a test writes it, not when this module was
    imported: in a run that crosses midnight UTC, that day would have become allowed."""

    def __repr__(self) -> str:
        return "FUTURE"


FUTURE = _Future()


def at_run(values: dict) -> dict:
    return {
        name: latest_allowed_date() + dt.timedelta(days=1) if value is FUTURE else value
        for name, value in values.items()
    }


BOWTIE = MultiPolygon(Polygon(((0, 0), (1, 1), (1, 0), (0, 1), (0, 0))), srid=4326)


def assert_refused_by_database(model, constraint: str, **values) -> None:
    """Writing the values straight to the row (no clean()) violates the named constraint."""
    values = at_run(values)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        model.objects.filter(pk=values.pop("pk")).update(**values)


def assert_field_error(obj, field: str, **values) -> None:
    for name, value in at_run(values).items():
        setattr(obj, name, value)
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    assert field in caught.value.message_dict, caught.value.message_dict


@pytest.fixture
def observation():
    return make_observation(make_site(), make_asset_type(), dt.date(2024, 12, 13), count=5)


OBSERVATION_CASES = [
    ("observation_counts_not_negative", "count", {"count": -1}),
    ("observation_counts_not_negative", "count_low", {"count_low": -1, "count": 5}),
    ("observation_bounds_need_count", "count", {"count": None, "count_high": 4}),
    ("observation_low_le_count", "count_low", {"count_low": 6}),
    ("observation_count_le_high", "count_high", {"count_high": 4}),
    ("observation_absent_counts_zero", "count", {"activity": "absent", "count": 3}),
    ("observation_observed_not_future", "observed", {"observed": FUTURE}),
    ("observation_observed_from_earliest", "observed", {"observed": dt.date(1899, 12, 31)}),
    ("observation_counts_at_most_max", "count", {"count": 1_000_001}),
    ("observation_counts_at_most_max", "count_high", {"count_high": 1_000_001}),
]


@pytest.mark.parametrize(("constraint", "field", "values"), OBSERVATION_CASES)
def test_observation_invariants(observation, constraint, field, values):
    assert_refused_by_database(Observation, constraint, pk=observation.pk, **values)
    assert_field_error(observation, field, **values)


def test_observation_credibility_range_refused_by_database(observation):
    assert_refused_by_database(Observation, "observation_credibility_range", pk=observation.pk, credibility=7)
    assert_field_error(observation, "credibility", credibility=7)


def test_observation_valid_values_pass(observation):
    observation.count_low, observation.count_high = 4, 6
    observation.full_clean()
    observation.save()
    observation.activity, observation.count, observation.count_low, observation.count_high = "absent", 0, None, None
    observation.full_clean()
    observation.save()
    stored = Observation.objects.get(pk=observation.pk)
    assert (stored.activity, stored.count, stored.count_low, stored.count_high) == ("absent", 0, None, None)


def test_observation_asset_must_be_of_its_asset_type(observation):
    assert_field_error(observation, "asset", asset=make_asset())


def test_observation_version_grows_with_each_save(observation):
    assert observation.version == 1
    observation.notes = "checked again"
    observation.save()
    observation.refresh_from_db()
    assert observation.version == 2


@pytest.mark.parametrize(
    ("constraint", "field", "values"),
    [
        ("source_url_scheme", "url", {"url": "ftp://files.example.org/report.pdf"}),
        ("source_url_scheme", "url", {"url": "javascript:alert(1)"}),
        ("source_archive_url_scheme", "archive_url", {"archive_url": "file:///etc/passwd"}),
        ("source_published_not_future", "published", {"published": FUTURE}),
        ("source_captured_not_future", "captured", {"captured": FUTURE, "published": None}),
        ("source_captured_before_published", "captured", {"captured": dt.date(2024, 12, 14)}),
    ],
)
def test_source_invariants(constraint, field, values):
    source = make_source(published=dt.date(2024, 12, 13))
    assert_refused_by_database(Source, constraint, pk=source.pk, **values)
    assert_field_error(source, field, **values)


def test_source_url_is_unique_but_blank_urls_are_not():
    make_source(url="https://news.example.org/same")
    with pytest.raises(IntegrityError, match="source_unique_url"), transaction.atomic():
        make_source(url="https://news.example.org/same")
    make_source(url="")
    make_source(url="")
    with pytest.raises(ValidationError) as caught:
        Source(kind="news_report", title="Again", url="https://news.example.org/same").full_clean()
    assert "url" in caught.value.message_dict or "__all__" in caught.value.message_dict


def test_asset_icao_hex_format():
    asset = make_asset(icao_hex="152C2D")
    assert_refused_by_database(Asset, "asset_icao_hex_format", pk=asset.pk, icao_hex="152C2G")
    assert_refused_by_database(Asset, "asset_icao_hex_format", pk=asset.pk, icao_hex="152c2d")
    assert_field_error(asset, "icao_hex", icao_hex="XYZ")


@pytest.mark.parametrize("registration", ["RA/76845", "17", " 17 "])
def test_asset_registration_is_a_key_for_its_url(registration):
    asset = make_asset(registration="RA-76845")
    if registration.strip() == registration:
        assert_refused_by_database(Asset, "asset_registration_format", pk=asset.pk, registration=registration)
    assert_field_error(asset, "registration", registration=registration)


def test_asset_clean_normalises_icao_hex_and_registration():
    asset = Asset(asset_type=make_asset_type(), registration=" ra-76845 ", icao_hex="152c2d")
    asset.full_clean()
    assert (asset.registration, asset.icao_hex) == ("RA-76845", "152C2D")


def test_asset_needs_an_identifier():
    asset = make_asset()
    assert_refused_by_database(Asset, "asset_identified", pk=asset.pk, registration="")
    with pytest.raises(ValidationError):
        Asset(asset_type=asset.asset_type).full_clean()


def test_asset_registration_is_unique():
    make_asset(registration="RA-76845")
    with pytest.raises(IntegrityError, match="asset_unique_registration"), transaction.atomic():
        make_asset(registration="RA-76845")


@pytest.mark.parametrize(
    ("constraint", "field", "values"),
    [
        ("movement_has_date", "departed", {"departed": None, "arrived": None}),
        ("movement_departed_before_arrived", "arrived", {"departed": dt.date(2024, 12, 18)}),
        ("movement_dates_not_future", "arrived", {"arrived": FUTURE}),
        ("movement_count_not_negative", "count", {"count": -2}),
        ("movement_count_at_most_max", "count", {"count": 1_000_001}),
    ],
)
def test_movement_invariants(constraint, field, values):
    movement = Movement.objects.create(
        origin=make_site(), destination=make_site(), asset_type=make_asset_type(), arrived=dt.date(2024, 12, 17)
    )
    assert_refused_by_database(Movement, constraint, pk=movement.pk, **values)
    assert_field_error(movement, field, **values)


def test_movement_origin_differs_from_destination():
    site = make_site()
    movement = Movement.objects.create(
        origin=site, destination=make_site(), asset_type=make_asset_type(), arrived=dt.date(2024, 12, 17)
    )
    assert_refused_by_database(Movement, "movement_distinct_sites", pk=movement.pk, destination=site)
    assert_field_error(movement, "destination", destination=site)


@pytest.mark.parametrize(
    ("constraint", "field", "values"),
    [
        ("site_location_in_range", "location", {"location": Point(200, 35, srid=4326)}),
        ("site_location_in_range", "location", {"location": Point(35, -91, srid=4326)}),
        ("site_footprint_valid", "footprint", {"footprint": BOWTIE}),
        ("site_wikidata_id_format", "wikidata_id", {"wikidata_id": "12345"}),
        ("site_country_codes", "operator", {"operator": "XX"}),
    ],
)
def test_site_invariants(constraint, field, values):
    site = make_site()
    if constraint != "site_country_codes":  # "XX" has the right shape; only the choices refuse it
        assert_refused_by_database(Site, constraint, pk=site.pk, **values)
    assert_field_error(site, field, **values)


def test_site_country_code_shape_refused_by_database():
    site = make_site()
    assert_refused_by_database(Site, "site_country_codes", pk=site.pk, host_country="sy")
