"""Which changes queue which deliveries: one per endpoint listening, stored with the change.

In-process and rolled back: what is checked here is what the writing transaction stores
(deliveries and their jobs in the queue), not the sending (test_webhook_delivery.py).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from basewatch.core.claims import SYSTEM, ClaimRefused, write_claim
from basewatch.core.events import Event, claim_event
from basewatch.core.workflow import State
from basewatch.webhooks.models import Delivery, Endpoint
from tests.factories import make_asset_type, make_observation, make_site, make_token, make_user

ALL_EVENTS = [str(event) for event in Event]


@pytest.fixture
def claim(db):
    author = make_user("editor")
    site, jets = make_site(name="Khmeimim", slug="khmeimim"), make_asset_type(name="Su-24", slug="su-24")
    return make_observation(site, jets, dt.date(2024, 12, 13), count=4, state=State.SUBMITTED, entered_by=author)


@pytest.fixture
def listener(claim):
    """An endpoint hearing every event, registered after the claim's site was added."""
    return Endpoint.objects.create(url="https://partner.example.org/hooks", events=ALL_EVENTS)


def deliveries(event: Event | None = None) -> list[Delivery]:
    found = Delivery.objects.order_by("id")
    return list(found.filter(event=event) if event else found)


def test_publishing_through_the_api_queues_a_delivery_with_the_claim_as_the_api_shows_it(api, listener, claim):
    response = api.post(
        f"observations/{claim.pk}/publish/", json={"version": claim.version}, token=make_token("reviewer")
    )
    assert response.status_code == 200, response.text
    (delivery,) = deliveries()
    assert delivery.endpoint == listener
    assert delivery.event == Event.OBSERVATION_PUBLISHED
    body = json.loads(delivery.body)
    assert body["type"] == "observation.published"
    assert body["timestamp"].endswith("Z")
    shown = api.get(f"observations/{claim.pk}/").json()
    assert body["data"]["id"] == shown["id"] == claim.pk
    assert body["data"]["state"] == "published"
    assert body["data"] == shown  # what the public reads: no names of the team
    assert "entered_by" not in body["data"]
    # Its job is in the queue, in the same transaction.
    job = ProcrastinateJob.objects.get(task_name="webhooks.deliver")
    assert job.args == {"delivery_id": delivery.pk}
    assert job.queue_name == "webhooks" and job.status == "todo"


def test_retracting_a_published_claim_is_announced(listener, claim):
    claim = write_claim(claim, SYSTEM, read_version=claim.version, action="publish").claim
    claim = write_claim(claim, SYSTEM, read_version=claim.version, action="retract", reason="Misread the image").claim
    assert [d.event for d in deliveries()] == [Event.OBSERVATION_PUBLISHED, Event.OBSERVATION_RETRACTED]
    data = json.loads(deliveries(Event.OBSERVATION_RETRACTED)[0].body)["data"]
    assert data["state"] == "retracted"
    assert "state_reason" not in data  # the reviewers' note stays with the team


def test_correcting_a_published_claim_is_an_update_and_a_save_without_change_is_nothing(listener, claim):
    claim = write_claim(claim, SYSTEM, read_version=claim.version, action="publish").claim
    claim.count = 6
    claim = write_claim(claim, SYSTEM, read_version=claim.version).claim
    write_claim(claim, SYSTEM, read_version=claim.version)  # nothing changed
    assert [d.event for d in deliveries()] == [Event.OBSERVATION_PUBLISHED, Event.OBSERVATION_UPDATED]
    assert json.loads(deliveries(Event.OBSERVATION_UPDATED)[0].body)["data"]["count"] == 6


def test_the_teams_own_steps_are_not_announced(listener, claim):
    claim = write_claim(claim, SYSTEM, read_version=claim.version, action="withdraw").claim
    claim.count = 5
    claim = write_claim(claim, SYSTEM, read_version=claim.version).claim
    claim = write_claim(claim, SYSTEM, read_version=claim.version, action="submit").claim
    write_claim(claim, SYSTEM, read_version=claim.version, action="reject", reason="Which image?")
    assert deliveries() == []


@pytest.mark.parametrize(
    "before, after, changed, event",
    [
        (None, "published", True, "movement.published"),
        ("submitted", "published", False, "movement.published"),
        ("published", "published", True, "movement.updated"),
        ("published", "published", False, None),
        ("published", "retracted", False, "movement.retracted"),
        ("draft", "retracted", False, None),
        ("submitted", "rejected", False, None),
        (None, "draft", True, None),
    ],
)
def test_which_state_changes_are_public_changes(before, after, changed, event):
    found = claim_event("movement", before, after, changed)
    assert (str(found) if found else None) == event


def test_a_refused_write_queues_nothing(listener, claim):
    with pytest.raises(ClaimRefused):
        write_claim(claim, make_user("editor"), read_version=claim.version, action="publish")
    assert deliveries() == []
    assert not ProcrastinateJob.objects.filter(queue_name="webhooks").exists()


def test_only_active_endpoints_listening_to_the_event_get_it(claim):
    sites_only = Endpoint.objects.create(url="https://a.example.org/", events=["site.updated"])
    paused = Endpoint.objects.create(url="https://b.example.org/", events=ALL_EVENTS, active=False)
    published = Endpoint.objects.create(url="https://c.example.org/", events=["observation.published"])
    write_claim(claim, SYSTEM, read_version=claim.version, action="publish")
    assert [d.endpoint for d in deliveries()] == [published]
    claim.site.name = "Hmeimim"
    claim.site.save()
    assert [d.endpoint for d in deliveries(Event.SITE_UPDATED)] == [sites_only]
    assert not Delivery.objects.filter(endpoint=paused).exists()


def test_sites_are_announced_from_the_api_when_added_and_changed(api, listener):
    editor = make_token("editor")
    created = api.post(
        "sites/",
        json={"type": "Feature", "geometry": {"type": "Point", "coordinates": [35.9, 34.9]},
              "properties": {"name": "Tartus", "slug": "tartus", "kind": "naval_base", "operator": "RU",
                             "host_country": "SY"}},
        token=editor,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    changed = api.patch("sites/tartus/", json={"properties": {"status": "closed"}, "version": 1}, token=editor)
    assert changed.status_code == 200, changed.text
    assert [d.event for d in deliveries()] == [Event.SITE_CREATED, Event.SITE_UPDATED]
    data = json.loads(deliveries(Event.SITE_UPDATED)[0].body)["data"]
    assert data["slug"] == "tartus" and data["status"] == "closed"
    assert data["location"] == {"type": "Point", "coordinates": [35.9, 34.9]}
    assert data["url"] == "/sites/tartus/"


def test_each_delivery_has_its_own_message_id_and_the_same_body(claim):
    first = Endpoint.objects.create(url="https://a.example.org/", events=ALL_EVENTS)
    second = Endpoint.objects.create(url="https://b.example.org/", events=ALL_EVENTS)
    write_claim(claim, SYSTEM, read_version=claim.version, action="publish")
    one, two = deliveries()
    assert {one.endpoint, two.endpoint} == {first, second}
    assert one.message_id != two.message_id and one.message_id.startswith("msg_")
    assert one.body == two.body
