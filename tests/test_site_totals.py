"""Site total steps (core.SiteTotal) stay equal to the posture computed from the observations,
whatever writes them: creates, edits, workflow changes, moves between sites, bulk updates, deletes,
and writers in parallel."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.db import connection, transaction

from basewatch.core.models import Observation, Site, SiteTotal
from tests.factories import make_asset_type, make_observation, make_site, make_source

D = dt.date
DAYS = [D(2024, 11, 30), D(2024, 12, 1), D(2024, 12, 2), D(2024, 12, 3), D(2024, 12, 5), D(2024, 12, 9)]


def posture_totals(day: dt.date) -> dict[str, tuple[int, dt.date | None]]:
    """(total, last observed) per site at `day`, worked out here from the observations themselves,
    not by the database's definition (the PosturePoint view) that the steps are built from.

    Per site and asset type the latest published observation on or before the day counts,
    the one entered last on a tie; absent counts 0, and so (for the total) does an unknown count.
    """
    latest: dict[tuple[str, int], Observation] = {}
    for row in Observation.objects.published().filter(observed__lte=day).select_related("site").order_by("id"):
        key = (row.site.slug, row.asset_type_id)
        if key not in latest or (row.observed, row.pk) > (latest[key].observed, latest[key].pk):
            latest[key] = row
    totals = {slug: (0, None) for slug in Site.objects.values_list("slug", flat=True)}
    for (slug, _), row in latest.items():
        total, last = totals[slug]
        counted = 0 if row.activity == Observation.Activity.ABSENT else (row.count or 0)
        totals[slug] = (total + counted, max(filter(None, [last, row.observed])))
    return totals


def step_totals(day: dt.date) -> dict[str, tuple[int, dt.date | None]]:
    return {site.slug: (site.posture_total, site.last_observed) for site in Site.objects.with_total(day)}


def assert_steps_match_posture() -> None:
    for day in DAYS:
        assert step_totals(day) == posture_totals(day), day


@pytest.mark.django_db
def test_steps_follow_every_kind_of_write():
    sites = [make_site(slug=f"s{n}") for n in range(3)]
    types = [make_asset_type() for _ in range(3)]
    source = make_source()
    pick = random.Random(20241213)  # noqa: S311 (test data, not security)
    made = []
    for _ in range(40):
        activity = pick.choice(["present", "present", "loading", "absent"])
        count = 0 if activity == "absent" else pick.choice([None, 0, 1, 2, 5, 12])
        made.append(
            make_observation(
                pick.choice(sites),
                pick.choice(types),
                pick.choice(DAYS[1:]),  # same-day ties included: the one entered last counts
                count=count,
                activity=activity,
                state=pick.choice(["published", "published", "published", "draft", "submitted"]),
                sources=[source],
            )
        )
    assert_steps_match_posture()

    edited = next(o for o in made if o.activity == "present" and o.state == "published")
    edited.count = 40
    edited.save()
    assert_steps_match_posture()

    Observation.objects.filter(state="submitted").update(state="published")  # one statement, many sites
    assert_steps_match_posture()

    retracted = Observation.objects.published().order_by("-observed", "-id").first()
    retracted.state, retracted.state_reason = "retracted", "wrong site"
    retracted.save()
    assert_steps_match_posture()

    moved = Observation.objects.published().filter(site=sites[0]).first()
    moved.site = sites[2]  # both sites change
    moved.save()
    assert_steps_match_posture()

    Observation.objects.filter(site=sites[1], observed=DAYS[2]).delete()
    assert_steps_match_posture()
    assert not SiteTotal.objects.exclude(site__in=Site.objects.filter(observations__state="published"))


@pytest.mark.django_db
def test_a_step_for_each_date_with_a_published_observation():
    site, jets, helis = make_site(), make_asset_type(), make_asset_type()
    make_observation(site, jets, D(2024, 12, 1), count=4)
    make_observation(site, helis, D(2024, 12, 1), count=2)
    make_observation(site, jets, D(2024, 12, 3), count=None)  # present, count not known: adds 0
    make_observation(site, helis, D(2024, 12, 5), count=0, activity="absent")
    make_observation(site, jets, D(2024, 12, 9), count=7, state="draft")  # not public: no step
    steps = list(SiteTotal.objects.filter(site=site).order_by("day").values_list("day", "total"))
    assert steps == [(D(2024, 12, 1), 6), (D(2024, 12, 3), 2), (D(2024, 12, 5), 0)]


@pytest.mark.django_db
def test_writes_that_change_no_published_count_leave_the_steps_alone():
    site, jets = make_site(), make_asset_type()
    published = make_observation(site, jets, D(2024, 12, 1), count=4)
    steps = list(SiteTotal.objects.filter(site=site).values_list("id", "day", "total"))
    published.notes = "Second look: the same four."
    published.save()
    make_observation(site, jets, D(2024, 12, 3), count=9, state="draft")
    assert list(SiteTotal.objects.filter(site=site).values_list("id", "day", "total")) == steps
    Observation.objects.filter(state="draft").update(state="published")  # now it counts
    assert step_totals(D(2024, 12, 3))[site.slug] == (9, D(2024, 12, 3))
    assert_steps_match_posture()


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_on_one_site_leave_consistent_steps():
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
    assert_steps_match_posture()
