"""Accounts: the adduser command, and logging in and out, and changing a password."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from basewatch.core.models import LoginFailure
from basewatch.core.roles import role_of

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def adduser(*args: str) -> str:
    out = io.StringIO()
    call_command("adduser", *args, stdout=out)
    return out.getvalue()


def test_adduser_creates_and_updates_a_user_with_one_role(monkeypatch):
    monkeypatch.setenv("BASEWATCH_PASSWORD", PASSWORD)
    assert "Created ana with the role editor." in adduser("ana", "--role", "editor")
    ana = User.objects.get(username="ana")
    assert ana.check_password(PASSWORD) and ana.is_staff and not ana.is_superuser
    assert role_of(ana) == "editor"
    monkeypatch.delenv("BASEWATCH_PASSWORD")
    assert "Updated ana with the role reviewer." in adduser("ana", "--role", "reviewer")
    ana = User.objects.get(username="ana")
    assert list(ana.groups.values_list("name", flat=True)) == ["reviewer"]
    assert ana.check_password(PASSWORD)  # kept: no new password given
    adduser("ana", "--role", "viewer")
    ana = User.objects.get(username="ana")
    assert (role_of(ana), ana.is_staff) == ("viewer", False)


def test_adduser_prompts_for_a_password(monkeypatch):
    monkeypatch.delenv("BASEWATCH_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    adduser("ben", "--role", "admin", "--email", "ben@example.org")
    ben = User.objects.get(username="ben")
    assert ben.check_password(PASSWORD) and ben.is_superuser and role_of(ben) == "admin"
    assert ben.email == "ben@example.org"


def test_adduser_refuses_weak_or_mismatched_passwords(monkeypatch):
    monkeypatch.setenv("BASEWATCH_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        adduser("cy", "--role", "editor")
    monkeypatch.delenv("BASEWATCH_PASSWORD")
    answers = iter([PASSWORD, "something else"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        adduser("cy", "--role", "editor")
    assert not User.objects.filter(username="cy").exists()


def test_log_in_change_password_log_out(client, monkeypatch):
    monkeypatch.setenv("BASEWATCH_PASSWORD", PASSWORD)
    adduser("dee", "--role", "editor")
    page = client.get(reverse("login")).content.decode()
    assert "csrfmiddlewaretoken" in page
    wrong = client.post(reverse("login"), {"username": "dee", "password": "nope"})
    assert wrong.status_code == 200 and "Please enter a correct username and password" in wrong.content.decode()
    response = client.post(reverse("login"), {"username": "dee", "password": PASSWORD})
    assert response.status_code == 302
    assert "Log out" in client.get("/observations/").content.decode()
    new = "another long passphrase 42"
    changed = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert changed.status_code == 302
    assert User.objects.get(username="dee").check_password(new)
    assert "Logged out" in client.post(reverse("logout")).content.decode()
    assert "Log in" in client.get("/observations/").content.decode()


def test_repeated_failed_logins_are_refused_for_a_while(client, monkeypatch):
    monkeypatch.setenv("BASEWATCH_PASSWORD", PASSWORD)
    adduser("eve", "--role", "editor")
    for _ in range(5):
        assert client.post(reverse("login"), {"username": "eve", "password": "guess"}).status_code == 200
    locked = client.post(reverse("login"), {"username": "eve", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another name from the same address is slowed down too.
    assert client.post(reverse("login"), {"username": "other", "password": "x"}).status_code == 429
    LoginFailure.objects.update(created=timezone.now() - dt.timedelta(minutes=16))
    assert client.post(reverse("login"), {"username": "eve", "password": PASSWORD}).status_code == 302
    assert not LoginFailure.objects.filter(username="eve").exists()


def test_the_admin_logs_in_through_the_same_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert followed.status_code == 302
    assert followed["Location"] == "/accounts/login/?next=/admin/"
