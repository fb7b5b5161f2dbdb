"""Check 9: `make backup` then `make restore FILE=…` gives back the same database.

Every table's row count and a hash of its rows (history tables included), and every
sequence's position, are compared before the backup and after the restore.
"""

from __future__ import annotations

import subprocess
import time

from bench.server import ROOT
from stress import cluster

NAME = "basewatch_stress"

TABLES = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys'
    ORDER BY table_name
"""


def fingerprint() -> dict[str, tuple]:
    """(rows, md5 of the rows in a fixed order) per table, and each sequence's last value."""
    with cluster.connect(NAME) as connection:
        tables = [row[0] for row in connection.execute(TABLES)]
        prints = {
            table: connection.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"  # noqa: S608
            ).fetchone()
            for table in tables
        }
        for name, value in connection.execute("SELECT sequencename, last_value FROM pg_sequences"):
            prints[f"sequence {name}"] = (value,)
    return prints


def make(*args: str) -> tuple[str, float]:
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", *args],  # noqa: S607 (make, as a person would type it)
        cwd=ROOT, env=cluster.ENV | {"DATABASE_URL": cluster.url(NAME)},
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1], time.monotonic() - started


def run() -> dict:
    before = fingerprint()
    dump, backup_seconds = make("backup")
    if not dump.startswith(f"backups/{NAME}-"):
        raise RuntimeError(f"make backup dumped another database: {dump}")
    _, restore_seconds = make("restore", f"FILE={dump}")
    after = fingerprint()
    with cluster.connect("postgres") as connection:
        kept = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{NAME}_before_restore_%"])
        for (old,) in kept.fetchall():
            connection.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
    differing = sorted(name for name in before if before[name] != after.get(name))
    history = [name for name in before if name.endswith("event") and not name.startswith("sequence")]
    return {
        "tables": sum(not name.startswith("sequence") for name in before),
        "rows": sum(value[0] for name, value in before.items() if not name.startswith("sequence")),
        "history rows": sum(before[name][0] for name in history),
        "dump size (MB)": round((ROOT / dump).stat().st_size / 1e6, 1),
        "backup time (s)": round(backup_seconds, 1),
        "restore time (s)": round(restore_seconds, 1),
        "tables or sequences differing": differing,
        "ok": not differing and set(before) == set(after) and bool(history),
    }
