"""API tokens: issued once, stored hashed, revocable from the command line and the admin."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from basewatch.core.models import ApiToken
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_command_issues_lists_and_revokes(client):
    make_user("editor", username="ana")
    output = run("create", "ana", "--name", "QGIS")
    key = output.strip().splitlines()[-1]
    assert key.startswith("bw_") and len(key) > 40
    token = ApiToken.objects.get(user__username="ana")
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    assert token.key_prefix == key[:10]
    assert client.get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert "QGIS" in run("list", "ana") and "active" in run("list")
    run("revoke", str(token.pk))
    assert "revoked" in run("list", "ana")
    assert client.get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    with pytest.raises(CommandError):
        run("create", "nobody-here")
    with pytest.raises(CommandError):
        run("revoke", "999999")


def test_editor_issues_and_revokes_own_tokens_in_the_admin(client):
    editor = make_user("editor", username="ana")
    editor.is_staff = True
    editor.save()
    other = make_user("editor", username="ben")
    ApiToken.issue(other, "Ben's scraper")
    client.force_login(editor)
    response = client.post(reverse("admin:core_apitoken_add"), {"name": "notebook"}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get(user=editor)
    [message] = [str(m) for m in response.context["messages"] if "Copy the key" in str(m)]
    key = message.rsplit(" ", 1)[-1]
    assert ApiToken.hash_key(key) == token.key_hash
    listing = client.get(reverse("admin:core_apitoken_changelist"))
    assert "notebook" in listing.content.decode() and "Ben&#x27;s scraper" not in listing.content.decode()
    client.post(
        reverse("admin:core_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked is not None
