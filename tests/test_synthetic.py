"""The synthetic benchmark world: sizes, skew, determinism, no history, valid for the app's queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from basewatch.core.models import Asset, Observation, ObservationEvent, PostureSpan, Site, SiteEvent, Source
from basewatch.core.posture import PostureOptions
from basewatch.core.synthetic import BULK_TABLES, TIERS
from tests.test_posture_spans import OPTIONS, expected_posture, read_posture

pytestmark = pytest.mark.django_db

XS = TIERS["XS"]


def generate() -> str:
    out = io.StringIO()
    call_command("generate_world", "--tier", "XS", stdout=out)
    return out.getvalue()


def fingerprint() -> str:
    """A hash of every synthetic observation's content, independent of row ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT md5(string_agg(line, '|' ORDER BY line)) FROM (
                 SELECT concat_ws(',', s.slug, t.slug, o.observed, o.count, o.activity, o.state, o.credibility,
                                  src.url, ST_AsText(s.location), s.operator, s.host_country) AS line
                 FROM core_observation o
                 JOIN core_site s ON s.id = o.site_id
                 JOIN core_assettype t ON t.id = o.asset_type_id
                 JOIN core_observation_sources link ON link.observation_id = o.id
                 JOIN core_source src ON src.id = link.source_id) AS lines"""
        )
        return cursor.fetchone()[0]


def test_a_tier_has_its_sizes_and_every_observation_one_source(demo):
    demo_sites = Site.objects.count()
    assert "tier XS: 20 sites, 50 assets, 50 sources, 500 observations" in generate()
    assert Site.objects.filter(slug__startswith="bench-").count() == XS.sites
    assert Asset.objects.filter(registration__startswith="BENCH-").count() == XS.assets
    assert Source.objects.filter(url__startswith="https://bench.example.org/").count() == XS.sources
    synthetic = Observation.objects.filter(site__slug__startswith="bench-")
    assert synthetic.count() == XS.observations
    assert Observation.sources.through.objects.filter(observation__in=synthetic).count() == XS.observations
    assert Site.objects.count() == demo_sites + XS.sites  # the demo data is left alone


def test_the_same_tier_gives_the_same_world_and_replaces_the_last_one():
    generate()
    first = fingerprint()
    generate()
    assert fingerprint() == first
    assert Observation.objects.count() == XS.observations


def test_half_the_observations_fall_on_the_busiest_sites():
    generate()
    counts = sorted(Site.objects.annotate(n=Count("observations")).values_list("n", flat=True), reverse=True)
    assert counts[0] >= 0.4 * XS.observations
    assert sum(1 for count in counts if count > 0) >= XS.sites - 2  # and the rest spread over all sites
    dates = Observation.objects.order_by("observed").values_list("observed", flat=True)
    assert dates.first() >= dt.date(2016, 1, 1) and dates.last() <= dt.date(2025, 12, 31)


def test_no_history_is_written_and_the_app_reads_it():
    generate()
    assert not ObservationEvent.objects.exists() and not SiteEvent.objects.exists()
    sites = list(Site.objects.with_posture(PostureOptions(dt.date(2025, 12, 31))))
    assert len(sites) == XS.sites and all(site.posture_state["posture"] for site in sites)
    assert Observation.objects.filter(state="published").count() > 0.9 * XS.observations


def test_the_posture_spans_are_those_the_triggers_make():
    """Generated with indexes and foreign keys made afresh at the end: the spans still give the
    posture recomputed from the observations, the indexes and keys are back, and the triggers on."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE contype = 'f') FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [BULK_TABLES],
        )
        foreign_keys = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_index WHERE indrelid = ANY(%s::regclass[])", [BULK_TABLES])
        indexes = cursor.fetchone()[0]
    generate()
    assert PostureSpan.objects.count() > 0.8 * XS.observations
    for day in (dt.date(2016, 6, 1), dt.date(2020, 2, 29), dt.date(2025, 12, 31)):
        for options in OPTIONS:
            assert read_posture(day, **options) == expected_posture(day, **options), (day, options)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE contype = 'f') FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [BULK_TABLES],
        )
        assert cursor.fetchone()[0] == foreign_keys
        cursor.execute("SELECT count(*) FROM pg_index WHERE indrelid = ANY(%s::regclass[])", [BULK_TABLES])
        assert cursor.fetchone()[0] == indexes
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgenabled = 'D'")
        assert cursor.fetchone()[0] == 0
    Observation.objects.filter(site__slug="bench-00001").first().delete()  # history written again
    assert ObservationEvent.objects.filter(pgh_label="delete").count() == 1
