"""pygeoapi (PyPI) serving the benchmark's sites as OGC API - Features: the peer server for E1/E2.

It runs from its own virtualenv, `.venv-pygeoapi` (`scripts/setup.sh --bench`,
bench/requirements-pygeoapi.txt), so its dependencies never meet basewatch's. Its
PostgreSQL provider reads a view of the sites with one geometry (it cannot serve a
table with two) and no array column (it cannot map one): aliases become one text.
It has no posture, so it is compared with basewatch's `posture=none` request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg

from bench.server import ROOT, serve

VENV = ROOT / ".venv-pygeoapi"
VIEW = "bench_pygeoapi_sites"
ITEMS = "/collections/sites/items?f=json&limit=20000"
WORK = ROOT / "bench" / "results" / "pygeoapi"


def create_view(database_url: str) -> None:
    conninfo = database_url.replace("postgis://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(
            "CREATE OR REPLACE VIEW bench_pygeoapi_sites AS SELECT slug, name,"
            " array_to_string(aliases, ', ') AS aliases, kind, operator, host_country, status, location_precision,"
            " location FROM core_site"
        )


def config(database_url: str, port: int) -> dict:
    """pygeoapi's configuration (YAML; JSON is YAML) for the sites view."""
    database = urlsplit(database_url)
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "language": "en-US",
            "limits": {"default_items": 10, "max_items": 20000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "basewatch sites (benchmark)",
                "description": "The synthetic world's sites",
                "keywords": ["sites"],
                "keywords_type": "theme",
                "terms_of_service": "none",
                "url": "http://127.0.0.1",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "basewatch benchmark", "url": "http://127.0.0.1"},
            "contact": {"name": "basewatch"},
        },
        "resources": {
            "sites": {
                "type": "collection",
                "title": "Sites",
                "description": "Military sites",
                "keywords": ["sites"],
                "extents": {
                    "spatial": {"bbox": [-180, -90, 180, 90], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
                },
                "providers": [
                    {
                        "type": "feature",
                        "name": "PostgreSQL",
                        "data": {
                            "host": database.hostname,
                            "port": database.port or 5432,
                            "dbname": database.path.lstrip("/"),
                            "user": database.username,
                            "password": database.password or "",
                            "search_path": ["public"],
                        },
                        "id_field": "slug",
                        "table": VIEW,
                        "geom_field": "location",
                    }
                ],
            }
        },
    }


@contextmanager
def gunicorn(database_url: str, port: int):
    """pygeoapi's Flask app under gunicorn with one sync worker, like basewatch."""
    if not (VENV / "bin" / "gunicorn").exists():
        sys.exit("bench: pygeoapi is not installed: run scripts/setup.sh --bench")
    create_view(database_url)
    WORK.mkdir(parents=True, exist_ok=True)
    config_file, openapi_file = WORK / "config.yml", WORK / "openapi.yml"
    config_file.write_text(json.dumps(config(database_url, port), indent=1))
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config_file), "PYGEOAPI_OPENAPI": str(openapi_file)}
    generate = [str(VENV / "bin" / "pygeoapi"), "openapi", "generate", str(config_file), "--output-file",
                str(openapi_file)]  # fmt: skip
    subprocess.run(generate, env=env, check=True, capture_output=True)  # noqa: S603 (fixed command)
    with serve(VENV, "pygeoapi.flask_app:APP", port, env, "/collections/sites/items?f=json&limit=1") as server:
        yield server
