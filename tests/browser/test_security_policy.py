"""Pages with scripts of their own work under the Content-Security-Policy (see conftest)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.browser.helpers import wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, username: str) -> None:
    cookie = {"name": "sessionid", "value": session_key(live_server, username), "url": live_server.url}
    page.context.add_cookies([cookie])


def session_key(live_server, username: str) -> str:
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies["sessionid"].value


def test_map_site_page_and_api_docs_run_under_the_policy(page, demo):
    page.goto("/")
    wait_for_map(page)
    page.goto("/sites/khmeimim/")
    page.wait_for_selector("canvas")
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .information-container")
    assert page.errors == []


def test_map_widgets_of_the_site_form_and_the_admin_run_with_the_nonce(page, live_server, demo):
    User.objects.create_superuser("csp-admin", password="a-long-test-password")
    log_in(page, live_server, "csp-admin")
    page.goto("/edit/sites/khmeimim/")
    page.wait_for_selector(".leaflet-marker-icon")
    page.goto("/admin/core/site/")
    page.click("text=Khmeimim")
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.errors == []
