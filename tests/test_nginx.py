"""The production topology of deploy/: Debian's nginx with the shipped site in front of gunicorn
(deploy/gunicorn.conf.py, three sync workers) with production settings.

On real servers and transactional: what is tested is what nginx does in front of gunicorn
(holding slow clients, compressing, serving static files, the forwarded headers), and
gunicorn's workers see only committed rows. The HTTPS side has a self-signed certificate
made for the test (bench/nginx.py).
"""

from __future__ import annotations

import gzip
import re
import secrets
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
import requests

from bench.nginx import GUNICORN_CONFIG, check_in_debian_config, nginx
from bench.server import collect_static, serve, server_env
from tests.conftest import ROOT, database_url, free_port
from tests.test_deployment import assert_security_headers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("gunicorn")]

WORKERS = 3


class Topology:
    def __init__(self, proxy, app):
        self.proxy, self.app = proxy, app
        self.certificate = str(proxy.directory / "cert.pem")

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET through nginx over HTTPS."""
        timeout = kwargs.pop("timeout", 30)
        url = self.proxy.base + path
        return requests.get(url, verify=self.certificate, allow_redirects=False, timeout=timeout, **kwargs)


@pytest.fixture(scope="module")
def topology(django_db_setup, tmp_path_factory):
    directory = tmp_path_factory.mktemp("nginx")
    env = {
        **server_env(database_url(), settings="tests.production_settings"),
        "BEHIND_TLS_PROXY": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "RESPONSE_CACHE_MB": "64",
    }
    collect_static(env)
    upstream = f"unix:{directory / 'gunicorn.sock'}"
    with ExitStack() as stack:
        app = stack.enter_context(
            serve(ROOT / ".venv", "basewatch.wsgi", free_port(), env, "/api/v1/asset-types/", WORKERS, 60,
                  config=GUNICORN_CONFIG, binds=(upstream,))
        )  # fmt: skip
        proxy = stack.enter_context(nginx(directory / "nginx", upstream))
        _warm_up(app)
        yield Topology(proxy, app)


def _warm_up(app) -> None:
    """A first request costs a worker seconds (imports, URL patterns): give each worker one
    before anything is timed, by asking more at once than there are workers."""
    urls = [f"{app.base}/api/v1/sites/?as_of=2020-01-0{n}" for n in range(1, 10)]
    with ThreadPoolExecutor(2 * WORKERS) as pool:
        list(pool.map(lambda url: requests.get(url, headers={"X-Forwarded-Proto": "https"}, timeout=60), urls))


def test_debian_nginx_accepts_the_shipped_site(tmp_path):
    checked = check_in_debian_config(tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def hold(address: tuple[str, int], how: str, tls: bool = False) -> socket.socket:
    """A connection left unfinished: `how` is "silent" (nothing sent), "headers" (part of a request's
    headers) or "body" (whole headers announcing a body, and a little of it)."""
    connection = socket.create_connection(address, timeout=10)
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = context.wrap_socket(connection)
    if how == "headers":
        connection.sendall(b"GET /api/v1/sites/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    elif how == "body":
        connection.sendall(
            b"POST /api/v1/sources/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100000\r\n\r\n{"title": "'
        )
    return connection


def answered_within(get, seconds: float) -> bool:
    started = time.monotonic()
    try:
        get(timeout=seconds)
    except requests.Timeout:
        return False
    return time.monotonic() - started < seconds


def test_slow_clients_hold_nginx_not_gunicorn(topology, demo):
    """One slow client per worker stops bare gunicorn; behind nginx, requests keep answering."""
    nginx_address, app_address = ("127.0.0.1", topology.proxy.https_port), ("127.0.0.1", topology.app.port)
    kinds = ["silent", "headers", "body"] * WORKERS
    with ExitStack() as stack:
        for how in kinds:  # three times as many as there are workers
            stack.callback(hold(nginx_address, how, tls=how != "silent").close)
        for n in range(5):
            started = time.monotonic()
            response = topology.get(f"/api/v1/sites/?as_of=2024-01-0{n + 1}", timeout=5)
            assert response.status_code == 200, topology.proxy.error_log
            # Tens of milliseconds on an idle machine; the limit leaves room for a busy one.
            assert time.monotonic() - started < 2.0
        assert topology.get("/", timeout=5).status_code == 200

    # The contrast: such clients straight to gunicorn, one per worker, and nothing answers. (Not
    # "body": gunicorn hands the headers on, and Django refuses that POST without reading its body.)
    def probe(timeout: float) -> requests.Response:
        url = topology.app.base + "/api/v1/asset-types/"
        return requests.get(url, headers={"X-Forwarded-Proto": "https"}, timeout=timeout, allow_redirects=False)

    assert probe(10).status_code == 200
    with ExitStack() as stack:
        for how in ["silent", "headers", "headers"]:
            stack.callback(hold(app_address, how).close)
        assert not answered_within(probe, 3.0)
    # Once they go, the workers are free again.
    assert answered_within(probe, 10.0)


TEXT_ANSWERS = [
    ("/", "text/html"),
    ("/observations/", "text/html"),
    ("/api/v1/observations/", "application/json"),
    ("/api/v1/sites/?format=geojson", "application/geo+json"),
    ("/ogc/collections/sites/items", "application/geo+json"),
    ("/api/v1/observations/?format=csv", "text/csv"),
    ("/api/v1/sites/?format=kml", "application/vnd.google-earth.kml+xml"),
    ("/feeds/observations/", "application/atom+xml"),
    ("/api/v1/assets/RA-76845/track/?format=gpx", "application/gpx+xml"),
    ("/api/v1/schema/", "application/vnd.oai.openapi"),  # 418 KB of YAML
]


# An OGC items page says when it was written, to the second: the two requests may straddle one.
WRITTEN_AT = re.compile(rb'"timeStamp": "[^"]*"')


def test_text_answers_are_compressed(topology, demo):
    for path, content_type in TEXT_ANSWERS:
        plain = topology.get(path, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200, (path, plain.status_code)
        assert plain.headers["Content-Type"].startswith(content_type), (path, plain.headers["Content-Type"])
        assert "Content-Encoding" not in plain.headers
        packed = topology.get(path, headers={"Accept-Encoding": "gzip"}, stream=True)
        assert packed.headers.get("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in packed.headers["Vary"]
        wire = packed.raw.read(decode_content=False)
        body = gzip.decompress(wire)
        if not content_type.startswith("text/html"):  # pages carry a fresh CSRF token and nonce each time
            assert WRITTEN_AT.sub(b"", body) == WRITTEN_AT.sub(b"", plain.content), path
        assert len(wire) < len(body) / 2, (path, len(wire), len(body))


def test_revalidation_and_cache_headers_survive_compression(topology, demo):
    """nginx weakens a compressed answer's ETag; sent back, it is still a 304."""
    first = topology.get("/api/v1/sites/", headers={"Accept-Encoding": "gzip"})
    assert first.headers["ETag"].startswith('W/"d')
    assert first.headers["Cache-Control"].startswith("public")
    again = topology.get("/api/v1/sites/", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    ogc = topology.get("/ogc/collections/sites/items", headers={"Accept-Encoding": "gzip"})
    assert ogc.headers["ETag"].startswith("W/")
    headers = {"Accept-Encoding": "gzip", "If-None-Match": ogc.headers["ETag"]}
    assert topology.get("/ogc/collections/sites/items", headers=headers).status_code == 304


def test_static_files_are_served_by_nginx(topology):
    page = topology.get("/").text
    script = re.search(r'src="(/static/js/map\.[0-9a-f]{12}\.js)"', page).group(1)
    response = topology.get(script, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/javascript"
    # nginx's year, not whitenoise's ten years (max-age=315360000): no worker was asked.
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"  # whitenoise's .gz copy
    assert_security_headers(response, script)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    unhashed = topology.get("/static/js/map.js")
    assert unhashed.status_code == 200 and unhashed.headers["Cache-Control"] == "public, max-age=60"
    missing = topology.get("/static/js/no-such-file.js")
    assert missing.status_code == 404


def test_uploads_are_not_served_from_the_media_folder(topology):
    """Evidence goes out only through views that check who may see it (front/images.py)."""
    response = topology.get("/media/")
    assert response.status_code == 404
    assert_security_headers(response)  # Django's own 404, not a directory listing or a file
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_forwarded_headers_are_nginx_s_own(topology):
    # Plain HTTP is sent to HTTPS by nginx.
    plain = requests.get(f"http://127.0.0.1:{topology.proxy.http_port}/sites/", timeout=10, allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"] == "https://127.0.0.1/sites/"
    # Over HTTPS Django sees HTTPS, whatever the client claims: no redirect, Secure cookies.
    login = topology.get("/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    assert login.status_code == 200
    assert "secure" in login.headers["Set-Cookie"].lower()
    assert login.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_an_oversized_body_is_refused_before_it_reaches_gunicorn(topology):
    connection = hold(("127.0.0.1", topology.proxy.https_port), "silent", tls=True)
    with connection:
        connection.sendall(
            b"POST /api/v1/imports/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: 23000000\r\n\r\n"
        )
        answer = connection.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "application/json" in answer and "larger than 21 MB" in answer
