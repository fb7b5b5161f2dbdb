"""The stress checks' own PostgreSQL cluster (var/stress/pg on port 54349), so stopping it
abruptly never touches the cluster you develop on."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg

from bench.server import ROOT

PORT = 54349
DIRECTORY = ROOT / "var" / "stress" / "pg"
ENV = {**os.environ, "BASEWATCH_DB_PORT": str(PORT), "BASEWATCH_DB_DIR": str(DIRECTORY)}
ENV.pop("DATABASE_URL", None)


def db(action: str) -> None:
    """scripts/db.sh start|stop|kill on the stress cluster."""
    subprocess.run(["bash", "scripts/db.sh", action], cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)  # noqa: S603,S607


def url(name: str) -> str:
    return f"postgis://basewatch@127.0.0.1:{PORT}/{name}"


def connect(name: str) -> psycopg.Connection:
    return psycopg.connect(f"postgresql://basewatch@127.0.0.1:{PORT}/{name}", autocommit=True)


def fresh_database(name: str, *seed: list[str]) -> str:
    """Database `name` made anew, migrated and filled by each `seed` command; its URL."""
    with connect("postgres") as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    for command in [["migrate", "--verbosity", "0"], *seed]:
        manage(url(name), *command)
    return url(name)


def manage(database_url: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run manage.py on `database_url`; its output."""
    environment = {**ENV, "DATABASE_URL": database_url, **(env or {})}
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=ROOT, env=environment, check=True, capture_output=True, text=True).stdout  # noqa: S603
