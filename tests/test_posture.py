"""Posture and counts over time on hand-made data with known answers."""

from __future__ import annotations

import datetime as dt

import pytest

from basewatch.core.models import Observation, PosturePoint, Site
from basewatch.core.workflow import State
from tests.factories import make_asset_type, make_observation, make_site

pytestmark = pytest.mark.django_db

D = dt.date


def posture_of(site: Site, day: dt.date) -> dict[str, int | None]:
    annotated = Site.objects.with_posture(day).get(pk=site.pk)
    return {entry["asset_type"]: entry["count"] for entry in annotated.posture}


@pytest.fixture
def world():
    """Two sites; jets counted over time, then seen absent; one radar with unknown count."""
    base, other = make_site(slug="base"), make_site(slug="other")
    jets, radar = make_asset_type(slug="jets"), make_asset_type(slug="radar")
    make_observation(base, jets, D(2024, 11, 1), count=10)
    make_observation(base, jets, D(2024, 12, 1), count=6)
    make_observation(base, jets, D(2024, 12, 10), count=None, activity="absent")
    make_observation(base, radar, D(2024, 11, 15), count=None)
    make_observation(other, jets, D(2024, 12, 5), count=3)
    # Not public, so never part of posture:
    make_observation(base, jets, D(2024, 12, 2), count=99, state=State.DRAFT)
    make_observation(base, jets, D(2024, 12, 3), count=98, state=State.RETRACTED)
    return base, other, jets, radar


def test_posture_is_latest_published_on_or_before_the_date(world):
    base, other, *_ = world
    assert posture_of(base, D(2024, 10, 31)) == {}
    assert posture_of(base, D(2024, 11, 1)) == {"jets": 10}
    assert posture_of(base, D(2024, 11, 30)) == {"jets": 10, "radar": None}
    assert posture_of(base, D(2024, 12, 3)) == {"jets": 6, "radar": None}
    assert posture_of(other, D(2024, 12, 3)) == {}
    assert posture_of(other, D(2024, 12, 5)) == {"jets": 3}


def test_absent_counts_zero(world):
    base, *_ = world
    assert posture_of(base, D(2024, 12, 10)) == {"jets": 0, "radar": None}


@pytest.mark.usefixtures("world")
def test_posture_total_and_last_observed():
    sites = {site.slug: site for site in Site.objects.with_posture(D(2024, 12, 5))}
    assert sites["base"].posture_total == 6
    assert sites["base"].last_observed == D(2024, 12, 1)
    assert sites["other"].posture_total == 3
    empty = Site.objects.with_posture(D(2024, 10, 1)).get(slug="base")
    assert (empty.posture, empty.posture_total, empty.last_observed) == ([], 0, None)


def test_posture_entry_carries_what_a_popup_needs(world):
    base, _, jets, _ = world
    entry = next(
        e for e in Site.objects.with_posture(D(2024, 12, 5)).get(pk=base.pk).posture if e["asset_type"] == "jets"
    )
    observation = Observation.objects.get(site=base, asset_type=jets, observed=D(2024, 12, 1))
    assert entry == {
        "observation": observation.pk,
        "asset_type": "jets",
        "asset_type_name": jets.name,
        "category": jets.category,
        "count": 6,
        "count_low": None,
        "count_high": None,
        "activity": "present",
        "observed": "2024-12-01",
    }


def test_same_day_tie_goes_to_the_observation_entered_last():
    site, jets = make_site(), make_asset_type()
    make_observation(site, jets, D(2024, 12, 13), count=2)
    make_observation(site, jets, D(2024, 12, 13), count=3)
    assert posture_of(site, D(2024, 12, 13)) == {jets.slug: 3}
    [(_, points)] = site.counts_over_time()
    assert [p.counted for p in points] == [3]


def test_as_of_queryset_is_chainable(world):
    _, _, jets, _ = world
    rows = PosturePoint.objects.as_of(D(2024, 12, 5)).filter(asset_type=jets)
    assert sorted((row.site.slug, row.counted) for row in rows) == [("base", 6), ("other", 3)]


def test_counts_over_time_is_a_step_series_per_asset_type(world):
    base, *_ = world
    series = {asset_type.slug: points for asset_type, points in base.counts_over_time()}
    assert set(series) == {"jets", "radar"}
    assert [(p.observed, p.counted) for p in series["jets"]] == [
        (D(2024, 11, 1), 10),
        (D(2024, 12, 1), 6),
        (D(2024, 12, 10), 0),
    ]
    assert [(p.observed, p.counted) for p in series["radar"]] == [(D(2024, 11, 15), None)]


@pytest.mark.parametrize("sites", [2, 20])
def test_posture_is_one_query_whatever_the_number_of_sites(sites, django_assert_num_queries):
    types = [make_asset_type() for _ in range(3)]
    for _ in range(sites):
        site = make_site()
        for asset_type in types:
            for day in (1, 2, 3):
                make_observation(site, asset_type, D(2024, 12, day), count=day)
    with django_assert_num_queries(1):
        result = list(Site.objects.with_posture(D(2024, 12, 31)))
    assert len(result) == sites
    assert all(site.posture_total == 9 for site in result)


@pytest.mark.parametrize("per_type", [2, 30])
def test_counts_over_time_is_one_query_whatever_the_number_of_observations(per_type, django_assert_num_queries):
    site = make_site()
    for asset_type in [make_asset_type() for _ in range(3)]:
        for day in range(1, per_type + 1):
            make_observation(site, asset_type, D(2024, 11, 1) + dt.timedelta(days=day), count=day)
    with django_assert_num_queries(1):
        series = site.counts_over_time()
    assert [len(points) for _, points in series] == [per_type] * 3
