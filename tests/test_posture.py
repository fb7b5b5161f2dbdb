"""Posture (core.posture) on hand-made data with known answers: known, unknown, absent and no
information; based and transient; staleness at the horizon; filters; one query."""

from __future__ import annotations

import datetime as dt

import pytest

from basewatch.core.models import AssetType, Observation, PostureSpan, Site
from basewatch.core.posture import PostureOptions, age_text, entry_text
from basewatch.core.workflow import State
from tests.factories import make_asset_type, make_observation, make_site

pytestmark = pytest.mark.django_db

D = dt.date


def posture(site: Site, day: dt.date, **options) -> dict:
    """The site's posture state (summary and entries) on `day`."""
    return Site.objects.with_posture(PostureOptions(day, **options)).get(pk=site.pk).posture_state


def counts(site: Site, day: dt.date, **options) -> dict[str, int | None]:
    return {entry["asset_type"]: entry["count"] for entry in posture(site, day, **options)["posture"]}


@pytest.fixture
def world():
    """Two sites; jets counted over time, then seen absent; one radar with unknown count."""
    base, other = make_site(slug="base"), make_site(slug="other")
    jets = make_asset_type(slug="jets", category="fixed_wing_combat")
    radar = make_asset_type(slug="radar", category="air_defence")
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
    assert counts(base, D(2024, 10, 31)) == {}
    assert counts(base, D(2024, 11, 1)) == {"jets": 10}
    assert counts(base, D(2024, 11, 30)) == {"jets": 10, "radar": None}
    assert counts(base, D(2024, 12, 3)) == {"jets": 6, "radar": None}
    assert counts(other, D(2024, 12, 3)) == {}
    assert counts(other, D(2024, 12, 5)) == {"jets": 3}


def summary(state: dict) -> tuple:
    names = ("posture_label", "posture_total", "counted_types", "uncounted_types", "absent_types")
    return tuple(state[name] for name in names)


def test_known_unknown_absent_and_no_information_are_told_apart(world):
    base, *_ = world
    # No information: nothing observed yet. Not 0.
    assert summary(posture(base, D(2024, 10, 31))) == ("?", None, 0, 0, 0)
    # Counted only.
    assert summary(posture(base, D(2024, 11, 1))) == ("10", 10, 1, 0, 0)
    # Counted, and a type present in unknown numbers: "10+".
    assert summary(posture(base, D(2024, 11, 15))) == ("10+", 10, 1, 1, 0)
    # Jets absent (0), radar present uncounted: "+", not "0".
    assert summary(posture(base, D(2024, 12, 10))) == ("+", 0, 0, 1, 1)
    statuses = {e["asset_type"]: e["status"] for e in posture(base, D(2024, 12, 10))["posture"]}
    assert statuses == {"jets": "absent", "radar": "uncounted"}


def test_zero_only_when_every_type_last_observed_is_absent():
    site, jets, helis = make_site(), make_asset_type(), make_asset_type()
    make_observation(site, jets, D(2024, 12, 1), count=0, activity="absent")
    assert summary(posture(site, D(2024, 12, 1))) == ("0", 0, 0, 0, 1)
    make_observation(site, helis, D(2024, 12, 2), count=None)
    assert posture(site, D(2024, 12, 2))["posture_label"] == "+"
    make_observation(site, helis, D(2024, 12, 3), count=0, activity="absent")
    assert posture(site, D(2024, 12, 3))["posture_label"] == "0"


def test_transient_assets_are_shown_beside_the_posture_not_counted():
    site, fighters, transports = make_site(), make_asset_type(), make_asset_type()
    make_observation(site, fighters, D(2024, 12, 1), count=4)
    make_observation(site, transports, D(2024, 12, 13), count=2, activity="loading", presence="transient")
    state = posture(site, D(2024, 12, 13))
    assert summary(state) == ("4", 4, 1, 0, 0)
    assert state["transient_types"] == 1
    transient = [e for e in state["posture"] if e["presence"] == "transient"]
    assert [(e["asset_type"], e["count"], e["trend"]) for e in transient] == [(transports.slug, 2, "leaving")]
    # Asked for, they count too.
    assert summary(posture(site, D(2024, 12, 13), with_transient=True)) == ("6", 6, 2, 0, 0)


def test_based_and_transient_sightings_of_one_type_are_separate_lanes():
    site, transports = make_site(), make_asset_type()
    make_observation(site, transports, D(2024, 12, 1), count=3)  # based there
    make_observation(site, transports, D(2024, 12, 5), count=5, presence="transient")  # visitors
    lanes = {e["presence"]: e["count"] for e in posture(site, D(2024, 12, 6))["posture"]}
    assert lanes == {"based": 3, "transient": 5}
    assert posture(site, D(2024, 12, 6))["posture_total"] == 3


def test_leaving_counts_where_it_is_seen_and_says_so():
    site, helis, sams = make_site(), make_asset_type(), make_asset_type()
    make_observation(site, helis, D(2024, 12, 13), count=1, activity="dismantled")
    make_observation(site, sams, D(2024, 12, 13), count=None, activity="loading")
    state = posture(site, D(2024, 12, 13))
    assert (state["posture_label"], state["leaving_types"]) == ("1+", 2)
    assert {e["trend"] for e in state["posture"]} == {"leaving"}


def test_an_absent_observation_cannot_be_transient():
    site, jets = make_site(), make_asset_type()
    observation = Observation(site=site, asset_type=jets, observed=D(2024, 12, 1), activity="absent")
    observation.presence = "transient"
    with pytest.raises(Exception, match="presence"):
        observation.full_clean()


@pytest.mark.parametrize(
    ("category", "horizon"),
    [("fixed_wing_combat", 60), ("helicopter", 60), ("air_defence", 180), ("naval_vessel", 30), ("other", 90)],
)
def test_each_category_has_a_default_freshness_horizon(category, horizon):
    assert make_asset_type(category=category).fresh_days == horizon
    assert make_asset_type(category=category, fresh_days=7).fresh_days == 7


def test_an_entry_turns_stale_the_day_after_its_horizon(world):
    base, _, jets, _ = world
    jets.fresh_days = 10
    jets.save()

    def jets_on(day: dt.date) -> tuple[int, bool]:
        return next((e["age_days"], e["stale"]) for e in posture(base, day)["posture"] if e["asset_type"] == "jets")

    assert jets_on(D(2024, 11, 11)) == (10, False)  # on the horizon: still fresh
    assert jets_on(D(2024, 11, 12)) == (11, True)
    assert posture(base, D(2024, 11, 12))["stale"] is True  # its only entry: the whole picture is old
    assert posture(base, D(2024, 11, 11))["stale"] is False


def test_stale_entries_are_marked_and_left_out_on_request():
    site = make_site()
    helis = make_asset_type(category="helicopter")  # 60 days
    sams = make_asset_type(category="air_defence")  # 180 days
    make_observation(site, helis, D(2024, 12, 13), count=1)
    make_observation(site, sams, D(2024, 12, 13), count=None)
    spring = posture(site, D(2025, 3, 1))  # 78 days on: the helicopter is stale, the SAM is not
    assert (spring["posture_label"], spring["stale_types"], spring["stale"]) == ("1+", 1, False)
    assert posture(site, D(2025, 3, 1), fresh_only=True)["posture_label"] == "+"
    later = posture(site, D(2026, 1, 1))
    assert (later["posture_label"], later["stale"]) == ("1+", True)  # everything is old, and says so
    assert posture(site, D(2026, 1, 1), fresh_only=True)["posture_label"] == "?"


def test_a_type_filter_counts_only_those_types(world):
    base, _, jets, radar = world
    only_radar = posture(base, D(2024, 12, 5), asset_types=(radar.pk,))
    assert [e["asset_type"] for e in only_radar["posture"]] == ["radar"]
    assert only_radar["posture_label"] == "+"
    assert posture(base, D(2024, 12, 5), asset_types=(jets.pk,))["posture_label"] == "6"


def test_holding_is_sites_with_an_entry_not_absent(world):
    _, _, jets, radar = world
    holding = Site.objects.holding(PostureOptions(D(2024, 12, 10), asset_types=(jets.pk,)))
    assert sorted(holding.values_list("slug", flat=True)) == ["other"]  # base's jets are absent by then
    holding = Site.objects.holding(PostureOptions(D(2024, 12, 10), asset_types=(radar.pk,)))
    assert list(holding.values_list("slug", flat=True)) == ["base"]


def test_posture_entry_carries_what_a_popup_needs(world):
    base, _, jets, _ = world
    entry = next(e for e in posture(base, D(2024, 12, 5))["posture"] if e["asset_type"] == "jets")
    observation = Observation.objects.get(site=base, asset_type=jets, observed=D(2024, 12, 1))
    assert entry == {
        "observation": observation.pk,
        "asset_type": "jets",
        "asset_type_name": jets.name,
        "category": jets.category,
        "presence": "based",
        "status": "counted",
        "count": 6,
        "count_low": None,
        "count_high": None,
        "activity": "present",
        "trend": None,
        "observed": "2024-12-01",
        "observed_precision": "day",
        "age_days": 4,
        "stale": False,
        "fresh_days": 60,
    }
    assert entry_text(entry) == f"{jets.name}: 6, last seen 2024-12-01 (4 days earlier)"


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "that day"),
        (1, "1 day earlier"),
        (59, "59 days earlier"),
        (90, "3 months earlier"),
        (800, "2 years earlier"),
    ],
)
def test_age_in_words(days, text):
    assert age_text(days) == text


def test_same_day_tie_goes_to_the_observation_entered_last():
    site, jets = make_site(), make_asset_type()
    make_observation(site, jets, D(2024, 12, 13), count=2)
    make_observation(site, jets, D(2024, 12, 13), count=3)
    assert counts(site, D(2024, 12, 13)) == {jets.slug: 3}
    [(_, points)] = site.counts_over_time()
    assert [p.counted for p in points] == [3]


def test_spans_holding_a_day_are_chainable(world):
    _, _, jets, _ = world
    rows = PostureSpan.objects.holding(D(2024, 12, 5)).filter(asset_type=jets)
    assert sorted((row.site.slug, row.counted) for row in rows) == [("base", 6), ("other", 3)]


def test_counts_over_time_is_a_step_series_per_asset_type_and_presence(world):
    base, _, jets, _ = world
    make_observation(base, jets, D(2024, 12, 11), count=2, presence="transient")
    series = {(asset_type.slug, presence): points for (asset_type, presence), points in base.counts_over_time()}
    assert set(series) == {("jets", "based"), ("jets", "transient"), ("radar", "based")}
    assert [(p.observed, p.counted, p.status) for p in series["jets", "based"]] == [
        (D(2024, 11, 1), 10, "counted"),
        (D(2024, 12, 1), 6, "counted"),
        (D(2024, 12, 10), 0, "absent"),
    ]
    assert [(p.observed, p.counted, p.status) for p in series["radar", "based"]] == [
        (D(2024, 11, 15), None, "uncounted")
    ]


@pytest.mark.parametrize("sites", [2, 20])
def test_posture_is_one_query_whatever_the_number_of_sites(sites, django_assert_num_queries):
    types = [make_asset_type() for _ in range(3)]
    for _ in range(sites):
        site = make_site()
        for asset_type in types:
            for day in (1, 2, 3):
                make_observation(site, asset_type, D(2024, 12, day), count=day)
    with django_assert_num_queries(1):
        result = list(Site.objects.with_posture(PostureOptions(D(2024, 12, 31))))
    assert len(result) == sites
    assert all(site.posture_state["posture_total"] == 9 for site in result)


@pytest.mark.parametrize("per_type", [2, 30])
def test_counts_over_time_is_one_query_whatever_the_number_of_observations(per_type, django_assert_num_queries):
    site = make_site()
    for asset_type in [make_asset_type() for _ in range(3)]:
        for day in range(1, per_type + 1):
            make_observation(site, asset_type, D(2024, 11, 1) + dt.timedelta(days=day), count=day)
    with django_assert_num_queries(1):
        series = site.counts_over_time()
    assert [len(points) for _, points in series] == [per_type] * 3


def test_a_horizon_edit_takes_effect_at_once(world):
    base, _, _, radar = world
    assert posture(base, D(2024, 12, 5))["stale_types"] == 0
    AssetType.objects.filter(pk=radar.pk).update(fresh_days=5)
    assert posture(base, D(2024, 12, 5))["stale_types"] == 1


def test_observation_days_are_the_published_days_in_order(world):
    from basewatch.core.posture import observation_days

    assert observation_days() == [D(2024, 11, 1), D(2024, 11, 15), D(2024, 12, 1), D(2024, 12, 5), D(2024, 12, 10)]
