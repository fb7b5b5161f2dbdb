"""Settings come from the environment; production refuses unsafe configuration."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from basewatch.lib.env import env_bool, env_int, env_int_list, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent


def test_env_readers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "off")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", " a.example , b.example ,")
    monkeypatch.setenv("X_EMPTY", "")
    monkeypatch.setenv("X_SCHEDULE", "5, 300,0")
    assert env_int_list("X_SCHEDULE", [1]) == [5, 300, 0]
    assert env_int_list("X_UNSET", [1, 2]) == [1, 2]
    assert env_bool("X_BOOL", True) is False
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env_str("X_EMPTY", "fallback") == "fallback"
    assert env_str("X_EMPTY", "fallback", keep_empty=True) == ""
    assert env_str("X_UNSET", "fallback", keep_empty=True) == "fallback"
    assert env_bool("X_UNSET", True) is True


@pytest.mark.parametrize(
    ("reader", "value"), [(env_bool, "maybe"), (env_int, "12x"), (env_int_list, "5,-1"), (env_int_list, "5,1h")]
)
def test_malformed_values_fail_loudly(monkeypatch, reader, value):
    monkeypatch.setenv("X_BAD", value)
    with pytest.raises(ImproperlyConfigured, match="X_BAD"):
        reader("X_BAD", 0)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return python("manage.py", *args, **env)


def python(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "basewatch.settings", **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    return subprocess.run(  # noqa: S603 (our own code, fixed arguments)
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


def test_production_requires_a_secret_key():
    result = manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


WSGI_LOADED = "import gc, sys, basewatch.wsgi; print(gc.get_freeze_count(), 'basewatch.api.views.sites' in sys.modules)"


def test_the_wsgi_application_loads_its_views_and_leaves_them_out_of_full_collections():
    result = python("-c", WSGI_LOADED)
    assert result.returncode == 0, result.stderr
    frozen, views_loaded = result.stdout.split()
    # Django, DRF and basewatch's modules: some 180,000 objects the collector no longer walks.
    assert int(frozen) > 100_000 and views_loaded == "True", result.stderr


def test_only_postgis_urls_are_accepted():
    result = manage("check", DATABASE_URL="sqlite:///var/db.sqlite3")
    assert result.returncode != 0
    assert "postgis://" in result.stderr
    result = manage("check", DATABASE_REPLICA_URL="postgres://basewatch@127.0.0.1:5432/basewatch")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must use the postgis:// scheme" in result.stderr


REPLICA_SETTINGS = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES))"


def test_a_replica_url_adds_the_replica_with_the_primarys_options():
    url = "postgis://reader@10.0.0.12:5433/basewatch"
    alone = json.loads(manage("shell", "-c", REPLICA_SETTINGS, DATABASE_REPLICA_URL="").stdout.splitlines()[-1])
    assert set(alone) == {"default"}
    both = json.loads(manage("shell", "-c", REPLICA_SETTINGS, DATABASE_REPLICA_URL=url).stdout.splitlines()[-1])
    replica, default = both["replica"], both["default"]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("10.0.0.12", 5433, "reader")
    assert replica["OPTIONS"]["options"] == default["OPTIONS"]["options"] == "-c jit=off"
    assert replica["OPTIONS"]["connect_timeout"] == 1 and default["OPTIONS"]["connect_timeout"] == 3
    assert replica["CONN_MAX_AGE"] == default["CONN_MAX_AGE"] and replica["CONN_HEALTH_CHECKS"]
    # Tests read the one test database through both aliases (tests/test_replica.py: a real replica).
    assert replica["TEST"]["MIRROR"] == "default"


TILE_SETTINGS = (
    "import json; from django.conf import settings; from basewatch.middleware import POLICY; "
    "print(json.dumps({'tiles': settings.LEAFLET_CONFIG['TILES'], 'policy': POLICY}))"
)


def tile_settings(**env: str) -> dict:
    result = manage("shell", "--no-imports", "-c", TILE_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_tiles_default_to_openstreetmap():
    answer = tile_settings()
    attribution = {"attribution": "&copy; OpenStreetMap contributors", "maxZoom": 19}
    assert answer["tiles"] == [["Map tiles", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", attribution]]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in answer["policy"]


def test_an_empty_tile_url_switches_tiles_off():
    answer = tile_settings(BASEWATCH_TILE_URL="")
    assert answer["tiles"] == []  # django-leaflet's widgets draw no tile layer
    assert "img-src 'self' data:;" in answer["policy"]


def test_another_tile_server_is_named_in_the_policy():
    answer = tile_settings(
        BASEWATCH_TILE_URL="https://{s}.tiles.example.org/base/{z}/{x}/{y}@2x.png",
        BASEWATCH_TILE_ATTRIBUTION="Tiles &copy; Example",
    )
    assert answer["tiles"][0][1:] == [
        "https://{s}.tiles.example.org/base/{z}/{x}/{y}@2x.png",
        {"attribution": "Tiles &copy; Example", "maxZoom": 19},
    ]
    assert "img-src 'self' data: https://*.tiles.example.org;" in answer["policy"]


@pytest.mark.parametrize("url", ["tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org/{z}/{x}.png"])
def test_a_malformed_tile_url_fails_loudly(url):
    result = manage("check", BASEWATCH_TILE_URL=url)
    assert result.returncode != 0
    assert "BASEWATCH_TILE_URL=" in result.stderr


STORAGE_SETTINGS = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'default': settings.STORAGES['default'], 'tsa': settings.ARCHIVE_TSA_URL}))"
)


def test_storage_is_local_by_default_and_s3_by_setting():
    local = manage("shell", "--no-imports", "-c", STORAGE_SETTINGS)
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout) == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "tsa": "",
    }
    s3 = manage(
        "shell",
        "--no-imports",
        "-c",
        STORAGE_SETTINGS,
        BASEWATCH_STORAGE="s3",
        BASEWATCH_S3_BUCKET="evidence",
        BASEWATCH_S3_ENDPOINT_URL="https://s3.example.net",
        BASEWATCH_S3_REGION="eu-central-1",
        BASEWATCH_S3_ACCESS_KEY_ID="key",
        BASEWATCH_S3_SECRET_ACCESS_KEY="secret",
    )
    assert s3.returncode == 0, s3.stderr
    default = json.loads(s3.stdout)["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "evidence",
        "https://s3.example.net",
        "eu-central-1",
    )
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")
    assert options["default_acl"] is None and options["querystring_auth"] is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BASEWATCH_STORAGE": "s3"}, "BASEWATCH_S3_BUCKET"),
        ({"BASEWATCH_STORAGE": "ftp"}, "BASEWATCH_STORAGE"),
        ({"BASEWATCH_ARCHIVE_TSA_CERTS": "/nonexistent/tsa.pem"}, "BASEWATCH_ARCHIVE_TSA_CERTS"),
    ],
)
def test_malformed_storage_and_timestamp_settings_fail_loudly(env, message):
    result = manage("check", **env)
    assert result.returncode != 0 and message in result.stderr
