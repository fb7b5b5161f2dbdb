"""Generated hostile values through the API and the HTML forms: no 5xx, a 400 naming the
field, the form and the API agree, and every stored geometry is valid longitude/latitude."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math

import pytest
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_asset_type, make_site, make_source, make_token, make_user

pytestmark = pytest.mark.django_db

RUNS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure can be replayed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
serial = itertools.count(1)

# --- strategies -------------------------------------------------------------------------

coordinate = st.one_of(
    st.floats(min_value=-400, max_value=400),
    st.sampled_from([math.nan, math.inf, -math.inf, 90.0000001, -180.5, 1e308, 0.0]),
    st.integers(min_value=-1000, max_value=1000),
)
position = st.one_of(
    st.tuples(coordinate, coordinate).map(list),
    st.lists(coordinate, min_size=0, max_size=4),  # too few or too many numbers
    st.just(["35.9", "35.4"]),
)


def ring(points):
    return points.map(lambda p: [*p, p[0]] if p else p)


polygon = st.one_of(
    ring(st.lists(st.tuples(coordinate, coordinate).map(list), min_size=0, max_size=8)).map(lambda r: [r]),
    st.just([[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]),  # a bow tie: self-intersecting
    st.just([[[0, 0], [1, 0], [1, 1], [0, 0], [0, 0]]]),
    st.just([[[0, 0], [1, 0], [1, 1]]]),  # not closed
    st.just([]),
)
point_geometry = st.one_of(
    st.builds(lambda c: {"type": "Point", "coordinates": c}, position),
    st.builds(lambda c: {"type": "Point", "coordinates": [c[1], c[0]]}, st.tuples(st.just(35.9), st.just(135.4))),
    st.just({"type": "Point", "coordinates": []}),
    st.just(
        {"type": "Point", "coordinates": [35.9, 35.4], "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}
    ),
    st.just({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}),
    st.just({"type": "GeometryCollection", "geometries": []}),
    st.just({"type": "Point"}),
    st.just({"type": "Point", "coordinates": [[35.9, 35.4]] * 200_001}),
)
footprint_geometry = st.one_of(
    st.none(),
    st.builds(lambda rings: {"type": "Polygon", "coordinates": rings}, polygon),
    st.builds(lambda rings: {"type": "MultiPolygon", "coordinates": [rings]}, polygon),
    st.just({"type": "Polygon", "coordinates": [[[float(i % 7), float(i // 7)] for i in range(100_002)]]}),
    st.just({"type": "Point", "coordinates": [1, 1]}),
)
text = st.one_of(
    st.text(min_size=0, max_size=30),
    st.text(min_size=190, max_size=260),
    st.just("x" * 10_000),
    st.just("Khmeimim\x00"),
)
day = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["2024-02-30", "2024-13-01", "", "yesterday", "20241213", "2024-12-13T10:00:00", "12/13/2024"]),
)
# None is "no count": null in JSON, an empty field in the form.
count = st.one_of(
    st.integers(min_value=-10, max_value=2**70),
    st.sampled_from(["3", "1.5", "abc", "1e3", " 7 "]),
    st.none(),
)


# --- helpers ----------------------------------------------------------------------------


def as_form_text(value) -> str:
    return "" if value is None else json.dumps(value, allow_nan=True)


def editor_client() -> Client:
    client = Client()
    client.force_login(make_user("editor"))
    return client


def field_errors_in(html: str) -> bool:
    return 'class="field-error"' in html or 'class="errors"' in html


def stored_geometries_are_valid() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM core_site WHERE NOT ST_IsValid(location) OR ST_IsEmpty(location)
                 OR ST_SRID(location) <> 4326 OR abs(ST_X(location)) > 180 OR abs(ST_Y(location)) > 90
                 OR (footprint IS NOT NULL AND (NOT ST_IsValid(footprint) OR ST_SRID(footprint) <> 4326
                     OR ST_XMin(footprint) < -180 OR ST_XMax(footprint) > 180
                     OR ST_YMin(footprint) < -90 OR ST_YMax(footprint) > 90))"""
        )
        assert cursor.fetchone()[0] == 0


# --- sites ------------------------------------------------------------------------------


def test_sites_from_generated_geometry_and_text(api):
    token = make_token("editor")
    client = editor_client()

    @RUNS
    @given(location=point_geometry, footprint=footprint_geometry, name=text)
    def check(location, footprint, name):
        n = next(serial)
        properties = {"slug": f"api-{n}", "name": name, "kind": "air_base", "operator": "RU", "host_country": "SY"}
        feature = {"type": "Feature", "geometry": location, "properties": {**properties, "footprint": footprint}}
        body = json.dumps(feature, allow_nan=True)  # NaN and Infinity as JavaScript would send them
        response = api.post("sites/", data=body, headers={"Content-Type": "application/json"}, token=token)
        # 413: the body is over the upload limit (2.5 MB), before any field is read.
        assert response.status_code in (201, 400, 413), response.text[:500]
        assert response.headers["Content-Type"] == "application/json"
        if response.status_code == 400:
            errors = response.json()
            assert set(errors) & {"geometry", "location", "footprint", "name", "non_field_errors"}, errors
        form = client.post(
            "/new/site/",
            {
                **{key: value for key, value in properties.items() if key != "slug"},
                "slug": f"form-{n}",
                "location": as_form_text(location),
                "footprint": as_form_text(footprint),
                "location_precision": "approximate",
                "status": "active",
            },
        )
        assert form.status_code in (302, 400, 413), form.status_code
        assert (form.status_code == 302) == (response.status_code == 201), (response.text[:300], location, footprint)
        assert form.status_code != 400 or field_errors_in(form.content.decode())
        assert (form.status_code == 413) == (response.status_code == 413)

    check()
    stored_geometries_are_valid()


# --- observations -----------------------------------------------------------------------


def test_observations_from_generated_dates_and_counts(api):
    site, jets = make_site(slug="khmeimim"), make_asset_type(slug="su-35")
    token = make_token("editor")
    client = editor_client()

    @RUNS
    @given(observed=day, number=count, low=count, notes=text)
    def check(observed, number, low, notes):
        api_source, form_source = make_source(), make_source()  # not duplicates of each other
        body = {"site": "khmeimim", "asset_type": "su-35", "observed": observed, "count": number}
        body |= {"count_low": low, "notes": notes, "source_ids": [api_source.pk]}
        response = api.post("observations/", json=body, token=token)
        assert response.status_code in (201, 400), response.text[:500]
        if response.status_code == 400:
            assert set(response.json()) & {"observed", "count", "count_low", "notes", "non_field_errors"}
        form = client.post(
            "/new/observation/",
            {
                "site": site.pk,
                "asset_type": jets.pk,
                "observed": observed,
                "observed_precision": "day",
                "count": "" if number is None else str(number),
                "count_low": "" if low is None else str(low),
                "activity": "present",
                "credibility": "2",
                "presence": "based",
                "notes": notes,
                "sources": [form_source.pk],
                "action": "save",
                "new_source-TOTAL_FORMS": "0",
                "new_source-INITIAL_FORMS": "0",
            },
        )
        assert form.status_code in (302, 400), form.status_code
        agree = (form.status_code == 302) == (response.status_code == 201)
        assert agree, (observed, number, low, response.text[:300])

    check()
