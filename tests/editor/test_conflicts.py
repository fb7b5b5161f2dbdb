"""Two editors on the same item: the second save is refused with both versions shown; nothing is lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from basewatch.core.models import ObservationEvent, Site
from basewatch.core.workflow import State
from tests.editor.helpers import client_for, observation_data, version_in
from tests.editor.test_catalogue_forms import site_data
from tests.factories import make_asset, make_asset_type, make_observation, make_site, make_source

pytestmark = pytest.mark.django_db


def test_the_second_of_two_observation_edits_gets_a_conflict():
    site, an124 = make_site(name="Khmeimim"), make_asset_type(name="An-124 Ruslan")
    observation = make_observation(site, an124, dt.date(2024, 12, 13), count=2, state=State.DRAFT)
    url = reverse("front:observation-edit", args=[observation.pk])
    ana, ben = client_for("editor"), client_for("editor")
    token_ana = version_in(ana.get(url).content.decode())
    token_ben = version_in(ben.get(url).content.decode())
    sources = observation.sources.all()

    saved = ana.post(url, observation_data(site, an124, sources, count="3", version=token_ana))
    assert saved.status_code == 302
    refused = ben.post(url, observation_data(site, an124, sources, count="4", notes="Ben's note", version=token_ben))
    html = refused.content.decode()
    assert refused.status_code == 409
    assert "Someone else saved this item while you were editing it." in html
    assert '<th scope="row">Count</th><td>3</td><td>4</td>' in html  # stored vs. yours
    assert "Ben&#x27;s note" in html  # what Ben typed is still in the form
    observation.refresh_from_db()
    assert (observation.count, observation.notes, observation.version) == (3, "", 2)
    assert [event.count for event in ObservationEvent.objects.filter(pgh_obj=observation).order_by("pgh_id")] == [2, 3]

    # Ben has now seen Ana's version; saving the re-shown form replaces it, knowingly.
    # Ana submitted it: the buttons shown again are those of a claim in review.
    assert "Save (stays in review)" in html and 'value="submit"' not in html
    again = observation_data(
        site, an124, sources, count="4", notes="Ben's note", version=version_in(html), action="save"
    )
    assert ben.post(url, again).status_code == 302
    observation.refresh_from_db()
    assert (observation.count, observation.version) == (4, 3)


def test_the_second_of_two_site_edits_gets_a_conflict():
    site = make_site(slug="tartus", name="Tartus")
    url = reverse("front:site-edit", args=["tartus"])
    ana, ben = client_for("editor"), client_for("editor")
    token = version_in(ana.get(url).content.decode())
    assert ana.post(url, site_data(name="Tartus naval facility", version=token)).status_code == 302
    refused = ben.post(url, site_data(name="Tartous", version=token))
    assert refused.status_code == 409 and "Tartus naval facility" in refused.content.decode()
    assert Site.objects.get(pk=site.pk).name == "Tartus naval facility"


def test_a_form_without_its_version_cannot_overwrite():
    site, an124 = make_site(), make_asset_type()
    observation = make_observation(site, an124, dt.date(2024, 12, 13), count=2, state=State.DRAFT)
    url = reverse("front:observation-edit", args=[observation.pk])
    response = client_for("editor").post(url, observation_data(site, an124, observation.sources.all(), count="9"))
    assert response.status_code == 400
    assert "missing the version it was opened on" in response.content.decode()
    observation.refresh_from_db()
    assert (observation.count, observation.version) == (2, 1)


def _catalogue_item(kind: str):
    """An item of `kind`, its edit URL, and the form data of a valid edit (name → value)."""
    if kind == "source":
        source = make_source()
        data = {"kind": "news_report", "title": source.title, "reliability": "B"}
        return source, reverse("front:source-edit", args=[source.pk]), data, "title"
    if kind == "asset-type":
        asset_type = make_asset_type()
        data = {"name": asset_type.name, "slug": asset_type.slug, "category": asset_type.category}
        return asset_type, reverse("front:asset-type-edit", args=[asset_type.slug]), data, "name"
    asset = make_asset()
    data = {"asset_type": asset.asset_type_id, "registration": asset.registration}
    return asset, reverse("front:asset-edit", args=[asset.pk]), data, "notes"


@pytest.mark.parametrize("kind", ["source", "asset-type", "asset"])
def test_every_catalogue_form_detects_a_conflict(kind):
    """Sources, asset types and assets too: the same version check as sites and claims."""
    item, url, data, field = _catalogue_item(kind)
    ana, ben = client_for("editor"), client_for("editor")
    version = version_in(ana.get(url).content.decode())
    assert version_in(ben.get(url).content.decode()) == version == "1"
    assert ana.post(url, {**data, field: "Ana's", "version": version}).status_code == 302
    refused = ben.post(url, {**data, field: "Ben's", "version": version})
    assert refused.status_code == 409
    assert "Someone else saved this item" in refused.content.decode()
    item.refresh_from_db()
    assert (getattr(item, field), item.version) == ("Ana's", 2)
