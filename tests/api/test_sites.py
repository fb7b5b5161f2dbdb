"""GET/POST /api/v1/sites/, /sites/<slug>/ and /sites/<slug>/timeseries/."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from email.utils import parsedate_to_datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from basewatch.core.models import AssetType, Observation, PosturePoint, Site
from basewatch.core.posture import SUMMARY_FIELDS, PostureOptions
from tests.api.helpers import assert_error, features
from tests.factories import make_asset_type, make_observation, make_site, make_source, make_token

pytestmark = pytest.mark.django_db


def test_sites_are_geojson_with_longitude_first(api, demo):
    sites = features(api.get("sites/"))
    assert set(sites) == {"khmeimim", "tartus", "al-khadim", "bamako-senou"}
    khmeimim = sites["khmeimim"]
    assert khmeimim["type"] == "Feature"
    assert khmeimim["geometry"] == {"type": "Point", "coordinates": [35.9486, 35.4075]}
    properties = khmeimim["properties"]
    assert properties["slug"] == "khmeimim"
    assert (properties["operator"], properties["host_country"], properties["kind"]) == ("RU", "SY", "air_base")
    assert "Hmeimim" in properties["aliases"]
    assert properties["status"] == "drawing_down"


def posture(response) -> dict[str, tuple]:
    return {e["asset_type"]: (e["count"], e["activity"]) for e in response["properties"]["posture"]}


def test_khmeimim_posture_before_and_after_13_december(api, demo):
    before = features(api.get("sites/", params={"as_of": "2024-12-12"}))["khmeimim"]
    after = features(api.get("sites/", params={"as_of": "2024-12-20"}))["khmeimim"]
    assert posture(before) == {"s-400": (None, "present")}
    # An S-400 unit present, not counted: "+", never 0.
    summary = {name: before["properties"][name] for name in ("posture_total", "posture_label", "uncounted_types")}
    assert summary == {"posture_total": None, "posture_label": "+", "uncounted_types": 1}
    assert before["properties"]["last_observed"] == "2024-11-01"
    assert posture(after) == {
        "s-400": (None, "loading"),
        "an-124": (2, "loading"),
        "ka-52": (1, "dismantled"),
        "tactical-aviation": (None, "present"),
    }
    properties = after["properties"]
    # The An-124s came to carry equipment away: transient, shown, not counted. Two types are leaving.
    assert [e["presence"] for e in properties["posture"] if e["asset_type"] == "an-124"] == ["transient"]
    assert (properties["posture_label"], properties["posture_total"]) == ("1+", 1)
    assert (properties["leaving_types"], properties["transient_types"], properties["stale"]) == (2, 1, False)
    assert properties["last_observed"] == "2024-12-13"
    counted = features(api.get("sites/", params={"as_of": "2024-12-20", "transient": "true"}))["khmeimim"]
    assert counted["properties"]["posture_label"] == "3+"


def test_khmeimim_in_2026_is_stale_and_says_how_old(api, demo):
    site = api.get("sites/khmeimim/", params={"as_of": "2026-01-01"}).json()["properties"]
    assert (site["posture_label"], site["stale"], site["stale_types"]) == ("1+", True, 3)
    ka52 = next(e for e in site["posture"] if e["asset_type"] == "ka-52")
    assert (ka52["stale"], ka52["age_days"], ka52["fresh_days"]) == (True, 384, 60)
    fresh = api.get("sites/khmeimim/", params={"as_of": "2026-01-01", "fresh": "true"}).json()["properties"]
    assert (fresh["posture_label"], fresh["posture"]) == ("?", [])
    assert_error(api.get("sites/khmeimim/", params={"fresh": "perhaps"}), 400, "fresh")


def test_tartus_and_al_khadim_are_present_not_zero(api, demo):
    sites = features(api.get("sites/", params={"as_of": "2024-12-20"}))
    tartus, al_khadim = sites["tartus"]["properties"], sites["al-khadim"]["properties"]
    assert (tartus["posture_label"], tartus["posture_total"], tartus["uncounted_types"]) == ("+", None, 1)
    # al-Khadim's cargo flights pass through: nothing based is known, the flights are shown beside it.
    assert (al_khadim["posture_label"], al_khadim["transient_types"]) == ("?", 1)
    assert [(e["status"], e["trend"]) for e in al_khadim["posture"]] == [("uncounted", "arriving")]


def test_an_asset_filter_counts_only_those_assets(api, demo):
    helicopters = features(api.get("sites/", params={"as_of": "2024-12-20", "category": "helicopter"}))
    assert set(helicopters) == {"khmeimim"}
    khmeimim = helicopters["khmeimim"]["properties"]
    assert [e["asset_type"] for e in khmeimim["posture"]] == ["ka-52"]
    assert khmeimim["posture_label"] == "1"
    totals = api.get("site-totals/", params={"as_of": "2024-12-20", "category": "helicopter"}).json()["results"]
    assert [(row["site"], row["posture_label"]) for row in totals] == [("khmeimim", "1")]


def test_posture_defaults_to_today(api, demo):
    today = timezone.now().date().isoformat()
    assert api.get("sites/").json() == api.get("sites/", params={"as_of": today}).json()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"operator": "RU"}, {"khmeimim", "tartus", "al-khadim", "bamako-senou"}),
        ({"operator": "US"}, set()),
        ({"host_country": "LY"}, {"al-khadim"}),
        ({"kind": "naval_base"}, {"tartus"}),
        ({"asset_type": "an-124", "as_of": "2024-12-20"}, {"khmeimim"}),
        ({"asset_type": "an-124", "as_of": "2024-12-01"}, set()),
        ({"category": "helicopter", "as_of": "2024-12-20"}, {"khmeimim"}),
        ({"category": "transport_aircraft", "as_of": "2024-12-20"}, {"khmeimim", "bamako-senou", "al-khadim"}),
        ({"q": "hmeimim"}, {"khmeimim"}),
        ({"q": "ХМЕЙМИМ"}, {"khmeimim"}),
        ({"q": "aerienne"}, {"bamako-senou"}),
        ({"q": "TARTOUS"}, {"tartus"}),
        ({"bbox": "30,30,40,40"}, {"khmeimim", "tartus"}),
        ({"bbox": "-20,0,25,40"}, {"al-khadim", "bamako-senou"}),
        ({"bbox": "30,30,40,40", "q": "tartus"}, {"tartus"}),
    ],
)
def test_site_filters(api, demo, params, expected):
    assert set(features(api.get("sites/", params=params))) == expected


def test_bbox_across_the_antimeridian(api, db):
    make_site(slug="kamchatka", location=Point(175.0, 5.0, srid=4326))
    make_site(slug="samoa", location=Point(-172.0, -5.0, srid=4326))
    make_site(slug="greenwich", location=Point(0.0, 5.0, srid=4326))
    assert set(features(api.get("sites/", params={"bbox": "170,-10,-170,10"}))) == {"kamchatka", "samoa"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2024-13-01"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "1899-12-31"}, "as_of"),  # before EARLIEST_DATE
        ({"as_of": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "as_of"),  # after today anywhere
        ({"operator": "XX"}, "operator"),
        ({"kind": "castle"}, "kind"),
        ({"asset_type": "no-such-type"}, "asset_type"),
        ({"category": "spaceships"}, "category"),
        ({"bbox": "30,30,40"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "30,95,40,96"}, "bbox"),
        ({"bbox": "30,40,40,30"}, "bbox"),
        ({"bbox": "190,30,200,40"}, "bbox"),
        ({"bbox": "nan,30,40,40"}, "bbox"),
        ({"q": "x" * 201}, "q"),
        ({"posture": "maybe"}, "posture"),
        ({"posture": "false"}, "posture"),
    ],
)
def test_bad_parameters_are_400_naming_them(api, demo, params, field):
    assert_error(api.get("sites/", params=params), 400, field)


def test_site_detail_has_footprint_and_description(api, demo):
    response = api.get("sites/tartus/", params={"as_of": "2024-12-20"})
    assert response.status_code == 200
    feature = response.json()
    assert feature["id"] == "tartus"
    assert feature["properties"]["footprint"] is None
    assert "Tartus" in feature["properties"]["description"]
    assert posture(feature) == {"naval-vessels": (None, "present")}


def test_unknown_site_is_json_404(api, demo):
    assert_error(api.get("sites/atlantis/"), 404, "detail")
    assert_error(api.get("sites/atlantis/timeseries/"), 404, "detail")
    assert_error(api.get("sites/atlantis/timeseries/", params={"from": "2024-01-01"}), 404, "detail")
    # The filters are read before the site is looked for: a bad one is named first.
    assert_error(api.get("sites/atlantis/timeseries/", params={"asset_type": "nope"}), 400, "asset_type")
    assert_error(api.get("no-such-endpoint/"), 404, "detail")


def test_a_site_with_nothing_observed_has_no_series(api, db):
    make_site(slug="empty-base")
    for params in ({}, {"from": "2024-01-01"}, {"category": "air_defence"}):
        response = api.get("sites/empty-base/timeseries/", params=params)
        assert response.status_code == 200
        assert response.json() == {"site": "empty-base", "series": []}


def test_pagination_has_a_maximum(api, db):
    for _ in range(3):
        make_site()
    page = api.get("sites/", params={"page_size": 2}).json()
    assert (page["count"], len(page["features"])) == (3, 2)
    assert "page=2" in page["next"]
    assert len(api.get("sites/", params={"page_size": 10**9}).json()["features"]) == 3
    assert_error(api.get("sites/", params={"page": 99}), 404, "detail")


def test_sites_csv(api, demo):
    response = api.get("sites/", params={"format": "csv", "as_of": "2024-12-20"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert set(rows) == {"khmeimim", "tartus", "al-khadim", "bamako-senou"}
    assert (rows["khmeimim"]["posture_total"], rows["khmeimim"]["posture_label"]) == ("1", "1+")
    # A lone "+" is quoted like any cell a spreadsheet could run as a formula.
    assert (rows["tartus"]["posture_total"], rows["tartus"]["posture_label"]) == ("", "'+")
    assert "An-124 Ruslan: 2, loading, passing through, last seen 2024-12-13" in rows["khmeimim"]["posture"]
    assert 'S-400 "Triumf": present, count unknown, loading' in rows["khmeimim"]["posture"]
    assert rows["khmeimim"]["longitude"] == "35.9486"
    assert_error(api.get("sites/", params={"format": "csv", "as_of": "bad"}), 400, "as_of")


@pytest.mark.django_db(transaction=True)
def test_last_modified_moves_on_any_write_even_a_new_link(api, demo):
    """Transactional: Last-Modified is the time of the last write's transaction (PostgreSQL's
    now()), which does not move within the one transaction of a rolled-back test."""
    from basewatch.core.models import ObservationSource

    before = api.get("observations/").headers["Last-Modified"]
    time.sleep(1.1)  # Last-Modified counts whole seconds
    observation = Observation.objects.published().first()
    ObservationSource.objects.create(observation=observation, source=make_source())
    after = api.get("observations/", headers={"If-Modified-Since": before})
    assert after.status_code == 200
    assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(before)
    assert api.get("observations/", headers={"If-Modified-Since": after.headers["Last-Modified"]}).status_code == 304


@pytest.mark.django_db(transaction=True)
def test_a_reader_leaving_mid_stream_cancels_the_statement_and_frees_the_connection(api, demo, monkeypatch):
    """The sites list streams its statement's rows (api.pg_json.site_collection): a client gone
    after the first feature closes the response, which must stop the statement and leave the
    connection to the next request (psycopg holds it while the rows stream). Transactional: as
    served, in autocommit, where a cancelled statement leaves no transaction behind."""
    from basewatch.api import conditional, pg_json

    monkeypatch.setattr(pg_json, "FEATURES_PER_CHUNK", 1)  # a piece per feature: more to come
    # Computed, not answered from the response cache (a repeat of another test's request is).
    monkeypatch.setattr(conditional, "cacheable", lambda request: False)
    response = api.client.get("/api/v1/sites/?as_of=2024-12-20")
    pieces = iter(response.streaming_content)
    next(pieces)  # the head
    assert next(pieces).startswith(b'{"id" : "')  # one feature of four: the statement is still running
    response.close()  # what the WSGI server does when the client leaves
    assert Site.objects.count() == 4  # the connection answers again at once
    assert len(api.get("sites/", params={"as_of": "2024-12-20"}).json()["features"]) == 4


def test_conditional_get(api, demo):
    first = api.get("sites/")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert api.get("sites/", headers={"If-None-Match": etag}).status_code == 304
    assert api.get("sites/", headers={"If-Modified-Since": modified}).status_code == 304
    Site.objects.filter(slug="tartus").update(name="Tartus", updated=timezone.now() + dt.timedelta(seconds=2))
    changed = api.get("sites/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_time_series(api, db):
    site, jets, radar = make_site(slug="base"), make_asset_type(slug="jets"), make_asset_type(slug="radar")
    make_observation(site, jets, dt.date(2024, 11, 1), count=10, count_low=8, count_high=12)
    make_observation(site, jets, dt.date(2024, 12, 1), count=6)
    make_observation(site, jets, dt.date(2024, 12, 10), count=None, activity="absent")
    make_observation(site, jets, dt.date(2024, 12, 11), count=99, state="draft")
    radar_obs = make_observation(site, radar, dt.date(2024, 11, 15), count=None)
    make_observation(make_site(slug="other-base"), radar, dt.date(2024, 11, 20), count=3)  # not base's
    body = api.get("sites/base/timeseries/").json()
    assert body["site"] == "base"
    series = {s["asset_type"]: s for s in body["series"]}
    assert (series["jets"]["presence"], series["jets"]["fresh_days"]) == ("based", jets.fresh_days)
    assert [(p["date"], p["count"], p["activity"]) for p in series["jets"]["points"]] == [
        ("2024-11-01", 10, "present"),
        ("2024-12-01", 6, "present"),
        ("2024-12-10", 0, "absent"),
    ]
    assert series["jets"]["points"][0]["count_low"] == 8 and series["jets"]["points"][0]["count_high"] == 12
    assert series["radar"]["points"] == [
        {
            "date": "2024-11-15",
            "precision": "day",
            "status": "uncounted",
            "count": None,
            "count_low": None,
            "count_high": None,
            "activity": "present",
            "trend": None,
            "observation": radar_obs.pk,
        }
    ]
    only = api.get("sites/base/timeseries/", params={"from": "2024-11-20", "to": "2024-12-05"}).json()
    assert [(s["asset_type"], [p["date"] for p in s["points"]]) for s in only["series"]] == [("jets", ["2024-12-01"])]
    by_type = api.get("sites/base/timeseries/", params={"asset_type": "radar"}).json()
    assert [s["asset_type"] for s in by_type["series"]] == ["radar"]
    by_category = api.get("sites/base/timeseries/", params={"category": "helicopter"}).json()
    assert by_category["series"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2024-02-30"}, "from"),
        ({"to": "20241201"}, "to"),
        ({"asset_type": "nope"}, "asset_type"),
        ({"category": "nope"}, "category"),
    ],
)
def test_time_series_rejects_bad_parameters(api, demo, params, field):
    assert_error(api.get("sites/khmeimim/timeseries/", params=params), 400, field)


def test_khmeimim_time_series_shows_the_drawdown(api, demo):
    series = {s["asset_type"]: s["points"] for s in api.get("sites/khmeimim/timeseries/").json()["series"]}
    assert [(p["date"], p["activity"]) for p in series["s-400"]] == [
        ("2024-11-01", "present"),
        ("2024-12-13", "loading"),
    ]
    assert [(p["date"], p["count"]) for p in series["an-124"]] == [("2024-12-13", 2)]


def site_feature(**properties) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [12.0, 55.0]},
        "properties": {
            "slug": "new-base",
            "name": "New base",
            "kind": "army_base",
            "operator": "RU",
            "host_country": "BY",
            "location_precision": "exact",
            **properties,
        },
    }


def test_editor_creates_a_site(api, db):
    token = make_token("editor")
    response = api.post("sites/", json=site_feature(aliases=["Новая"]), token=token)
    assert response.status_code == 201, response.text
    site = Site.objects.get(slug="new-base")
    assert (site.location.x, site.location.y, site.aliases) == (12.0, 55.0, ["Новая"])
    assert response.json()["properties"]["posture"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"geometry": {"type": "Point", "coordinates": [12, 55], "crs": {"type": "name"}}}, "location"),
        ({"geometry": {"type": "Point", "coordinates": [55, 120]}}, "location"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}, "location"),
        ({"geometry": "SRID=3857;POINT (1 2)"}, "location"),
        ({"properties_change": {"operator": "XX"}}, "operator"),
        ({"properties_change": {"kind": "castle"}}, "kind"),
        ({"properties_change": {"wikidata_id": "12"}}, "wikidata_id"),
        (
            {
                "properties_change": {
                    "footprint": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
                }
            },
            "footprint",
        ),
    ],
)
def test_bad_site_is_rejected_and_nothing_is_stored(api, db, change, field):
    feature = site_feature(**change.pop("properties_change", {}))
    feature.update(change)
    response = api.post("sites/", json=feature, token=make_token("editor"))
    assert_error(response, 400, field)
    assert not Site.objects.exists()


def test_site_writes_need_an_editor(api, db):
    assert_error(api.post("sites/", json=site_feature()), 401, "detail")
    assert_error(api.post("sites/", json=site_feature(), token=make_token("viewer")), 403, "detail")
    assert_error(api.post("sites/", json=site_feature(), token="bw_not-a-real-key"), 401, "detail")
    assert not Site.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (False, "non_field_errors"),
        ([], "non_field_errors"),
        ({"type": "Feature", "properties": "nope"}, "non_field_errors"),
        ({"type": "Feature", "geometry": {"type": {"x": 1}, "coordinates": []}, "properties": {}}, "location"),
    ],
)
def test_malformed_features_are_400(api, db, body, field):
    assert_error(api.post("sites/", json=body, token=make_token("editor")), 400, field)


def test_nul_characters_are_refused(api, db):
    response = api.post("sites/", json=site_feature(name="nul\x00"), token=make_token("editor"))
    assert_error(response, 400, "name")
    assert "NUL" in response.json()["name"][0]
    assert_error(api.get("sites/", params={"q": "\x00"}), 400, "q")
    assert not Site.objects.exists()


def test_a_matching_etag_is_answered_304_per_query_format_and_role(api, demo):
    first = api.get("sites/", params={"as_of": "2024-12-17"})
    etag = first.headers["ETag"]
    assert etag.startswith('"d')
    again = api.get("sites/", params={"as_of": "2024-12-17"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    # Another query, format or role is another answer, with another ETag.
    assert api.get("sites/", params={"as_of": "2024-12-01"}).headers["ETag"] != etag
    assert api.get("sites/", params={"as_of": "2024-12-17"}, token=make_token("viewer")).headers["ETag"] != etag


@pytest.mark.parametrize(
    "change",
    [
        lambda: Site.objects.filter(slug="tartus").update(name="Tartous"),  # bulk, no `updated` change
        lambda: Observation.objects.filter(site__slug="khmeimim").first().sources.clear(),  # a link table
        lambda: AssetType.objects.filter(slug="ka-52").update(name="Ka-52K"),
        lambda: Observation.objects.filter(site__slug="tartus").update(state="retracted"),
    ],
    ids=["bulk site update", "source unlinked", "asset type renamed", "observations retracted"],
)
def test_any_write_to_served_data_changes_the_etag(api, demo, change):
    etag = api.get("sites/").headers["ETag"]
    change()
    response = api.get("sites/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag


def _rounded(feature: dict) -> dict:
    # PostgreSQL writes up to 15 decimals, Python the shortest exact form: equal to 1e-9 degrees.
    coordinates = [round(value, 9) for value in feature["geometry"]["coordinates"]]
    return {**feature, "geometry": {**feature["geometry"], "coordinates": coordinates}}


@pytest.mark.parametrize("as_of", ["2024-11-20", "2024-12-17"])
def test_the_collection_built_in_postgresql_is_what_the_serializer_gives(api, demo, as_of):
    from basewatch.api.serializers import SiteSerializer

    make_site(slug="zz-empty", name="Zz empty site", aliases=["Ünïcode ✓", 'quote " and \\ backslash'])
    body = api.get("sites/", params={"as_of": as_of}).json()
    sites = Site.objects.with_posture(PostureOptions(dt.date.fromisoformat(as_of)))
    expected = SiteSerializer(sites, many=True).data
    assert [_rounded(feature) for feature in body["features"]] == [
        _rounded(json.loads(json.dumps(feature))) for feature in expected["features"]
    ]
    assert body["count"] == 5 and body["type"] == "FeatureCollection"
    page = api.get("sites/", params={"as_of": as_of, "page_size": 2, "page": 2}).json()
    assert [f["id"] for f in page["features"]] == [f["id"] for f in body["features"][2:4]]
    assert "page=3" in page["next"]
    assert "page_size=2" in page["previous"]


@pytest.mark.parametrize(
    ("mode", "left_out"),
    [("total", {"posture"}), ("none", {"posture", *SUMMARY_FIELDS})],
)
def test_posture_total_and_none_leave_properties_out_in_json_csv_and_detail(api, demo, mode, left_out):
    from basewatch.api.serializers import SiteSerializer

    params = {"as_of": "2024-12-17"}
    body = api.get("sites/", params={**params, "posture": mode}).json()
    full = api.get("sites/", params={**params, "posture": "full"}).json()
    assert full == api.get("sites/", params=params).json()
    options = PostureOptions(dt.date(2024, 12, 17))
    queryset = Site.objects.with_posture(options, entries=False) if mode == "total" else Site.objects.all()
    expected = SiteSerializer(queryset, many=True, context={"posture": mode}).data
    assert [_rounded(feature) for feature in body["features"]] == [
        _rounded(json.loads(json.dumps(feature))) for feature in expected["features"]
    ]
    for feature, whole in zip(body["features"], full["features"], strict=True):
        assert feature["properties"] == {k: v for k, v in whole["properties"].items() if k not in left_out}

    rows = list(csv.DictReader(io.StringIO(api.get("sites/", params={"format": "csv", "posture": mode}).text)))
    assert len(rows) == 4 and not left_out & set(rows[0])
    detail = api.get("sites/khmeimim/", params={"posture": mode}).json()
    assert detail["properties"]["name"] == "Khmeimim Air Base" and not left_out & set(detail["properties"])


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "2024-11-20"},
        {"as_of": "2024-12-13"},
        {"as_of": "2024-12-20", "category": "transport_aircraft"},
        {"as_of": "2024-12-20", "q": "base", "page_size": "2", "page": "2"},
    ],
)
def test_site_totals_are_the_sites_lists_totals_in_its_order(api, demo, params):
    sites = api.get("sites/", params=params).json()
    totals = api.get("site-totals/", params=params).json()
    assert totals["results"] == [
        {"site": feature["id"], **{name: feature["properties"][name] for name in SUMMARY_FIELDS}}
        for feature in sites["features"]
    ]
    assert (totals["count"], totals["next"] is None) == (sites["count"], sites["next"] is None)


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "2024-11-20"},
        {"as_of": "2024-12-13", "fresh": "true"},
        {"as_of": "2024-12-20", "category": "transport_aircraft"},
        {"as_of": "2024-12-20", "q": "base", "page_size": "2", "page": "2"},
    ],
)
def test_the_site_table_is_the_sites_lists_places_and_totals_in_its_order(api, demo, params):
    sites = api.get("sites/", params={**params, "posture": "total"}).json()
    table = api.get("site-table/", params=params).json()
    assert table["fields"][:7] == ["site", "name", "kind", "host_country", "operator", "longitude", "latitude"]
    assert table["fields"][7:] == list(SUMMARY_FIELDS)
    rows = [dict(zip(table["fields"], row, strict=True)) for row in table["rows"]]
    assert len(rows) == len(sites["features"]) > 0
    for row, feature in zip(rows, sites["features"], strict=True):
        p = feature["properties"]
        assert row["site"] == feature["id"]
        assert [row[name] for name in ("name", "kind", "host_country", "operator")] == [
            p["name"], p["kind"], p["host_country"], p["operator"]
        ]  # fmt: skip
        assert [row["longitude"], row["latitude"]] == pytest.approx(feature["geometry"]["coordinates"], abs=1e-5)
        assert {name: row[name] for name in SUMMARY_FIELDS} == {name: p[name] for name in SUMMARY_FIELDS}
    assert (table["count"], table["next"] is None, table["previous"] is None) == (
        sites["count"], sites["next"] is None, sites["previous"] is None
    )  # fmt: skip


@pytest.mark.parametrize("params", [{"as_of": "2024-12-20"}, {"as_of": "2024-11-01", "q": "base", "page_size": "2"}])
def test_the_site_tables_summary_columns_are_its_sites_and_summaries(api, demo, params):
    table = api.get("site-table/", params=params).json()
    summary = api.get("site-table/", params={**params, "columns": "summary"}).json()
    assert summary["fields"] == ["site", *SUMMARY_FIELDS]
    wanted = [[row[0], *row[7:]] for row in table["rows"]]
    assert summary["rows"] == wanted and len(wanted) > 0
    assert (summary["count"], summary["previous"]) == (table["count"], table["previous"])
    if "page_size" in params:  # the next page keeps the columns asked for
        assert "columns=summary" in summary["next"]
        assert api.get(summary["next"]).json()["fields"] == summary["fields"]


def test_the_site_tables_coordinates_have_five_decimals(api):
    make_site(slug="far-west", location=Point(-172.123456789, -13.987654321, srid=4326))
    make_site(slug="far-east", location=Point(35.948612345, 35.407587654, srid=4326))
    table = api.get("site-table/").json()
    places = {row[0]: row[5:7] for row in table["rows"]}
    assert places == {"far-west": [-172.12346, -13.98765], "far-east": [35.94861, 35.40759]}
    assert b"35.94861," in api.get("site-table/").content  # written so, not 35.948610000000002


def test_the_site_table_refuses_bad_parameters(api, demo):
    assert_error(api.get("site-table/", params={"as_of": "2024-13-01"}), 400, "as_of")
    assert_error(api.get("site-table/", params={"transient": "sometimes"}), 400, "transient")
    assert_error(api.get("site-table/", params={"bbox": "1,2,3"}), 400, "bbox")
    assert_error(api.get("site-table/", params={"page_size": "x"}), 400, "page_size")
    assert_error(api.get("site-table/", params={"columns": "places"}), 400, "columns")
    assert_error(api.get("site-table/", params={"columns": "places", "page": "999"}), 400, "columns")
    assert_error(api.get("site-totals/", params={"columns": "summary"}), 400, "columns")  # the table's own
    assert api.post("site-table/", json={}).status_code in (401, 403, 405)


def test_site_totals_follow_the_data_and_refuse_bad_parameters(api, demo):
    khmeimim = {row["site"]: row for row in api.get("site-totals/", params={"as_of": "2024-12-20"}).json()["results"]}
    row = khmeimim["khmeimim"]
    assert (row["posture_label"], row["posture_total"], row["last_observed"]) == ("1+", 1, "2024-12-13")
    assert_error(api.get("site-totals/", params={"transient": "sometimes"}), 400, "transient")
    assert_error(api.get("site-totals/", params={"as_of": "2024-13-01"}), 400, "as_of")
    assert_error(api.get("site-totals/", params={"bbox": "1,2,3"}), 400, "bbox")
    assert_error(api.get("site-totals/", params={"page_size": "x"}), 400, "page_size")
    assert api.post("site-totals/", json={}).status_code in (401, 403, 405)


@pytest.mark.parametrize("params", [{}, {"from": "2024-12-01"}, {"category": "air_defence"}])
def test_the_time_series_built_in_postgresql_is_what_the_serializer_gives(api, demo, params):
    from basewatch.api.serializers import SiteTimeSeriesSerializer

    site = Site.objects.get(slug="khmeimim")
    points = PosturePoint.objects.filter(site=site)
    if "from" in params:
        points = points.filter(observed__gte=params["from"])
    if "category" in params:
        points = points.filter(asset_type__category=params["category"])
    series = [
        {"asset_type": asset_type, "presence": presence, "points": rows}
        for (asset_type, presence), rows in site.counts_over_time(points)
    ]
    expected = json.loads(json.dumps(SiteTimeSeriesSerializer({"site": site.slug, "series": series}).data))
    body = api.get("sites/khmeimim/timeseries/", params=params).json()
    assert body == expected and body["series"]
