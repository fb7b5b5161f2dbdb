"""The demo loader: the seed reports' story, loaded idempotently."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source
from basewatch.core.posture import PostureOptions

pytestmark = pytest.mark.django_db

MODELS = [Site, AssetType, Asset, Source, Observation, Movement]


def snapshot() -> dict[str, list]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    sources_before = sorted(Observation.sources.through.objects.values_list("observation_id", "source_id"))
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
    assert snapshot() == before
    assert sorted(Observation.sources.through.objects.values_list("observation_id", "source_id")) == sources_before


def test_loading_repairs_an_edited_row(demo):
    Site.objects.filter(slug="tartus").update(name="Vandalised")
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "0 created, 1 updated" in out.getvalue()
    assert Site.objects.get(slug="tartus").name == "Tartus naval facility"


def test_demo_sites_and_the_il76(demo):
    assert set(Site.objects.values_list("slug", flat=True)) >= {"khmeimim", "tartus", "al-khadim", "bamako-senou"}
    khmeimim = Site.objects.get(slug="khmeimim")
    assert "Hmeimim" in khmeimim.aliases and "حميميم" in khmeimim.aliases
    assert (khmeimim.operator.code, khmeimim.host_country.code) == ("RU", "SY")
    assert 35.0 < khmeimim.location.y < 36.0 and 35.5 < khmeimim.location.x < 36.5
    il76 = Asset.objects.get(registration="RA-76845")
    assert (il76.icao_hex, il76.asset_type.slug) == ("152C2D", "il-76")
    assert set(AssetType.objects.values_list("slug", flat=True)) >= {"s-400", "an-124", "ka-52", "il-76"}


def test_every_demo_observation_and_movement_is_sourced_and_published(demo):
    claims = [*Observation.objects.all(), *Movement.objects.all()]
    assert len(claims) > 10  # the loop below checks something
    for item in claims:
        assert item.sources.exists(), item
        assert item.state == "published"
    assert Source.objects.filter(publisher="Maxar Technologies").exists()


def test_khmeimim_posture_changes_between_november_and_december(demo):
    def posture(day):
        site = Site.objects.with_posture(PostureOptions(day)).get(slug="khmeimim")
        entries = site.posture_state["posture"]
        return {entry["asset_type"]: (entry["count"], entry["activity"], entry["presence"]) for entry in entries}

    assert posture(dt.date(2024, 11, 1)) == {"s-400": (None, "present", "based")}
    assert posture(dt.date(2024, 12, 20)) == {
        "s-400": (None, "loading", "based"),  # "parts of an S-400 unit": presence, no invented count
        "an-124": (2, "loading", "transient"),  # flown in to carry equipment away
        "ka-52": (1, "dismantled", "based"),
        "tactical-aviation": (None, "present", "based"),
    }


def test_il76_flow_from_al_khadim_to_bamako(demo):
    movement = Movement.objects.get(asset__registration="RA-76845")
    assert (movement.origin.slug, movement.destination.slug) == ("al-khadim", "bamako-senou")
    assert movement.arrived == dt.date(2024, 12, 17)
