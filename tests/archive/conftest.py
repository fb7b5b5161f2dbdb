"""A fixture web site to archive, stored files kept in a folder of the test's own."""

from __future__ import annotations

import socket

import pytest

from tests.archive.sites import FixtureSite
from tests.archive.tsa import TimestampAuthority

HOST = "fixture.test"  # the site's name; only the allow-list lets it resolve to 127.0.0.1


@pytest.fixture
def fixture_site(monkeypatch):
    """The site on a local port, reached as http://fixture.test:<port>/ (the resolver is patched)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    site = FixtureSite(HOST)
    yield site
    site.stop()


@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT in a fresh folder, so a test can say that nothing was stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def allow_fixture(settings):
    """The fixture site's name allowed, and nothing else: a hop to 127.0.0.1 is still refused."""
    settings.OUTGOING_ALLOWED_HOSTS = [HOST]
    settings.ARCHIVE_RETRY_SCHEDULE = []  # a failure is final at once: the tests read its reason
    return settings


@pytest.fixture(scope="session")
def tsa():
    """A real RFC 3161 authority (openssl ts -reply) on 127.0.0.1, its certificates made for the session."""
    authority = TimestampAuthority()
    yield authority
    authority.stop()


@pytest.fixture
def use_tsa(tsa, allow_fixture):
    """Captures timestamped by the local authority, its answers verified against its CA;
    its address allowed beside the fixture site's name."""
    tsa.mode = "ok"
    allow_fixture.ARCHIVE_TSA_URL = tsa.url
    allow_fixture.ARCHIVE_TSA_CERTS = str(tsa.chain)
    allow_fixture.ARCHIVE_TSA_SECONDS = 15  # OpenSSL started per query, on a machine that may be busy
    allow_fixture.OUTGOING_ALLOWED_HOSTS = [HOST, "127.0.0.1"]
    return tsa
