"""No API list's query count grows with the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_asset, make_asset_type, make_movement, make_observation, make_site, make_source

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/sites/",
    "/api/v1/sites/?as_of=2024-12-05&category=transport_aircraft&q=site",
    "/api/v1/sites/?format=csv",
    "/api/v1/sites/?format=xlsx",
    "/api/v1/sites/?posture=total",
    "/api/v1/site-totals/?as_of=2024-12-05&category=transport_aircraft",
    "/api/v1/site-table/?as_of=2024-12-05&category=transport_aircraft",
    "/api/v1/site-steps/?from=2024-11-20&to=2024-12-05&operator=RU",
    "/api/v1/sites/site-1/",
    "/api/v1/sites/site-1/timeseries/",
    "/api/v1/observations/",
    "/api/v1/observations/?format=csv",
    "/api/v1/observations/?format=xlsx",
    "/api/v1/movements/",
    "/api/v1/movements/?format=csv",
    "/api/v1/movements/?format=xlsx",
    "/api/v1/asset-types/",
    "/api/v1/assets/",
    "/api/v1/assets/?format=csv",
    "/api/v1/sources/",
    "/api/v1/sources/?format=csv",
    "/api/v1/sources/?format=xlsx",
]


def build(rows: int, first: int = 1) -> None:
    types = [make_asset_type() for _ in range(3)]
    sites = [make_site(slug=f"site-{n}") for n in range(first, first + rows)]
    for site in sites:
        for asset_type in types:
            sources = [make_source(), make_source()]
            make_asset(asset_type=asset_type)
            for day in (1, 2, 3):
                make_observation(site, asset_type, dt.date(2024, 12, day), count=day, sources=sources)
        make_movement(site, sites[0] if site != sites[0] else sites[-1], types[0], sources=[make_source()])


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_query_count_is_flat(client, url):
    build(2)
    small = count_queries(client, url)
    build(10, first=3)
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries with few rows, {large} with more"
    assert small <= 8, f"{url}: {small} queries"


def test_a_time_series_is_the_data_version_and_one_statement(client):
    """The series' statement finds the site itself: no round trip to read it first."""
    build(2)
    assert count_queries(client, "/api/v1/sites/site-1/timeseries/") == 2


def test_a_matching_etag_reads_only_the_data_version(client):
    make_observation(make_site(slug="etag-site"), make_asset_type(), dt.date(2024, 12, 1))
    for url in ("/api/v1/sites/?as_of=2024-12-05", "/api/v1/observations/", "/api/v1/sites/etag-site/timeseries/"):
        etag = client.get(url).headers.get("ETag")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 304, url
        assert len(queries) == 1 and "FROM core_dataversion" in queries[0]["sql"], url
