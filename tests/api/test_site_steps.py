"""GET /api/v1/site-steps/: every site's posture summary on each day of a window, as steps."""

from __future__ import annotations

import datetime as dt

import pytest

from basewatch.core.models import Observation
from basewatch.core.posture import SUMMARY_FIELDS
from tests.api.helpers import assert_error
from tests.factories import make_asset_type, make_observation, make_site

pytestmark = pytest.mark.django_db


def replay(steps: dict, start: dt.date, end: dt.date) -> dict[str, dict[str, dict]]:
    """{day: {site: summary}} for every day of the window, each site's latest step on or before the day."""
    assert steps["fields"] == list(SUMMARY_FIELDS)
    by_day = {dt.date.fromisoformat(step["day"]): step["changes"] for step in steps["steps"]}
    assert min(by_day) == start and max(by_day) <= end
    assert list(by_day) == sorted(by_day)
    state: dict[str, dict] = {}
    days = {}
    day = start
    while day <= end:
        for site, *values in by_day.get(day, []):
            summary = dict(zip(steps["fields"], values, strict=True))
            assert state.get(steps["sites"][site]) != summary, f"a step that changes nothing on {day}"
            state[steps["sites"][site]] = summary
        days[day.isoformat()] = dict(state)
        day += dt.timedelta(days=1)
    return days


def totals_on(api, day: str, params: dict) -> dict[str, dict]:
    rows = api.get("site-totals/", params={"as_of": day, **params}).json()["results"]
    return {row.pop("site"): row for row in rows}


@pytest.mark.parametrize("params", [{}, {"fresh": "true"}, {"transient": "true", "operator": "RU"}])
def test_steps_replay_to_the_site_totals_of_every_day(api, demo, params):
    start, end = dt.date(2024, 10, 25), dt.date(2025, 1, 10)
    answer = api.get("site-steps/", params={"from": start, "to": end, **params})
    assert answer.status_code == 200
    steps = answer.json()
    assert (steps["from"], steps["to"]) == (start.isoformat(), end.isoformat())
    first = totals_on(api, start.isoformat(), params)
    assert steps["sites"] == list(first) and steps["count"] == len(first)
    # The window holds days on which something changed after its first (Khmeimim on 13 December).
    assert len(steps["steps"]) > 1
    for day, summaries in replay(steps, start, end).items():
        assert summaries == totals_on(api, day, params), day


def test_a_step_on_the_day_an_entry_turns_stale(api):
    site = make_site()
    helicopters = make_asset_type(fresh_days=10)
    make_observation(site, helicopters, dt.date(2024, 3, 1), count=4)
    make_observation(site, helicopters, dt.date(2024, 3, 20), count=0, activity=Observation.Activity.ABSENT)
    steps = api.get("site-steps/", params={"from": "2024-02-01", "to": "2024-03-31"}).json()
    fields = steps["fields"]
    changes = [(step["day"], dict(zip(fields, step["changes"][0][1:], strict=True))) for step in steps["steps"]]
    assert [(day, s["posture_label"], s["stale"]) for day, s in changes] == [
        ("2024-02-01", "?", False),
        ("2024-03-01", "4", False),
        ("2024-03-12", "4", True),  # 11 days after: older than the 10-day horizon
        ("2024-03-20", "0", False),
        ("2024-03-31", "0", True),
    ]
    fresh = api.get("site-steps/", params={"from": "2024-03-05", "to": "2024-03-15", "fresh": "1"}).json()
    assert [(step["day"], step["changes"][0][2]) for step in fresh["steps"]] == [
        ("2024-03-05", "4"),
        ("2024-03-12", "?"),  # the stale entry left out
    ]


def test_steps_are_paged_like_the_sites_list(api, demo):
    params = {"q": "a", "page_size": "2", "page": "2"}
    sites = api.get("sites/", params={**params, "as_of": "2024-12-01"}).json()
    steps = api.get("site-steps/", params={**params, "from": "2024-12-01", "to": "2024-12-31"}).json()
    assert steps["sites"] == [feature["id"] for feature in sites["features"]]
    assert (steps["count"], steps["next"], steps["previous"] is None) == (sites["count"], None, False)
    assert "from=2024-12-01" in steps["previous"]


def test_steps_refuse_bad_parameters_naming_them(api, demo):
    window = {"from": "2024-12-01", "to": "2024-12-31"}
    assert_error(api.get("site-steps/", params={"to": "2024-12-31"}), 400, "from")
    assert_error(api.get("site-steps/", params={"from": "2024-12-01"}), 400, "to")
    assert_error(api.get("site-steps/", params={**window, "from": "2024-13-01"}), 400, "from")
    assert_error(api.get("site-steps/", params={**window, "to": "yesterday"}), 400, "to")
    assert_error(api.get("site-steps/", params={**window, "to": "2024-11-30"}), 400, "to")
    assert_error(api.get("site-steps/", params={"from": "2024-01-01", "to": "2025-01-01"}), 400, "to")
    assert api.get("site-steps/", params={"from": "2024-01-01", "to": "2024-12-31"}).status_code == 200
    assert_error(api.get("site-steps/", params={**window, "category": "helicopter"}), 400, "category")
    assert_error(api.get("site-steps/", params={**window, "asset_type": "s-400"}), 400, "asset_type")
    assert_error(api.get("site-steps/", params={**window, "transient": "sometimes"}), 400, "transient")
    assert_error(api.get("site-steps/", params={**window, "bbox": "1,2,3"}), 400, "bbox")
    assert_error(api.get("site-steps/", params={**window, "page_size": "x"}), 400, "page_size")
    assert api.post("site-steps/", json={}).status_code in (401, 403, 405)
