"""The admin: every model's pages load, geometry comes through the map widget safely."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source

pytestmark = pytest.mark.django_db

MODELS = [Site, AssetType, Asset, Source, Observation, Movement]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:core_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_pages_load_for_every_model(admin_client, demo, model):
    obj = model.objects.first()
    for url in (admin_url(model, "changelist"), admin_url(model, "add"), admin_url(model, "change", obj.pk)):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    response = admin_client.get(admin_url(model, "changelist"), {"q": "a"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, demo, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        admin_client.get(admin_url(model, "changelist"))


def test_site_search_finds_aliases(admin_client, demo):
    response = admin_client.get(admin_url(Site, "changelist"), {"q": "Hmeimim"})
    assert response.context["cl"].result_count == 1


def test_site_page_has_a_leaflet_map(admin_client, demo):
    response = admin_client.get(admin_url(Site, "change", Site.objects.get(slug="khmeimim").pk))
    assert b"leaflet" in response.content.lower()


def site_form(**overrides) -> dict:
    return {
        "name": "Hmeimim test",
        "slug": "hmeimim-test",
        "aliases": "Hmeimim, Хмеймим",
        "kind": "air_base",
        "operator": "RU",
        "host_country": "SY",
        "location": json.dumps({"type": "Point", "coordinates": [35.9486, 35.4075]}),
        "location_precision": "approximate",
        "footprint": "",
        "status": "active",
        "description": "",
        "wikidata_id": "",
        **overrides,
    }


def test_add_site_through_the_map_widget(admin_client):
    response = admin_client.post(admin_url(Site, "add"), site_form())
    assert response.status_code == 302
    site = Site.objects.get(slug="hmeimim-test")
    assert (site.location.x, site.location.y, site.location.srid) == (35.9486, 35.4075, 4326)
    assert site.aliases == ["Hmeimim", "Хмеймим"]


@pytest.mark.parametrize(
    "location",
    [
        json.dumps({"type": "Point", "coordinates": [1, 2], "crs": {"type": "name", "properties": {"name": "x"}}}),
        "SRID=3857;POINT (3999999 4200000)",
        json.dumps({"type": "Point", "coordinates": [35.4075, 135.9486]}),
    ],
)
def test_bad_site_geometry_is_a_form_error_and_nothing_is_stored(admin_client, location):
    response = admin_client.post(admin_url(Site, "add"), site_form(location=location))
    assert response.status_code == 200
    assert "location" in response.context["adminform"].form.errors
    assert not Site.objects.exists()


def test_observation_needs_a_source_and_records_who_entered_it(admin_client, demo):
    site, asset_type = Site.objects.get(slug="tartus"), AssetType.objects.get(slug="naval-vessels")
    form = {
        "site": site.pk,
        "asset_type": asset_type.pk,
        "observed": "2024-12-20",
        "observed_precision": "day",
        "count": "4",
        "activity": "present",
        "credibility": "3",
        "state": "draft",
    }
    response = admin_client.post(admin_url(Observation, "add"), form)
    assert response.status_code == 200
    assert "sources" in response.context["adminform"].form.errors
    assert not Observation.objects.filter(observed="2024-12-20").exists()

    form["sources"] = [Source.objects.first().pk]
    response = admin_client.post(admin_url(Observation, "add"), form)
    assert response.status_code == 302
    observation = Observation.objects.get(observed="2024-12-20")
    assert observation.entered_by.username == "admin"
