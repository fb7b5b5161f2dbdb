"""Third-party OGC API - Features clients against a running basewatch: OWSLib and GDAL's OAPIF driver.

They run against pytest-django's `live_server` (a threaded server on the test database)
rather than the gunicorn `production_server`: that one sits "behind a TLS proxy", so every
link it writes (next pages, the OpenAPI server URL) says https://, which a client speaking
plain HTTP to it cannot follow. The clients follow our absolute links, so the server must
be reachable at the URLs it writes. Transactional: the server's thread reads committed rows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from urllib.parse import parse_qsl, urlsplit

import pytest
from owslib.ogcapi.features import Features

from basewatch.core.models import Observation, Site
from tests.factories import make_site

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sites(demo) -> list[str]:
    """The demo's sites and seven more: several pages at a small limit."""
    for n in range(7):
        make_site(slug=f"extra-{n}", name=f"Extra {n}")
    return sorted(Site.objects.values_list("slug", flat=True))


def test_owslib_reads_landing_conformance_collections_and_pages(live_server, sites):
    api = Features(f"{live_server.url}/ogc/")
    assert {link["rel"] for link in api.links} >= {"self", "service-desc", "conformance", "data"}
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in api.conformance()["conformsTo"]
    collections = {c["id"]: c for c in api.collections()["collections"]}
    assert set(collections) == {"sites", "observations", "movements"}
    assert api.collection("movements")["geometryType"] == "LineString"
    # OWSLib does not follow links itself: the caller passes on the `next` link's parameters.
    seen, params, pages = [], {"limit": 5}, 0
    while True:
        page = api.collection_items("sites", **params)
        pages += 1
        assert page["numberMatched"] == len(sites)
        seen += [feature["id"] for feature in page["features"]]
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not following:
            break
        params = dict(parse_qsl(urlsplit(following[0]).query))
    assert seen == sites
    assert pages == -(-len(sites) // 5) >= 3
    published = Observation.objects.published().count()
    observations = api.collection_items("observations", limit=1000)
    assert observations["numberReturned"] == observations["numberMatched"] == published > 0


def test_owslib_pages_a_cql2_filter_by_cursor(live_server, sites):
    api = Features(f"{live_server.url}/ogc/")
    wanted = Observation.objects.published().filter(count__isnull=False, site__slug="khmeimim")
    seen, params = [], {"filter": "site = 'khmeimim' AND count IS NOT NULL", "limit": 1}
    while True:
        page = api.collection_items("observations", **params)
        assert page["numberMatched"] == wanted.count() >= 2
        seen += [feature["id"] for feature in page["features"]]
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not following:
            break
        params = dict(parse_qsl(urlsplit(following[0]).query))
        assert "cursor" in params and params["filter"].startswith("site = ")
    assert seen == list(wanted.order_by("-observed", "-id").values_list("id", flat=True))


def test_owslib_reads_queryables_and_filters_on_them(live_server, sites):
    api = Features(f"{live_server.url}/ogc/")
    queryables = api.collection_queryables("observations")["properties"]
    assert list(queryables) == ["site", "asset_type", "activity", "asset", "observed", "count", "geometry"]
    assert "asset" in api.collection_queryables("movements")["properties"]
    site = Observation.objects.published().values_list("site__slug", flat=True).first()
    wanted = Observation.objects.published().filter(site__slug=site).count()
    filtered = api.collection_items("observations", site=site, limit=1000)
    assert filtered["numberMatched"] == wanted < Observation.objects.published().count()
    assert {feature["properties"]["site"] for feature in filtered["features"]} == {site}


OGRINFO = shutil.which("ogrinfo")


@pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_reads_every_site_across_pages(live_server, sites):
    # PAGE_SIZE: GDAL would otherwise ask for the advertised maximum and read one page.
    command = [OGRINFO, "-ro", "-al", "-oo", "PAGE_SIZE=4", "--config", "CPL_DEBUG", "ON"]
    result = subprocess.run(  # noqa: S603 (our own arguments)
        [*command, f"OAPIF:{live_server.url}/ogc/collections/sites"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Geometry: Point" in result.stdout
    assert f"Feature Count: {len(sites)}" in result.stdout
    read = re.findall(r"^\s+slug \(String\) = (\S+)$", result.stdout, flags=re.MULTILINE)
    assert sorted(read) == sites
    # GDAL followed the `next` links: the first page, then one page by cursor for every four more sites.
    pages = set(re.findall(r"Fetch\((\S+/ogc/collections/sites/items\?\S+)\)", result.stderr))
    cursors = [dict(parse_qsl(urlsplit(page).query)).get("cursor") for page in pages]
    assert len(pages) == -(-len(sites) // 4) >= 3, result.stderr[-3000:]
    assert cursors.count(None) == 1


def gdal_reads(live_server, collection: str, *options: str) -> tuple[list[dict[str, str]], list[str], str]:
    """What `ogrinfo` reads of a collection: each feature's string fields, the items URLs it
    fetched, and what it said on stderr."""
    command = [OGRINFO, "-ro", "-al", "--config", "CPL_DEBUG", "ON", *options]
    result = subprocess.run(  # noqa: S603 (our own arguments)
        [*command, f"OAPIF:{live_server.url}/ogc/collections/{collection}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    features = [
        dict(re.findall(r"^\s+(\w+) \(String\) = (.*)$", block, flags=re.MULTILINE))
        for block in result.stdout.split("OGRFeature(")[1:]
    ]
    fetched = re.findall(rf"Fetch\((\S+/ogc/collections/{collection}/items\?\S+)\)", result.stderr)
    return features, fetched, result.stderr


@pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_sends_an_equality_on_a_queryable_as_its_query_parameter_not_as_cql2(live_server, sites):
    # GDAL 3.6 writes a CQL filter only for a server whose OpenAPI document offers the draft
    # `filter-lang` "cql-text" (or "json-filter-expr"); basewatch offers CQL2's names. It sends
    # `name = 'value'` on a queryable as the query parameter of that name instead (Part 3's
    # queryables as query parameters) and weighs the rest of the -where itself.
    published = Observation.objects.published()
    features, fetched, stderr = gdal_reads(live_server, "observations", "-where", "site = 'khmeimim'")
    assert len(features) == published.filter(site__slug="khmeimim").count() >= 2, stderr[-3000:]
    assert {feature["site"] for feature in features} == {"khmeimim"}
    assert any("site=khmeimim" in url for url in fetched), fetched
    assert not any("filter" in url for url in fetched), fetched

    where = "site = 'khmeimim' AND asset_type <> 'nothing'"
    features, fetched, stderr = gdal_reads(live_server, "observations", "-where", where)
    assert len(features) == published.filter(site__slug="khmeimim").count()
    assert "Only part of the filter will be evaluated on server side" in stderr


@pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_sends_a_date_comparison_as_a_datetime_interval_and_gets_the_days_asked(live_server, sites):
    published = Observation.objects.published()
    features, fetched, stderr = gdal_reads(live_server, "observations", "-where", "observed >= '2024-12-13'")
    assert any("datetime=2024-12-13T" in url for url in fetched), fetched
    expected = published.filter(observed__gte="2024-12-13").count()
    assert 0 < expected < published.count()
    assert len(features) == expected, stderr[-3000:]


@pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_told_to_send_the_draft_cql_text_is_refused_naming_filter_lang(live_server, sites):
    options = ["--config", "OGR_OAPIF_ALLOW_CQL_TEXT", "YES", "-where", "site = 'khmeimim'"]
    features, fetched, stderr = gdal_reads(live_server, "observations", *options)
    assert features == []
    assert any("filter-lang=cql-text" in url for url in fetched), fetched
    assert '"parameter": "filter-lang"' in stderr
