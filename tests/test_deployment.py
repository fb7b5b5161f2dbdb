"""Production settings (DEBUG=0 behind TLS) on gunicorn: security headers, cookies, error pages.

On gunicorn and transactional: the server itself is under test (what its WSGI stack, static
files and error handling send with DEBUG=0, and how it fails without a database), and its
worker processes see only committed rows.
"""

from __future__ import annotations

import re
import time

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from bench.server import serve, server_env
from tests.conftest import PROXY_HTTPS, ROOT, database_url, free_port
from tests.factories import make_site, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/sites/khmeimim/",
    "/observations/",
    "/accounts/login/",
    "/api/v1/sites/",
    "/api/v1/sites/khmeimim/",
    "/api/v1/observations/",
    "/api/v1/docs/",
    "/api/v1/schema/",
    "/no-such-page/",
    "/api/v1/no-such-endpoint/",
]

# What an error page must not reveal: the failing SQL, code locations, settings.
LEAKS = re.compile(r"Traceback|no_such_table|secret_column|SELECT|\.py\b|/work/|SECRET_KEY|DATABASES|psycopg|File \"")


def assert_security_headers(response, where: str = "") -> None:
    """The headers every basewatch response carries (also used by the permission matrix);
    `where` (the path) is named when one is missing."""
    assert "Content-Security-Policy" in response.headers, where
    policy = response.headers["Content-Security-Policy"]
    # A directive may stand alone (`sandbox`, on served images and captured files).
    directives = dict([*item.strip().split(" ", 1), ""][:2] for item in policy.split(";"))
    assert "unsafe-eval" not in policy, where
    assert "unsafe-inline" not in directives["script-src"] and "*" not in directives["script-src"], where
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'", where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where
    assert response.headers.get("X-Frame-Options") == "DENY", where


def get(server, path: str, **kwargs) -> requests.Response:
    headers = {**PROXY_HTTPS, **kwargs.pop("headers", {})}
    return requests.get(server.base + path, headers=headers, timeout=30, allow_redirects=False, **kwargs)


def test_every_page_sends_the_security_headers(production_server, demo):
    for path in PAGES:
        response = get(production_server, path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert_security_headers(response, path)
        assert response.headers.get("Strict-Transport-Security", "").startswith("max-age=31536000"), path
    static = re.search(r'src="(/static/js/map\.[0-9a-f]+\.js)"', get(production_server, "/").text).group(1)
    assert_security_headers(get(production_server, static), static)


def test_plain_http_is_redirected_to_https(production_server):
    response = requests.get(production_server.base + "/", timeout=30, allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_cookies_are_secure_http_only_and_same_site(production_server):
    user = make_user("editor", username="cookie-editor")
    # The server checks passwords with the production hashers, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode("a-long-test-password", PBKDF2PasswordHasher().salt())
    user.save()
    form = get(production_server, "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    login = requests.post(
        production_server.base + "/accounts/login/",
        data={"username": "cookie-editor", "password": "a-long-test-password", "csrfmiddlewaretoken": token},
        # The cookie is Secure: the proxy's HTTPS leg is simulated, so send it by hand.
        cookies={"csrftoken": form.cookies["csrftoken"]},
        headers={**PROXY_HTTPS, "Referer": f"https://127.0.0.1:{production_server.port}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert login.status_code == 302, login.text[:500]
    set_cookies = form.raw.headers.getlist("Set-Cookie") + login.raw.headers.getlist("Set-Cookie")
    for name in ("csrftoken", "sessionid"):
        cookie = next(value for value in set_cookies if value.startswith(name + "="))
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite"} <= attributes, cookie
        assert "samesite=lax" in cookie.lower()


def assert_plain_error(response, status: int) -> None:
    assert response.status_code == status, response.text[:500]
    assert not LEAKS.search(response.text), response.text[:2000]
    assert str(ROOT) not in response.text
    assert_security_headers(response)


def test_error_pages_reveal_nothing(production_server):
    make_site(slug="khmeimim")
    html = get(production_server, "/failing/")
    assert_plain_error(html, 500)
    assert "text/html" in html.headers["Content-Type"]
    api = get(production_server, "/api/v1/failing/")
    assert_plain_error(api, 500)
    assert api.json() == {"detail": "Internal server error."}
    assert_plain_error(get(production_server, "/sites/no-such-site/"), 404)
    assert_plain_error(get(production_server, "/api/v1/sites/no-such-site/"), 404)
    assert_plain_error(get(production_server, "/", headers={"Host": "attacker.example"}), 400)
    assert_plain_error(get(production_server, "/api/v1/sites/?as_of=2024-13-45"), 400)
    bad_json = requests.post(
        production_server.base + "/api/v1/sources/",
        data="{not json",
        headers={**PROXY_HTTPS, "Content-Type": "application/json", "Authorization": "Token nope"},
        timeout=30,
    )
    assert_plain_error(bad_json, 401)
    no_csrf = requests.post(
        production_server.base + "/accounts/login/", data={"username": "x"}, headers=PROXY_HTTPS, timeout=30
    )
    assert_plain_error(no_csrf, 403)
    wrong_method = requests.delete(production_server.base + "/api/v1/sites/", headers=PROXY_HTTPS, timeout=30)
    assert_plain_error(wrong_method, 405)


def test_an_unreachable_database_is_a_fast_503(production_server):
    """No database at all: every page and endpoint answers 503 with Retry-After, at once."""
    env = {**server_env(database_url(), settings="tests.production_settings"), "SECURE_SSL_REDIRECT": "0"}
    env["DATABASE_URL"] = f"postgis://basewatch@127.0.0.1:{free_port()}/basewatch"  # nothing listens there
    with serve(ROOT / ".venv", "basewatch.wsgi", free_port(), env, "/api/v1/asset-types/") as server:
        for path, content_type in [("/api/v1/sites/", "application/json"), ("/sites/khmeimim/", "text/html")]:
            started = time.monotonic()
            response = requests.get(server.base + path, timeout=30)
            assert time.monotonic() - started < 2
            assert response.status_code == 503 and response.headers["Retry-After"] == "5"
            assert response.headers["Content-Type"].startswith(content_type)
            assert not LEAKS.search(response.text), response.text
        token = {"Authorization": "Token any-key"}  # checking it needs the database
        created = requests.post(server.base + "/api/v1/sources/", json={"title": "x"}, headers=token, timeout=30)
        assert created.status_code == 503
