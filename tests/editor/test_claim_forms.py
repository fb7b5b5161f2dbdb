"""The observation and movement forms: sources, save actions, validation, who may use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from basewatch.core.models import Movement, Observation, Source
from basewatch.core.workflow import State
from tests.editor.helpers import NO_NEW_SOURCE, client_for, new_source, observation_data
from tests.factories import make_asset, make_asset_type, make_observation, make_site, make_source, make_user

pytestmark = pytest.mark.django_db

CREATE = reverse("front:observation-create")


@pytest.fixture
def scene():
    site = make_site(name="Khmeimim", aliases=["Hmeimim"])
    an124 = make_asset_type(name="An-124 Ruslan")
    return site, an124


def test_editor_records_an_observation_with_a_source_on_file(scene):
    site, an124 = scene
    source = make_source()
    editor = make_user("editor")
    response = client_for(None, editor).post(CREATE, observation_data(site, an124, [source]))
    observation = Observation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("front:observation", args=[observation.pk])
    assert (observation.site, observation.asset_type, observation.count) == (site, an124, 2)
    assert observation.activity == "loading" and observation.observed == dt.date(2024, 12, 13)
    assert observation.state == State.SUBMITTED and observation.entered_by == editor
    assert list(observation.sources.all()) == [source]


def test_a_new_source_typed_inline_is_created_and_linked(scene):
    site, an124 = scene
    data = observation_data(site, an124, **new_source())
    response = client_for("editor").post(CREATE, data, follow=True)
    assert response.redirect_chain[0][1] == 302 and "already on file" not in response.content.decode()
    source = Source.objects.get()
    assert (source.publisher, source.reliability, source.captured) == ("Maxar Technologies", "A", dt.date(2024, 12, 13))
    assert list(Observation.objects.get().sources.all()) == [source]


def test_a_typed_source_whose_url_is_on_file_reuses_that_source(scene):
    site, an124 = scene
    on_file = make_source(url="https://maxar.example.com/khmeimim-20241213", title="Maxar imagery")
    data = observation_data(site, an124, action="save", **new_source())
    response = client_for("editor").post(CREATE, data, follow=True)
    assert Source.objects.count() == 1
    assert list(Observation.objects.get().sources.all()) == [on_file]
    assert "already on file" in response.content.decode()


def test_two_new_sources_and_one_on_file(scene):
    site, an124 = scene
    on_file = make_source()
    data = observation_data(site, an124, [on_file], **new_source(0), **new_source(1, url="https://x.example/2"))
    data["new_source-TOTAL_FORMS"] = "2"
    assert client_for("editor").post(CREATE, data).status_code == 302
    assert Observation.objects.get().sources.count() == 3


def test_without_any_source_nothing_is_stored(scene):
    site, an124 = scene
    response = client_for("editor").post(CREATE, observation_data(site, an124))
    assert response.status_code == 400
    assert "Give at least one source" in response.content.decode()
    assert not Observation.objects.exists()


def test_invalid_input_shows_field_errors_and_keeps_what_was_typed(scene):
    site, an124 = scene
    source = make_source()
    data = observation_data(site, an124, [source], count="5", count_low="7", notes="Two on the apron", **new_source())
    data["new_source-0-published"] = "2024-12-12"  # before its capture date
    response = client_for("editor").post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "The low estimate cannot exceed the count." in html
    assert "Imagery cannot be captured after it was published." in html
    assert "Two on the apron" in html and 'value="7"' in html and "Maxar Technologies" in html
    assert not Observation.objects.exists() and list(Source.objects.all()) == [source]


def test_a_bad_new_source_alone_is_said_at_the_top_too(scene):
    """The errors of a new source were shown only beside it, at the bottom of a long form."""
    site, an124 = scene
    data = observation_data(site, an124, [make_source()], **new_source())
    data["new_source-0-published"] = "2024-12-12"  # before its capture date
    response = client_for("editor").post(CREATE, data)
    assert response.status_code == 400
    assert "Nothing was saved. Please correct the fields marked below." in response.content.decode()
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"observed": "2999-01-01"}, "This date is in the future."),
        ({"count": "-1"}, "A count cannot be negative."),
        ({"credibility": "9"}, "Select a valid choice."),
        ({"site": "999999"}, "Select a valid choice."),
        ({"activity": "absent", "count": "3"}, "An absent observation counts 0"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(scene, fields, message):
    site, an124 = scene
    response = client_for("editor").post(CREATE, observation_data(site, an124, [make_source()], **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Observation.objects.exists()


@pytest.mark.parametrize("count", ["1000001", "99999999999999"])
def test_a_count_too_large_is_said_once_in_cores_words(scene, count):
    """Not also the database column's bound, 2,147,483,647, in Django's words."""
    site, an124 = scene
    response = client_for("editor").post(CREATE, observation_data(site, an124, [make_source()], count=count))
    html = response.content.decode()
    assert response.status_code == 400 and html.count("A count cannot exceed 1,000,000.") == 1
    assert "Ensure this value" not in html and not Observation.objects.exists()


def test_an_asset_of_another_type_is_refused(scene):
    site, an124 = scene
    il76 = make_asset(asset_type=make_asset_type(name="Il-76"))
    data = observation_data(site, an124, [make_source()], asset=il76.pk)
    response = client_for("editor").post(CREATE, data)
    assert response.status_code == 400 and "This asset is a Il-76" in response.content.decode()


def test_save_buttons_follow_the_role(scene, settings):
    site, an124 = scene
    data = observation_data(site, an124, [make_source()], action="publish")
    response = client_for("editor").post(CREATE, data)
    assert response.status_code == 403 and "Publishing needs a reviewer" in response.content.decode()
    assert not Observation.objects.exists()
    assert 'value="publish"' not in client_for("reviewer").get(CREATE).content.decode()  # not their own work
    settings.EDITORS_MAY_PUBLISH = True
    assert client_for("editor").post(CREATE, data).status_code == 302
    assert Observation.objects.get().state == State.PUBLISHED


def test_draft_then_edit_and_submit(scene):
    site, an124 = scene
    editor = make_user("editor")
    client = client_for(None, editor)
    client.post(CREATE, observation_data(site, an124, [make_source()], action="save"))
    observation = Observation.objects.get()
    assert observation.state == State.DRAFT and observation.version == 1
    edit = reverse("front:observation-edit", args=[observation.pk])
    data = observation_data(site, an124, observation.sources.all(), count="3", version="1")
    assert client.post(edit, data).status_code == 302
    observation.refresh_from_db()
    assert (observation.count, observation.state, observation.version) == (3, State.SUBMITTED, 2)


def test_the_form_shows_the_last_published_count(scene):
    site, an124 = scene
    make_observation(site, an124, dt.date(2024, 12, 10), count=4)
    draft = make_observation(site, an124, dt.date(2024, 12, 12), count=9, state=State.DRAFT)
    client = client_for("editor")
    html = client.get(reverse("front:observation-edit", args=[draft.pk])).content.decode()
    assert "Last published: 4 on 2024-12-10 (present, based)." in html
    hint = client.get(reverse("front:last-count"), {"site": site.pk, "asset_type": an124.pk}).json()
    assert hint == {"text": "Last published: 4 on 2024-12-10 (present, based)."}
    other = make_asset_type()
    hint = client.get(reverse("front:last-count"), {"site": site.pk, "asset_type": other.pk}).json()
    assert hint == {"text": "No published observation of this type at this site yet."}
    assert client.get(reverse("front:last-count"), {"site": "x"}).json() == {"text": ""}
    assert client_for("viewer").get(reverse("front:last-count"), {"site": site.pk}).status_code == 403


def test_who_may_open_the_forms(scene):
    site, an124 = scene
    published = make_observation(site, an124, dt.date(2024, 12, 10), entered_by=make_user("editor"))
    edit = reverse("front:observation-edit", args=[published.pk])
    login = client_for(None).get(CREATE)
    assert login.status_code == 302 and login["Location"].startswith(reverse("login"))
    assert client_for("viewer").get(CREATE).status_code == 403
    assert client_for(None, make_user()).get(CREATE).status_code == 403  # no role
    assert client_for("editor").get(CREATE).status_code == 200
    # Published work is changed only by someone who may publish it.
    assert client_for("editor").get(edit).status_code == 403
    data = observation_data(site, an124, [make_source()], count="7", version="1")
    assert client_for("editor").post(edit, data).status_code == 403
    published.refresh_from_db()
    assert published.count == 1
    assert client_for("reviewer").get(edit).status_code == 200
    assert client_for("admin").get(edit).status_code == 200
    assert client_for(None, published.entered_by).get(edit).status_code == 403  # the author, an editor
    published.state = State.RETRACTED
    published.save()
    for role in ("editor", "reviewer", "admin"):
        assert client_for(role).get(edit).status_code == 403  # retracted is final


def test_unknown_items_are_404():
    client = client_for("editor")
    assert client.get(reverse("front:observation-edit", args=[999999])).status_code == 404
    assert client.get(reverse("front:movement-edit", args=[999999])).status_code == 404


def test_editor_pages_are_not_cached_and_need_csrf(scene):
    site, an124 = scene
    editor = make_user("editor")
    response = client_for(None, editor).get(CREATE)
    assert "no-store" in response["Cache-Control"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(CREATE, observation_data(site, an124, [make_source()])).status_code == 403
    assert not Observation.objects.exists()


def test_movement_form(scene):
    site, an124 = scene
    tartus = make_site(name="Tartus")
    source = make_source()
    data = {
        "origin": site.pk,
        "destination": tartus.pk,
        "asset_type": an124.pk,
        "asset": "",
        "count": "1",
        "departed": "2024-12-14",
        "arrived": "2024-12-15",
        "notes": "",
        "sources": [source.pk],
        "version": "",
        "action": "save",
        **NO_NEW_SOURCE,
    }
    client = client_for("editor")
    bad = client.post(reverse("front:movement-create"), {**data, "destination": site.pk})
    assert bad.status_code == 400 and "The destination must differ from the origin." in bad.content.decode()
    for trips in ("-3", "0"):  # in core's words, not the field's "greater than or equal to 0"
        bad = client.post(reverse("front:movement-create"), {**data, "trips": trips})
        assert bad.status_code == 400 and "Give a number of trips of 1 or more" in bad.content.decode()
    # A date the field cannot read is said so, not also reported missing.
    bad = client.post(reverse("front:movement-create"), {**data, "departed": "2024-02-30", "arrived": ""})
    html = bad.content.decode()
    assert bad.status_code == 400 and "Enter a valid date." in html and "Give a departure date" not in html
    assert not Movement.objects.exists()
    assert client.post(reverse("front:movement-create"), data).status_code == 302
    movement = Movement.objects.get()
    assert (movement.origin, movement.destination, movement.state) == (site, tartus, State.DRAFT)
    edit = reverse("front:movement-edit", args=[movement.pk])
    assert client.post(edit, {**data, "count": "2", "version": "1", "action": "submit"}).status_code == 302
    movement.refresh_from_db()
    assert (movement.count, movement.state) == (2, State.SUBMITTED)
    assert client_for("viewer").get(edit).status_code == 403


def test_user_text_is_escaped(scene):
    site, an124 = scene
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    observation = make_observation(site, an124, dt.date(2024, 12, 10), notes=payload, state=State.DRAFT)
    html = client_for("viewer").get(reverse("front:observation", args=[observation.pk])).content.decode()
    assert payload not in html and "&lt;script&gt;" in html


def test_a_site_page_link_opens_the_form_with_the_site_chosen(scene):
    site, _ = scene
    editor = client_for("editor")
    site_page = editor.get(reverse("front:site", args=[site.slug])).content.decode()
    link = f"{CREATE}?site={site.pk}"
    assert f'href="{link}"' in site_page
    assert f'<option value="{site.pk}" selected>' in editor.get(link).content.decode()
    assert "New observation here" not in client_for(None).get(reverse("front:site", args=[site.slug])).content.decode()
