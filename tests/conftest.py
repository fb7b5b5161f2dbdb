from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command


def pytest_configure() -> None:
    # Live-server threads would otherwise keep their connections open, and the
    # test database could not be dropped at the end of the run.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Test users need no slow, strong password hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    """The demo data set (core.demo), loaded by its management command."""
    call_command("load_demo", stdout=io.StringIO())
