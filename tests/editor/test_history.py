"""History: every change to sites, sources, observations and movements is recorded, whoever made it."""

from __future__ import annotations

import datetime as dt
import json

import pghistory
import pgtrigger
import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import DatabaseError, transaction
from django.urls import reverse

from basewatch.core.models import Observation, ObservationEvent, ObservationSourceEvent, Site, SiteEvent, SourceEvent
from basewatch.core.workflow import State
from tests.editor.helpers import client_for, observation_data
from tests.factories import make_asset_type, make_observation, make_site, make_source, make_token, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def observation():
    site, an124 = make_site(slug="khmeimim", name="Khmeimim"), make_asset_type(name="An-124 Ruslan")
    return make_observation(site, an124, dt.date(2024, 12, 13), count=2, state=State.DRAFT)


def events_of(observation) -> list[ObservationEvent]:
    return list(ObservationEvent.objects.filter(pgh_obj=observation).order_by("pgh_id"))


def test_a_form_save_is_recorded_with_the_user_and_the_changed_fields(observation):
    editor = make_user("editor", "ed")
    url = reverse("front:observation-edit", args=[observation.pk])
    data = observation_data(observation.site, observation.asset_type, observation.sources.all(), count="3", version="1")
    assert client_for(None, editor).post(url, data).status_code == 302
    insert, update = events_of(observation)
    assert (insert.pgh_label, insert.count) == ("insert", 2)
    assert (update.pgh_label, update.count, update.state) == ("update", 3, State.SUBMITTED)
    assert update.pgh_context["user"] == editor.pk and update.pgh_context["url"] == url
    html = client_for("viewer").get(reverse("front:observation", args=[observation.pk])).content.decode()
    assert "<td>ed</td>" in html and "web form" in html
    assert "<del>2</del> → <ins>3</ins>" in html
    assert "<del>Draft</del> → <ins>Submitted for review</ins>" in html


def test_an_api_change_with_a_token_is_recorded_with_the_token_user(observation):
    key = make_token("editor", "api-ed")
    url = reverse("api:observation-detail", args=[observation.pk])
    body = {"count": 4, "version": observation.version}
    response = client_for(None).patch(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 200
    update = events_of(observation)[-1]
    assert update.count == 4 and update.pgh_context["url"] == url
    assert update.pgh_context["user"] == User.objects.get(username="api-ed").pk


def test_admin_changes_and_source_links_are_recorded(observation):
    admin_user = make_user("admin", "root")
    admin_user.is_staff = True  # as `adduser --role admin` makes them
    admin_user.save()
    client = client_for(None, admin_user)
    source = make_source(title="Maxar imagery")
    old_source = observation.sources.get()
    url = reverse("admin:core_observation_change", args=[observation.pk])
    form = {
        "site": observation.site.pk,
        "asset_type": observation.asset_type.pk,
        "asset": "",
        "observed": "2024-12-13",
        "observed_precision": "day",
        "count": "5",
        "count_low": "",
        "count_high": "",
        "activity": "loading",
        "credibility": "2",
        "presence": "based",
        "notes": "",
        "sources": [source.pk],
        "read_version": observation.version,
    }
    response = client.post(url, form)
    assert response.status_code == 302 and response["Location"] == reverse("admin:core_observation_changelist")
    update = events_of(observation)[-1]
    assert update.count == 5 and update.pgh_context["url"] == url
    links = ObservationSourceEvent.objects.filter(observation=observation, pgh_context__url=url)
    assert {(link.pgh_label, link.source_id) for link in links} == {
        ("source.remove", old_source.pk),
        ("source.add", source.pk),
    }
    html = client.get(reverse("front:observation", args=[observation.pk])).content.decode()
    assert "admin" in html and "source added" in html and "Maxar imagery" in html


def test_bulk_updates_and_raw_sql_are_recorded(observation):
    # First: pghistory's context lasts to the end of the transaction, here the whole test.
    Site.objects.filter(pk=observation.site_id).update(name="Hmeimim")
    with pghistory.context(user=make_user("reviewer").pk, url="bulk"):
        Observation.objects.filter(pk=observation.pk).update(notes="bulk-edited")
    assert events_of(observation)[-1].notes == "bulk-edited"
    site_update = SiteEvent.objects.filter(pgh_obj=observation.site).order_by("pgh_id").last()
    assert site_update.name == "Hmeimim" and site_update.pgh_context is None
    html = client_for("viewer").get(reverse("front:site-history", args=["khmeimim"])).content.decode()
    assert "command or SQL" in html and "<del>Khmeimim</del> → <ins>Hmeimim</ins>" in html
    assert f"Observation #{observation.pk}" in html  # a site's history includes its claims


def test_sources_are_tracked():
    source = make_source(title="First title")
    source.title = "Second title"
    source.save()
    assert [event.title for event in SourceEvent.objects.filter(pgh_obj=source).order_by("pgh_id")] == [
        "First title",
        "Second title",
    ]


def test_the_history_cannot_be_altered(observation):
    for change in (
        lambda: ObservationEvent.objects.update(count=99),
        lambda: ObservationEvent.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert [event.count for event in events_of(observation)] == [2]


def test_site_history_page_needs_a_role_and_404s(observation):
    url = reverse("front:site-history", args=["khmeimim"])
    assert client_for(None).get(url).status_code == 302
    assert client_for(None, make_user()).get(url).status_code == 403
    assert client_for("viewer").get(url).status_code == 200
    assert client_for("viewer").get(reverse("front:site-history", args=["nowhere"])).status_code == 404


def test_a_refused_write_leaves_no_history(observation):
    before = ObservationEvent.objects.count()
    url = reverse("front:observation-edit", args=[observation.pk])
    data = observation_data(
        observation.site, observation.asset_type, observation.sources.all(), count="-3", version="1"
    )
    assert client_for("editor").post(url, data).status_code == 400
    assert client_for("viewer").post(url, data).status_code == 403
    assert ObservationEvent.objects.count() == before


def test_demo_data_history_names_its_command(demo):
    html = client_for("viewer").get(reverse("front:site-history", args=["khmeimim"])).content.decode()
    assert "command load_demo" in html and "Site #" in html and "created" in html


def test_the_first_change_to_a_row_older_than_the_history_shows_the_state_it_left():
    # The source outside the ignore: saving it queues its archiving, which procrastinate's named
    # query parameters cannot do under pgtrigger's SQL-prefixing execute wrapper.
    source = make_source()
    with pgtrigger.ignore("core.Observation:insert_insert"):  # as rows entered before tracking began
        old = make_observation(
            make_site(), make_asset_type(), dt.date(2024, 12, 1), count=6, state=State.DRAFT, sources=[source]
        )
    Observation.objects.filter(pk=old.pk).update(count=7)
    html = client_for("viewer").get(reverse("front:observation", args=[old.pk])).content.decode()
    assert "<dt>count</dt><dd><ins>7</ins></dd>" in html and "<dt>observed</dt><dd><ins>2024-12-01</ins></dd>" in html


def test_the_site_history_says_where_the_site_was_and_its_outline():
    """The events' copy of the row holds its geometry as GeoJSON: the page said only "geometry"."""
    site = make_site(slug="khmeimim", location=Point(35.9486, 35.4075, srid=4326))
    site.location = Point(35.95, 35.41, srid=4326)
    site.footprint = MultiPolygon(Polygon(((35.9, 35.4), (35.96, 35.4), (35.96, 35.42), (35.9, 35.4))), srid=4326)
    site.save()
    page = client_for("viewer").get(reverse("front:site-history", args=["khmeimim"])).content.decode()
    assert "35.94860, 35.40750 (lon, lat)" in page and "35.95000, 35.41000 (lon, lat)" in page
    assert "MultiPolygon outline with 4 points" in page
    assert "<ins>geometry</ins>" not in page
