"""Fixtures shared by the whole suite: the demo data, an API client, gunicorn with production settings."""

from __future__ import annotations

import io
import secrets
import socket

import pytest
import requests
from django.conf import settings
from django.core.management import call_command

from bench.server import ROOT, collect_static, serve, server_env


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


def database_url() -> str:
    """The URL of the database the tests use (pytest-django's test database once set up)."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgis://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def production_server(django_db_setup):
    """basewatch under gunicorn (two workers) with DEBUG=0 behind a TLS proxy, on the test database.

    Requests say they came over HTTPS with `X-Forwarded-Proto: https` (PROXY_HTTPS).
    """
    env = {
        **server_env(database_url(), settings="tests.production_settings"),
        "BEHIND_TLS_PROXY": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "RESPONSE_CACHE_MB": "64",  # as deployed
    }
    collect_static(env)
    with serve(ROOT / ".venv", "basewatch.wsgi", free_port(), env, "/api/v1/asset-types/", workers=2) as server:
        yield server


PROXY_HTTPS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Api:
    """A tiny client for /api/v1/ on the live server; `token=` signs a request."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/") + "/api/v1/"
        self.session = requests.Session()

    def request(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Token {token}"
        return self.session.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)


@pytest.fixture
def api(live_server) -> Api:
    return Api(live_server.url)
