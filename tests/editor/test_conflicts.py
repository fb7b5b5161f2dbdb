"""Two editors on the same item: the second save is refused with both versions shown; nothing is lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from basewatch.core.models import ObservationEvent, Site
from basewatch.core.workflow import State
from tests.editor.helpers import client_for, edit_token_in, observation_data
from tests.editor.test_catalogue_forms import site_data
from tests.factories import make_asset_type, make_observation, make_site

pytestmark = pytest.mark.django_db


def test_the_second_of_two_observation_edits_gets_a_conflict():
    site, an124 = make_site(name="Khmeimim"), make_asset_type(name="An-124 Ruslan")
    observation = make_observation(site, an124, dt.date(2024, 12, 13), count=2, state=State.DRAFT)
    url = reverse("front:observation-edit", args=[observation.pk])
    ana, ben = client_for("editor"), client_for("editor")
    token_ana = edit_token_in(ana.get(url).content.decode())
    token_ben = edit_token_in(ben.get(url).content.decode())
    sources = observation.sources.all()

    saved = ana.post(url, observation_data(site, an124, sources, count="3", edited_token=token_ana))
    assert saved.status_code == 302
    refused = ben.post(
        url, observation_data(site, an124, sources, count="4", notes="Ben's note", edited_token=token_ben)
    )
    html = refused.content.decode()
    assert refused.status_code == 409
    assert "Someone else saved this item while you were editing it." in html
    assert '<th scope="row">Count</th><td>3</td><td>4</td>' in html  # stored vs. yours
    assert "Ben&#x27;s note" in html  # what Ben typed is still in the form
    observation.refresh_from_db()
    assert (observation.count, observation.notes, observation.version) == (3, "", 2)
    assert [event.count for event in ObservationEvent.objects.filter(pgh_obj=observation).order_by("pgh_id")] == [2, 3]

    # Ben has now seen Ana's version; saving the re-shown form replaces it, knowingly.
    again = observation_data(site, an124, sources, count="4", notes="Ben's note", edited_token=edit_token_in(html))
    assert ben.post(url, again).status_code == 302
    observation.refresh_from_db()
    assert (observation.count, observation.version) == (4, 3)


def test_the_second_of_two_site_edits_gets_a_conflict():
    site = make_site(slug="tartus", name="Tartus")
    url = reverse("front:site-edit", args=["tartus"])
    ana, ben = client_for("editor"), client_for("editor")
    token = edit_token_in(ana.get(url).content.decode())
    assert ana.post(url, site_data(name="Tartus naval facility", edited_token=token)).status_code == 302
    refused = ben.post(url, site_data(name="Tartous", edited_token=token))
    assert refused.status_code == 409 and "Tartus naval facility" in refused.content.decode()
    assert Site.objects.get(pk=site.pk).name == "Tartus naval facility"


def test_a_form_without_its_token_cannot_overwrite():
    site, an124 = make_site(), make_asset_type()
    observation = make_observation(site, an124, dt.date(2024, 12, 13), count=2, state=State.DRAFT)
    url = reverse("front:observation-edit", args=[observation.pk])
    response = client_for("editor").post(url, observation_data(site, an124, observation.sources.all(), count="9"))
    assert response.status_code == 409
    observation.refresh_from_db()
    assert observation.count == 2
