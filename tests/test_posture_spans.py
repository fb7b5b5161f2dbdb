"""Posture spans (core.PostureSpan, kept by triggers) give the posture worked out here, in Python,
from the observations themselves, whatever writes them: creates, edits, workflow changes, moves
between sites, bulk updates, deletes, and writers in parallel; read with every option."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.db import connection, transaction

from basewatch.api.pg_json import time_series, time_series_of_spans
from basewatch.core.models import AssetType, Observation, PostureSeries, PostureSpan, Site
from basewatch.core.posture import PostureOptions, computed_summary_sql, stored_summary_sql
from tests.factories import make_asset_type, make_observation, make_site, make_source

D = dt.date
DAYS = [D(2024, 11, 30), D(2024, 12, 1), D(2024, 12, 2), D(2024, 12, 3), D(2024, 12, 5), D(2024, 12, 9)]
# Read on the observation days, and later, when some entries have gone stale (horizons of 3 to 60 days).
READ_DAYS = [*DAYS, D(2024, 12, 20), D(2025, 3, 1)]
OPTIONS = [{}, {"fresh_only": True}, {"with_transient": True}]


def expected_posture(day: dt.date, fresh_only=False, with_transient=False) -> dict[str, tuple]:
    """Per site (label, total, counted, uncounted, absent, stale types, leaving, transient, last observed),
    by the rules of core.posture, from the published observations."""
    latest: dict[tuple[str, int, str], Observation] = {}
    published = Observation.objects.published().filter(observed__lte=day).select_related("site", "asset_type")
    for row in published.order_by("id"):
        key = (row.site.slug, row.asset_type_id, row.presence)
        if key not in latest or (row.observed, row.pk) > (latest[key].observed, latest[key].pk):
            latest[key] = row
    found = {slug: [] for slug in Site.objects.values_list("slug", flat=True)}
    for (slug, *_), row in latest.items():
        stale = (day - row.observed).days > row.asset_type.fresh_days
        if not (fresh_only and stale):
            found[slug].append((row, stale))
    return {slug: _summary(entries, with_transient) for slug, entries in found.items()}


def expected_entries(day: dt.date) -> dict[str, list[dict]]:
    """Per site, its posture entries as the API and the pages list them, from the observations."""
    latest: dict[tuple[str, int, str], Observation] = {}
    published = Observation.objects.published().filter(observed__lte=day).select_related("site", "asset_type")
    for row in published.order_by("observed", "id"):
        latest[(row.site.slug, row.asset_type_id, row.presence)] = row
    found = {slug: [] for slug in Site.objects.values_list("slug", flat=True)}
    for (slug, *_), row in sorted(latest.items(), key=lambda item: (item[1].presence, item[1].asset_type.name)):
        absent = row.activity == "absent"
        found[slug].append({
            "asset_type": row.asset_type.slug, "asset_type_name": row.asset_type.name,
            "category": row.asset_type.category, "presence": row.presence,
            "status": "absent" if absent else "uncounted" if row.count is None else "counted",
            "count": 0 if absent else row.count, "count_low": row.count_low, "count_high": row.count_high,
            "activity": row.activity,
            "trend": "leaving" if row.activity in ("loading", "departing", "dismantled")
            else "arriving" if row.activity == "arriving" else None,
            "observed": row.observed.isoformat(), "observed_precision": row.observed_precision,
            "age_days": (day - row.observed).days, "stale": (day - row.observed).days > row.asset_type.fresh_days,
            "fresh_days": row.asset_type.fresh_days, "observation": row.pk,
        })  # fmt: skip
    return found


def read_entries(day: dt.date) -> dict[str, list[dict]]:
    return {site.slug: site.posture_state["posture"] for site in Site.objects.with_posture(PostureOptions(day))}


def _summary(entries: list[tuple[Observation, bool]], with_transient: bool) -> tuple:
    counting = [(row, stale) for row, stale in entries if row.presence == "based" or with_transient]
    absent = [row for row, _ in counting if row.activity == "absent"]
    uncounted = [row for row, _ in counting if row.activity != "absent" and row.count is None]
    counted = [row for row, _ in counting if row.activity != "absent" and row.count is not None]
    total = sum(row.count for row in counted) if counted or absent else None
    if not counting:
        label = "?"
    elif not uncounted:
        label = str(total)
    else:
        label = f"{total}+" if counted else "+"
    stale = sum(1 for _, is_stale in counting if is_stale)
    leaving = sum(1 for row, _ in counting if row.activity in ("loading", "departing", "dismantled"))
    transient = sum(1 for row, _ in entries if row.presence == "transient")
    last = max((row.observed for row, _ in entries), default=None)
    return (label, total, len(counted), len(uncounted), len(absent), stale, leaving, transient, last)


def read_posture(day: dt.date, **options) -> dict[str, tuple]:
    names = ("posture_label", "posture_total", "counted_types", "uncounted_types", "absent_types", "stale_types",
             "leaving_types", "transient_types", "last_observed")  # fmt: skip
    sites = Site.objects.with_posture(PostureOptions(day, **options), entries=False)
    result = {}
    for site in sites:
        state = site.posture_state
        last = state["last_observed"] and dt.date.fromisoformat(state["last_observed"])
        result[site.slug] = (*(state[name] for name in names[:-1]), last)
    return result


def assert_spans_give_the_posture() -> None:
    for day in READ_DAYS:
        for options in OPTIONS:
            assert read_posture(day, **options) == expected_posture(day, **options), (day, options)
        assert read_entries(day) == expected_entries(day), day
    assert_summary_steps_say_what_the_spans_say()
    assert_kept_series_say_what_the_spans_say()


# Every site on every day from before the first observation to after the last horizon.
SUMMARY_ON_EVERY_DAY = f"""
SELECT s.slug, calendar.day::date, stored.*, computed.*
FROM core_site s CROSS JOIN generate_series(%(first)s::date, %(last)s::date, '1 day') AS calendar(day)
CROSS JOIN LATERAL ({stored_summary_sql("s.id", as_of="calendar.day::date")}) AS stored
CROSS JOIN LATERAL ({computed_summary_sql("s.id", as_of="calendar.day::date")}) AS computed
"""  # noqa: S608 (constant SQL)


def assert_summary_steps_say_what_the_spans_say() -> None:
    """The summary steps (read plain) give core.posture's summary of the spans on every day,
    the days entries turn stale and the days between observations included."""
    first, last = D(2024, 11, 25), D(2025, 3, 5)
    params = {**PostureOptions(first).params(), "first": first, "last": last}
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_ON_EVERY_DAY, params)
        rows = cursor.fetchall()
    width = (len(rows[0]) - 2) // 2
    assert [row for row in rows if row[2 : 2 + width] != row[2 + width :]] == []
    stale_days = {row[1] for row in rows if row[2 + 4]}  # stale_types
    assert len(rows) == ((last - first).days + 1) * Site.objects.count()
    assert len(stale_days) > 10  # the check saw staleness come and go


def assert_kept_series_say_what_the_spans_say() -> None:
    """Every site's time series read from its kept series is the one written from its spans."""
    sites = list(Site.objects.values_list("pk", "slug"))
    for pk, slug in sites:
        kept = time_series(slug, PostureSeries.objects.filter(site_id=pk))
        assert kept == time_series(slug) == time_series_of_spans(slug, PostureSpan.objects.filter(site_id=pk)), slug
    assert PostureSeries.objects.count() == len(set(PostureSpan.objects.values_list("site", "asset_type", "presence")))


@pytest.mark.django_db
def test_spans_follow_every_kind_of_write():
    sites = [make_site(slug=f"s{n}") for n in range(3)]
    types = [make_asset_type(fresh_days=days) for days in (3, 20, 60)]
    source = make_source()
    pick = random.Random(20241213)  # noqa: S311 (test data, not security)
    made = []
    for _ in range(50):
        activity = pick.choice(["present", "present", "loading", "dismantled", "absent"])
        count = 0 if activity == "absent" else pick.choice([None, 0, 1, 2, 5, 12])
        presence = "based" if activity == "absent" else pick.choice(["based", "based", "transient"])
        made.append(
            make_observation(
                pick.choice(sites),
                pick.choice(types),
                pick.choice(DAYS[1:]),  # same-day ties included: the one entered last counts
                count=count,
                activity=activity,
                presence=presence,
                state=pick.choice(["published", "published", "published", "draft", "submitted"]),
                sources=[source],
            )
        )
    assert_spans_give_the_posture()

    edited = next(o for o in made if o.activity == "present" and o.state == "published")
    edited.count = 40
    edited.save()
    assert_spans_give_the_posture()

    edited.presence = "transient" if edited.presence == "based" else "based"
    edited.save()
    assert_spans_give_the_posture()

    Observation.objects.filter(state="submitted").update(state="published")  # one statement, many sites
    assert_spans_give_the_posture()

    retracted = Observation.objects.published().order_by("-observed", "-id").first()
    retracted.state, retracted.state_reason = "retracted", "wrong site"
    retracted.save()
    assert_spans_give_the_posture()

    moved = Observation.objects.published().filter(site=sites[0]).first()
    moved.site = sites[2]  # both sites change
    moved.save()
    assert_spans_give_the_posture()

    Observation.objects.filter(site=sites[1], observed=DAYS[2]).delete()
    assert_spans_give_the_posture()

    # The spans keep the type's name, horizon and slug in their entries: editing the type moves them.
    types[0].name, types[0].slug, types[0].fresh_days = "Renamed jets", "renamed-jets", 45
    types[0].save()
    assert_spans_give_the_posture()
    AssetType.objects.filter(pk=types[1].pk).update(category="helicopter", fresh_days=1)  # one statement
    assert_spans_give_the_posture()
    assert not PostureSpan.objects.exclude(site__in=Site.objects.filter(observations__state="published"))


@pytest.mark.django_db
def test_a_span_per_published_point_until_the_next():
    site, jets, helis = make_site(), make_asset_type(), make_asset_type()
    make_observation(site, jets, D(2024, 12, 1), count=4)
    make_observation(site, helis, D(2024, 12, 1), count=2)
    make_observation(site, jets, D(2024, 12, 3), count=None)
    make_observation(site, jets, D(2024, 12, 4), count=1, presence="transient")  # a lane of its own
    make_observation(site, helis, D(2024, 12, 5), count=0, activity="absent")
    make_observation(site, jets, D(2024, 12, 9), count=7, state="draft")  # not public: no span
    spans = PostureSpan.objects.filter(site=site).order_by("asset_type_id", "presence", "observed")
    assert [(s.asset_type_id, s.presence, s.observed, s.until, s.status) for s in spans] == [
        (jets.pk, "based", D(2024, 12, 1), D(2024, 12, 3), "counted"),
        (jets.pk, "based", D(2024, 12, 3), None, "uncounted"),
        (jets.pk, "transient", D(2024, 12, 4), None, "counted"),
        (helis.pk, "based", D(2024, 12, 1), D(2024, 12, 5), "counted"),
        (helis.pk, "based", D(2024, 12, 5), None, "absent"),
    ]


@pytest.mark.django_db
def test_writes_that_change_nothing_posture_reads_leave_the_spans_alone():
    site, jets = make_site(), make_asset_type()
    published = make_observation(site, jets, D(2024, 12, 1), count=4)
    spans = list(PostureSpan.objects.filter(site=site).values_list("observation_id", "observed", "until", "counted"))
    published.notes = "Second look: the same four."
    published.save()
    make_observation(site, jets, D(2024, 12, 3), count=9, state="draft")
    assert list(
        PostureSpan.objects.filter(site=site).values_list("observation_id", "observed", "until", "counted")
    ) == (spans)
    Observation.objects.filter(state="draft").update(state="published")  # now it counts
    assert read_posture(D(2024, 12, 3))[site.slug][:2] == ("9", 9)
    assert_spans_give_the_posture()


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_on_one_site_leave_consistent_spans():
    """Transactional: the writers are threads with connections of their own, committing
    concurrently; they must see the site committed and their triggers must meet in the database."""
    site, jets = make_site(), make_asset_type()
    source = make_source()
    start = threading.Barrier(4)
    errors = []

    def write(n: int) -> None:
        try:
            start.wait(timeout=10)
            with transaction.atomic():
                make_observation(site, jets, DAYS[n % len(DAYS)], count=n + 1, sources=[source])
        except Exception as error:  # reported below, in the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert Observation.objects.count() == 4
    assert_spans_give_the_posture()
