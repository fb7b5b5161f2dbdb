"""Admins register endpoints and read the delivery log in the admin; nobody else sees them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from basewatch.core.events import Event
from basewatch.webhooks.models import Attempt, Delivery, Endpoint
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ADD = reverse("admin:webhooks_endpoint_add")


def signed_in(role: str) -> Client:
    user = make_user(role)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def register(client: Client, url: str, events=("observation.published",)):
    return client.post(
        ADD, {"url": url, "description": "Partner dashboard", "events": list(events), "active": "on"}, follow=True
    )


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once():
    admin = signed_in("admin")
    page = register(admin, "https://partner.example.org/hooks", ["observation.published", "site.updated"])
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["observation.published", "site.updated"]
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in page.content.decode()  # shown now...
    change = admin.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert change.status_code == 200
    assert endpoint.secret not in change.content.decode()  # ...and never again
    listing = admin.get(reverse("admin:webhooks_endpoint_changelist"))
    assert endpoint.secret not in listing.content.decode()


def test_rotating_the_secret_shows_the_new_one_once():
    admin = signed_in("admin")
    register(admin, "https://partner.example.org/hooks")
    endpoint = Endpoint.objects.get()
    page = admin.post(
        reverse("admin:webhooks_endpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    endpoint.refresh_from_db()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page.content.decode()


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://127.0.0.1:8000/hooks", "is not a public internet address"),
        ("http://[::1]/hooks", "is not a public internet address"),
        ("http://169.254.169.254/latest", "is not a public internet address"),
        ("ftp://partner.example.org/", "Only http and https URLs"),
        ("https://user:pass@partner.example.org/", "user name or password"),
    ],
)
def test_an_endpoint_on_a_private_address_or_not_http_is_refused_with_the_reason(url, message):
    page = register(signed_in("admin"), url)
    assert message in page.content.decode()
    assert not Endpoint.objects.exists()


def test_an_endpoint_needs_at_least_one_event():
    page = register(signed_in("admin"), "https://partner.example.org/hooks", events=[])
    assert "This field is required" in page.content.decode()
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_editors_and_reviewers_see_no_webhooks(role):
    client = signed_in(role)
    for name in (
        "admin:webhooks_endpoint_changelist",
        "admin:webhooks_delivery_changelist",
        "admin:webhooks_endpoint_add",
    ):
        assert client.get(reverse(name)).status_code == 403
    assert b"Webhooks" not in client.get(reverse("admin:index")).content
    assert register(client, "https://partner.example.org/hooks").status_code == 403
    assert not Endpoint.objects.exists()


def test_the_delivery_log_shows_every_attempt_and_cannot_be_edited():
    endpoint = Endpoint.objects.create(url="https://partner.example.org/hooks", events=["site.updated"])
    delivery = Delivery.objects.create(endpoint=endpoint, event=Event.SITE_UPDATED, body="{}", attempts=2)
    Attempt.objects.create(
        delivery=delivery,
        number=1,
        at=delivery.created,
        ok=False,
        error="timeout: No complete answer within 10 seconds.",
    )
    Attempt.objects.create(
        delivery=delivery,
        number=2,
        at=delivery.created,
        ok=False,
        status_code=503,
        error="HTTP 503",
        response="<b>down</b>",
    )
    admin = signed_in("admin")
    page = admin.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk])).content.decode()
    assert "timeout: No complete answer within 10 seconds." in page
    assert "HTTP 503" in page
    assert "&lt;b&gt;down&lt;/b&gt;" in page  # the receiver's answer is text, never markup
    assert "<b>down</b>" not in page
    assert 'name="_save"' not in page
    listing = admin.get(reverse("admin:webhooks_delivery_changelist")).content.decode()
    assert "site.updated" in listing and "deliver_again" in listing
