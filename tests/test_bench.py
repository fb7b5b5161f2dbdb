"""The benchmark's helpers: its comparison endpoints answer what basewatch answers, and its report adds up."""

from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings

from bench import naive, report, sql_limit
from bench.run import ids_of

pytestmark = pytest.mark.django_db

DAY = "2025-06-30"


@pytest.fixture
def world():
    call_command("generate_world", "--tier", "XS", stdout=io.StringIO())


def api(path: str) -> dict:
    response = Client().get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(body)


def features_by_id(collection: dict) -> dict:
    """Features by id, coordinates rounded (PostGIS writes 15 decimals, Python the shortest repr)."""
    features = {}
    for feature in collection["features"]:
        geometry = {**feature["geometry"], "coordinates": [round(c, 9) for c in feature["geometry"]["coordinates"]]}
        features[feature["id"]] = {**feature, "geometry": geometry}
    return features


@pytest.mark.parametrize("limit", [sql_limit.sites, sql_limit.sites_from_claims], ids=["steps", "claims"])
def test_the_sql_limits_build_the_same_sites_as_the_api(world, limit):
    expected = features_by_id(api(f"/api/v1/sites/?as_of={DAY}&page_size=10000"))
    answer = json.loads(limit(RequestFactory().get("/", {"as_of": DAY})).content)
    assert features_by_id(answer) == expected and len(expected) == 20
    assert answer["count"] == 20
    box = "-60,-60,60,60"
    in_box = json.loads(limit(RequestFactory().get("/", {"as_of": DAY, "bbox": box})).content)
    assert ids_of(json.dumps(in_box).encode()) == ids_of(
        json.dumps(api(f"/api/v1/sites/?as_of={DAY}&bbox={box}&page_size=10000")).encode()
    )


def test_the_sql_limit_builds_the_same_time_series_as_the_api(world):
    expected = api("/api/v1/sites/bench-00001/timeseries/")
    answer = json.loads(sql_limit.timeseries(RequestFactory().get("/"), "bench-00001").content)
    assert answer == expected and sum(len(series["points"]) for series in answer["series"]) > 100


def test_the_naive_path_gives_the_same_postures(world):
    expected = features_by_id(api(f"/api/v1/sites/?as_of={DAY}&page_size=10000"))
    answer = naive.sites(RequestFactory().get("/", {"as_of": DAY}))
    answer.render()
    naive_features = features_by_id(json.loads(answer.content))
    assert naive_features.keys() == expected.keys()
    assert naive_features == expected


def test_the_report_takes_medians_and_ratios():
    rounds = [
        {"workload": "E1", "contender": contender, "requests": 10, "non_2xx_3xx": 0, "socket_errors": 0,
         "p50_us": p50, "p95_us": p50 * 2, "rps": 1e6 / p50, "cpu_s_per_1000": 1.0, "peak_rss_mb": 100 + p50 / 1000}
        for contender, values in {"basewatch": [3000, 1000, 2000], "SQL limit": [1000, 1000, 4000]}.items()
        for p50 in values
    ]  # fmt: skip
    summary = report.summarise(rounds)
    assert [(row["contender"], row["p50_ms"], row["rounds"], row["requests"]) for row in summary] == [
        ("basewatch", 2.0, 3, 30),
        ("SQL limit", 1.0, 3, 30),
    ]
    assert report.ratios(summary) == {"E1 basewatch / SQL limit": 2.0}
    args = SimpleNamespace(tier="S", connections=4, seconds=10, rounds=3)
    machine = {"date": "d", "cpus": "2", "kernel": "k", "python": "3", "postgres": "pg", "wrk": "wrk"}
    table = report.markdown(args, summary, machine)
    assert "| E1 | basewatch | 2.0 | 4.0 |" in table and "| E1 basewatch / SQL limit | 2.00 |" in table


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_sql_limits_answers_are_not_hashed_for_an_etag(world):
    # basewatch's answers carry the data version's ETag; a limit whose whole answer Django hashed
    # for one (md5: about 150 ms of E1's 112 MB at tier M) would not be a limit.
    second_page = api("/api/v1/observations/?page_size=20")["next"].split("?", 1)[1]
    paths = [f"/bench/sql/sites/?as_of={DAY}", "/bench/sql/sites/bench-00001/timeseries/"]
    for path in [*paths, f"/bench/sql/observations/?{second_page}"]:
        response = Client().get(path)
        assert response.status_code == 200 and json.loads(response.content)
        assert not response.has_header("ETag"), path
    assert Client().get("/api/v1/sites/bench-00001/timeseries/").has_header("ETag")


@pytest.mark.django_db(transaction=True)  # world.page_cursor reads through a connection of its own
@override_settings(ROOT_URLCONF="bench.urls")
def test_the_offset_contender_and_the_keyset_cursor_give_the_same_deep_page(world):
    from django.db import connection

    size, page = 20, 7
    offset_page = api(f"/bench/offset/observations/?page={page}&page_size={size}")
    cursor = world_page_cursor(connection, page, size)
    keyset_page = api(f"/api/v1/observations/?cursor={cursor}&page_size={size}")
    assert [row["id"] for row in keyset_page["results"]] == [row["id"] for row in offset_page["results"]]
    assert len(offset_page["results"]) == size


def world_page_cursor(connection, page: int, size: int) -> str:
    from bench import world

    settings = connection.settings_dict
    url = f"postgis://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return world.page_cursor(url, page, size)


def test_requests_timed_one_by_one_are_summarised_like_wrk():
    from bench.run import summary_of

    result = summary_of([30.0, 10.0, 20.0], "chromium")
    assert (result["p50_us"], result["p95_us"], result["requests"], result["duration_us"]) == (20000, 30000, 3, 60000)
    assert result["method"] == "chromium"


def test_pygeoapi_is_configured_for_the_benchmark_database():
    from bench import pygeoapi

    config = pygeoapi.config("postgis://bench:secret@127.0.0.1:54329/basewatch_bench", 8766)
    provider = config["resources"]["sites"]["providers"][0]
    assert provider["data"] == {
        "host": "127.0.0.1", "port": 54329, "dbname": "basewatch_bench", "user": "bench", "password": "secret",
        "search_path": ["public"],
    }  # fmt: skip
    assert (provider["table"], provider["id_field"], provider["geom_field"]) == (
        "bench_pygeoapi_sites",
        "slug",
        "location",
    )
    assert config["server"]["limits"]["max_items"] >= 10000


def _same_instants(row: dict) -> dict:
    """Timestamps as instants: PostgreSQL and DRF write the same time with other digits."""
    parse = dt.datetime.fromisoformat
    row = {**row, "created": parse(row["created"]), "updated": parse(row["updated"])}
    if "sources" in row:
        row["sources"] = [_same_instants(source) for source in row["sources"]]
    return row


def test_the_sql_limit_builds_the_same_observation_page_as_the_api(world):
    from basewatch.core.models import Observation
    from basewatch.lib import cursor

    newest = Observation.objects.published().order_by("-observed", "-id")
    after = newest[30]
    position = cursor.encode(False, after.observed, after.pk)
    expected = api(f"/api/v1/observations/?cursor={position}&page_size=50")["results"]
    request = RequestFactory().get("/", {"cursor": position, "page_size": 50})
    answer = json.loads(sql_limit.observations(request).content)["results"]
    assert [_same_instants(row) for row in answer] == [_same_instants(row) for row in expected]
    assert len(answer) == 50 and all(row["sources"] for row in answer)
