"""Deliveries as a receiver gets them: signed per Standard Webhooks, retried until it is back.

Transactional: the job queue's worker reads the queue through its own connection, so the
change and its queued delivery must be committed, as in production. The signatures are
checked with the `standardwebhooks` package, the receivers' reference implementation, not
with basewatch's own code.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import connection
from django.test import RequestFactory
from procrastinate.contrib.django.models import ProcrastinateJob
from standardwebhooks import Webhook

from basewatch.core.claims import SYSTEM, write_claim
from basewatch.core.workflow import State
from basewatch.webhooks.models import Delivery, Endpoint
from tests.conftest import database_url
from tests.factories import make_asset_type, make_observation, make_site, make_user
from tests.servers import run_jobs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_queue():
    """The flush after a transactional test empties Django's tables; procrastinate's are its own."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs CASCADE")


@pytest.fixture
def endpoint(receiver):
    return Endpoint.objects.create(url=receiver.url, events=["observation.published", "observation.retracted"])


@pytest.fixture
def publish(endpoint):
    """Publish a fresh observation of four Su-24 at Khmeimim; the endpoint hears of it."""

    def publish():
        site, jets = make_site(name="Khmeimim"), make_asset_type(name="Su-24")
        claim = make_observation(site, jets, dt.date(2024, 12, 13), count=4, state=State.SUBMITTED)
        return write_claim(claim, SYSTEM, read_version=claim.version, action="publish").claim

    return publish


def verified(secret: str, received) -> dict:
    """The payload, if the signature verifies (raises WebhookVerificationError otherwise)."""
    return Webhook(secret).verify(received.body, received.headers)


def test_a_published_claim_reaches_the_receiver_signed(allow_local, receiver, endpoint, publish):
    claim = publish()
    run_jobs()
    (received,) = receiver.received
    payload = verified(endpoint.secret, received)
    assert payload["type"] == "observation.published"
    assert payload["data"]["id"] == claim.pk and payload["data"]["count"] == 4
    assert received.headers["content-type"] == "application/json"
    assert received.headers["user-agent"].startswith("basewatch/")
    delivery = Delivery.objects.get()
    assert received.headers["webhook-id"] == delivery.message_id
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 1
    (attempt,) = delivery.attempt_log.all()
    assert attempt.ok and attempt.status_code == 204 and attempt.error == ""


def test_a_forged_or_altered_delivery_does_not_verify(allow_local, receiver, endpoint, publish):
    from standardwebhooks.webhooks import WebhookVerificationError

    publish()
    run_jobs()
    (received,) = receiver.received
    altered = received.body.replace(b'"count":4', b'"count":40')
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(altered, received.headers)
    other = Endpoint.objects.create(url="https://a.example.org/", events=["site.updated"])
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(received.body, received.headers)


def test_a_receiver_that_is_down_loses_nothing(allow_local, settings, receiver, endpoint, publish):
    settings.WEBHOOK_RETRY_SCHEDULE = [1, 1, 1]
    receiver.stop()
    publish()
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING and delivery.next_attempt_at is not None
    assert delivery.attempt_log.get().error.startswith("connection:")
    assert ProcrastinateJob.objects.get(queue_name="webhooks").status == "todo"  # the retry, scheduled

    receiver.status = 503  # back, but not well yet
    receiver.start()
    time.sleep(1.2)
    run_jobs()
    receiver.status = 200
    time.sleep(1.2)
    run_jobs()

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 3
    outcomes = [(a.number, a.ok, a.status_code) for a in delivery.attempt_log.all()]
    assert outcomes == [(1, False, None), (2, False, 503), (3, True, 200)]
    # The same message each time, under the same id, each signed afresh.
    assert len(receiver.received) == 2
    assert {r.headers["webhook-id"] for r in receiver.received} == {delivery.message_id}
    assert receiver.received[0].body == receiver.received[1].body
    for received in receiver.received:
        verified(endpoint.secret, received)


def test_when_the_tries_run_out_the_delivery_is_failed_and_an_admin_sends_it_again(
    allow_local, settings, receiver, endpoint, publish
):
    settings.WEBHOOK_RETRY_SCHEDULE = []
    receiver.status = 500
    publish()
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED and delivery.attempt_log.get().error == "HTTP 500"

    receiver.status = 204
    request = RequestFactory().post("/admin/webhooks/delivery/")
    request.user, request._messages = make_user("admin"), _Messages()
    admin_site._registry[Delivery].deliver_again(request, Delivery.objects.all())
    run_jobs()
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 2


class _Messages:
    def add(self, *args, **kwargs):
        pass


def test_a_receiver_on_a_private_address_is_refused_by_default(receiver, endpoint, publish):
    publish()
    run_jobs()
    assert receiver.received == []
    attempt = Delivery.objects.get().attempt_log.get()
    assert not attempt.ok
    assert attempt.error.startswith("private-address: 127.0.0.1 resolves to 127.0.0.1")


def test_a_redirect_is_not_followed_and_says_why(allow_local, settings, receiver, endpoint, publish):
    settings.WEBHOOK_RETRY_SCHEDULE = []
    receiver.status, receiver.headers = 301, {"Location": "http://169.254.169.254/"}
    publish()
    run_jobs()
    assert len(receiver.received) == 1
    assert "redirects are not followed" in Delivery.objects.get().attempt_log.get().error


def test_the_worker_command_delivers_what_is_committed(receiver, endpoint, publish):
    """`manage.py procrastinate worker`, as `make run` and production start it, woken by NOTIFY."""
    env = {**os.environ, "DATABASE_URL": database_url(), "BASEWATCH_OUTGOING_ALLOWED_HOSTS": "127.0.0.1"}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "webhooks"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(2)  # listening
        claim = publish()
        deadline = time.monotonic() + 30
        while not receiver.received and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    assert receiver.received, output
    assert verified(endpoint.secret, receiver.received[0])["data"]["id"] == claim.pk
