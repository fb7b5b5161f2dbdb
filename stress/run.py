"""`make stress`: the slow reliability checks (README, "Reliability and security").

8. database faults under load, 9. backup and restore round trip, 10. load and throttling,
12. the production topology (nginx in front: slow clients, mixed load through it),
on a PostgreSQL cluster of their own (stress/cluster.py), and 13. a streaming replica stopped
and lagging under load, on a primary and replica of their own (stress/replica.py). Prints a summary table, writes
it to var/stress/summary.md, and exits non-zero if a check missed its target.
"""

from __future__ import annotations

import json
import sys
import time

from bench.server import ROOT
from stress import backup, cluster, faults, load, proxy, replica


def seed() -> None:
    """Tier S plus the demo, and some history of edits, in basewatch_stress."""
    cluster.fresh_database(backup.NAME, ["load_demo"], ["generate_world", "--tier", "S"])
    with cluster.connect(backup.NAME) as connection:
        connection.execute("UPDATE core_observation SET notes = 'checked again' WHERE id % 20 = 0")
        connection.execute("UPDATE core_site SET description = 'edited' WHERE id % 10 = 0")
        connection.execute("VACUUM (ANALYZE)")


def main() -> int:
    cluster.db("start")
    results, timings = {}, {}
    for name, check in [
        ("8. database faults", faults.run),
        ("9. backup and restore", lambda: (seed(), backup.run())[1]),
        ("10. load and throttling", lambda: load.run(backup.NAME)),
        ("12. nginx: slow clients, mixed load", lambda: proxy.run(cluster.url(backup.NAME))),
        ("13. replica stopped and lagging", replica.run),
    ]:
        started = time.monotonic()
        results[name] = check()
        timings[name] = round(time.monotonic() - started)
    cluster.db("stop")
    lines = ["| check | result | took (s) | figures |", "|---|---|---:|---|"]
    for name, figures in results.items():
        verdict = "pass" if figures.pop("ok") else "FAIL"
        lines.append(f"| {name} | {verdict} | {timings[name]} | {json.dumps(figures)} |")
    summary = "\n".join(lines)
    print(summary)
    (ROOT / "var" / "stress").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "stress" / "summary.md").write_text(summary + "\n")
    return 0 if "FAIL" not in summary else 1


if __name__ == "__main__":
    sys.exit(main())
