"""The admin: every model's pages load, geometry comes through the map widget safely."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source
from tests.factories import make_asset, make_movement, make_observation, make_site, make_user

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


def more_rows(n: int) -> None:
    """n more rows of every model, each with related rows of its own (sites, type, asset, sources, author)."""
    for _ in range(n):
        origin, destination, asset = make_site(), make_site(), make_asset()
        author = make_user("editor")
        make_observation(origin, asset.asset_type, dt.date(2024, 12, 1), asset=asset, entered_by=author)
        make_movement(origin, destination, asset.asset_type, asset=asset, entered_by=author)


def changelist_queries(client, model) -> tuple[int, int]:
    """(queries, rows shown) for one request of the model's changelist."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, demo, model):
    admin_client.get(admin_url(model, "changelist"))  # the session and per-process caches warmed
    few, shown = changelist_queries(admin_client, model)
    more_rows(10)
    more, shown_after = changelist_queries(admin_client, model)
    assert shown_after >= shown + 10, (shown, shown_after)
    assert more == few, f"{few} queries for {shown} rows, {more} for {shown_after}"
    assert few <= 12, f"{few} queries"


def test_site_search_finds_aliases(admin_client, demo):
    response = admin_client.get(admin_url(Site, "changelist"), {"q": "Hmeimim"})
    assert response.context["cl"].result_count == 1


def test_asset_search_is_the_search_of_every_other_place(admin_client, demo):
    for text in ("ra76845", "152c2d", "emercom"):
        response = admin_client.get(admin_url(Asset, "changelist"), {"q": text})
        assert [str(asset) for asset in response.context["cl"].result_list] == ["RA-76845 (Il-76)"], text


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
        "presence": "based",
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


def staff(role: str):
    user = make_user(role)
    user.is_staff = True  # as `adduser` makes editors and up
    user.save()
    return user


def claim_form(observation, **overrides) -> dict:
    values = {
        "site": observation.site_id,
        "asset_type": observation.asset_type_id,
        "asset": "",
        "observed": observation.observed.isoformat(),
        "observed_precision": "day",
        "count": "" if observation.count is None else observation.count,
        "count_low": "",
        "count_high": "",
        "activity": observation.activity,
        "credibility": observation.credibility,
        "presence": observation.presence,
        "notes": "changed in the admin",
        "sources": [source.pk for source in observation.sources.all()],
        "read_version": observation.version,
        "action": "",
        "reason": "",
    }
    return {**values, **overrides}


@pytest.mark.parametrize("model", [Site, Source, Observation, Movement], ids=lambda m: m.__name__)
def test_nothing_tracked_is_deleted_in_the_admin(client, demo, model):
    client.force_login(staff("admin"))
    obj = model.objects.first()
    assert client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_the_admin_follows_the_workflow(client, demo):
    from basewatch.core.workflow import State

    draft = Observation.objects.filter(state=State.PUBLISHED).first()
    draft.state = State.DRAFT
    draft.save()
    editor = staff("editor")
    client.force_login(editor)
    # The state is not a field: it moves by an action, and only those the user may take are offered.
    page = client.get(admin_url(Observation, "change", draft.pk)).content.decode()
    assert 'name="state"' not in page
    assert 'value="submit"' in page and 'value="publish"' not in page
    response = client.post(admin_url(Observation, "change", draft.pk), claim_form(draft, state="published"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and draft.notes == "changed in the admin"
    response = client.post(admin_url(Observation, "change", draft.pk), claim_form(draft, action="publish"))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    # A reviewer may not publish their own work here either.
    reviewer = staff("reviewer")
    draft.entered_by = reviewer
    draft.state = State.SUBMITTED
    draft.save()
    client.force_login(reviewer)
    response = client.post(admin_url(Observation, "change", draft.pk), claim_form(draft, action="publish"))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    # Another reviewer publishes it, and the admin records who.
    other = staff("reviewer")
    client.force_login(other)
    response = client.post(admin_url(Observation, "change", draft.pk), claim_form(draft, action="publish"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.reviewed_by) == (State.PUBLISHED, other)
    # Published work is read-only for editors.
    published = Observation.objects.filter(state=State.PUBLISHED).first()
    client.force_login(editor)
    page = client.get(admin_url(Observation, "change", published.pk)).content.decode()
    assert 'name="notes"' not in page
    assert client.post(admin_url(Observation, "change", published.pk), claim_form(published)).status_code == 403


def test_a_stale_admin_save_is_refused(client, demo):
    observation = Observation.objects.first()
    opened = claim_form(observation)
    client.force_login(staff("admin"))
    page = client.get(admin_url(Observation, "change", observation.pk)).content.decode()
    assert f'name="read_version" value="{observation.version}"' in page
    assert client.post(admin_url(Observation, "change", observation.pk), opened).status_code == 302
    stale = client.post(admin_url(Observation, "change", observation.pk), {**opened, "notes": "second"})
    assert stale.status_code == 200 and "Someone else saved this item" in stale.content.decode()
    observation.refresh_from_db()
    assert observation.notes == "changed in the admin"
