"""The benchmark's own database (`basewatch_bench` in the project cluster, `basewatch_bench_large` for
tier L), migrated and filled with a tier."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

import psycopg

from basewatch.core.synthetic import TIERS
from basewatch.lib import cursor
from bench.server import ROOT

NAME = "basewatch_bench"
# Tier L takes minutes to generate where S and M take seconds: a database of its own, so that
# `make bench` (S, then M) and `make bench-large` do not replace each other's world.
LARGE = {"L": "basewatch_bench_large"}


def database_url(tier: str = "S") -> str:
    port = os.environ.get("BASEWATCH_DB_PORT", "54329")
    name = LARGE.get(tier, NAME)
    return os.environ.get("BENCH_DATABASE_URL", f"postgis://basewatch@127.0.0.1:{port}/{name}")


def _connect(url: str, dbname: str | None = None):
    conninfo = url.replace("postgis://", "postgresql://", 1)
    return psycopg.connect(conninfo, dbname=dbname, autocommit=True) if dbname else psycopg.connect(conninfo)


def _manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare(tier: str, url: str | None = None) -> str:
    """The benchmark database (or the one at `url`) holding `tier`, migrated; its URL.

    A database holding another tier is dropped and made afresh, not overwritten:
    replacing a million rows in place leaves a heap of dead rows that every
    sequential scan would still read, and timings would depend on what ran before.
    """
    url = url or database_url(tier)
    name, size = urlsplit(url).path.lstrip("/"), TIERS[tier]
    with _connect(url, "postgres") as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists:
        _manage(url, "migrate", "--verbosity", "0")
        if _holds(url) == (size.sites, size.observations):
            return url
    with _connect(url, "postgres") as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    _manage(url, "migrate", "--verbosity", "0")
    _manage(url, "generate_world", "--tier", tier)
    with _connect(url, name) as connection:
        connection.execute("VACUUM (ANALYZE)")  # visibility maps and hint bits set, as on a settled database
    return url


def _holds(url: str) -> tuple[int, int]:
    """(sites, observations) of the synthetic world in the database."""
    with _connect(url) as connection:
        return connection.execute(
            "SELECT (SELECT count(*) FROM core_site WHERE slug LIKE 'bench-%%'),"
            " (SELECT count(*) FROM core_observation o JOIN core_site s ON s.id = o.site_id"
            "  WHERE s.slug LIKE 'bench-%%')"
        ).fetchone()


def busiest_site(url: str) -> str:
    with _connect(url) as connection:
        return connection.execute(
            "SELECT s.slug FROM core_site s JOIN core_observation o ON o.site_id = s.id"
            " GROUP BY s.slug ORDER BY count(*) DESC, s.slug LIMIT 1"
        ).fetchone()[0]


def page_cursor(url: str, page: int, size: int) -> str:
    """The cursor of page `page` (of `size` rows) of the public observation list; page 1 has none."""
    with _connect(url) as connection:
        observed, pk = connection.execute(
            "SELECT observed, id FROM core_observation WHERE state = 'published'"
            " ORDER BY observed DESC, id DESC OFFSET %s LIMIT 1",
            [(page - 1) * size - 1],
        ).fetchone()
    return cursor.encode(False, observed, pk)
