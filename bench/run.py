"""Run the benchmark: `python -m bench.run --tier S|M|L [--rounds N] [--seconds S]` (see bench/README.md).

Each workload is served by several contenders on the same database and the same
gunicorn worker; they must return the same feature ids before their timings
count. Contenders are interleaved within each round; medians across rounds are
reported, with the ratios the targets are stated in.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import map_page, pygeoapi, server

HERE = Path(__file__).resolve().parent
DAY = "2025-12-31"  # the synthetic world's last day
BBOX = "20,20,60,45"  # Eastern Mediterranean to the Gulf


@dataclass
class Contender:
    label: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    server: str = "basewatch"  # or "pygeoapi"


@dataclass
class Workload:
    name: str
    what: str
    contenders: list[Contender]


def deep_page(servers: dict[str, server.Server]) -> tuple[int, int]:
    """Page 5,000 of the observations, or the last page where there are fewer; and the page size."""
    first = json.loads(fetch(servers, Contender("", "/api/v1/observations/"))[1])
    size = len(first["results"])
    return min(5000, -(-first["count"] // size)), size


def workloads(busiest: str, page: int, cursor: str) -> list[Workload]:
    sites = f"/api/v1/sites/?as_of={DAY}&page_size=20000"
    in_box = f"/api/v1/sites/?as_of={DAY}&bbox={BBOX}&page_size=20000"
    return [
        Workload("E1", "all sites as GeoJSON with posture", [
            Contender("basewatch", sites),
            Contender("SQL limit", f"/bench/sql/sites/?as_of={DAY}"),
            Contender("SQL, posture from claims", f"/bench/sql/claims/sites/?as_of={DAY}"),
            Contender("naive", f"/bench/naive/sites/?as_of={DAY}"),
            # pygeoapi has no posture: the comparable request is basewatch's without it.
            Contender("basewatch, posture=none", "/api/v1/sites/?posture=none&page_size=20000"),
            Contender("pygeoapi", pygeoapi.ITEMS, server="pygeoapi"),
        ]),
        Workload("E2", "sites in a bounding box", [
            Contender("basewatch", in_box),
            Contender("SQL limit", f"/bench/sql/sites/?as_of={DAY}&bbox={BBOX}"),
            Contender("basewatch, posture=none", f"/api/v1/sites/?posture=none&bbox={BBOX}&page_size=20000"),
            Contender("pygeoapi", f"{pygeoapi.ITEMS}&bbox={BBOX}", server="pygeoapi"),
        ]),
        Workload("E3", f"observations, page {page:,}", [
            Contender("basewatch (keyset)", f"/api/v1/observations/?cursor={cursor}"),
            Contender("SQL limit", f"/bench/sql/observations/?cursor={cursor}"),
            Contender("OFFSET", f"/bench/offset/observations/?page={page}"),
        ]),
        Workload("E4", "time series of the busiest site", [
            Contender("basewatch", f"/api/v1/sites/{busiest}/timeseries/"),
            Contender("SQL limit", f"/bench/sql/sites/{busiest}/timeseries/"),
        ]),
        Workload("E5", "E1 answered 304 (If-None-Match)", [Contender("basewatch", sites, {"If-None-Match": "*etag*"})]),
        Workload("M1", "the map in Chromium", [Contender("first draw", "/"), Contender("date change", "/"),
                                               Contender("play (ms per frame)", "/")]),
    ]  # fmt: skip


def fetch(servers: dict[str, server.Server], contender: Contender) -> tuple[int, bytes, dict]:
    url = servers[contender.server].base + contender.path
    request = urllib.request.Request(url, headers=contender.headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=900) as response:  # noqa: S310 (loopback)
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def ids_of(body: bytes) -> list:
    data = json.loads(body)
    if isinstance(data, list):  # the naive serializer's plain list of features
        return [feature["id"] for feature in data]
    if "features" in data:
        return [feature["id"] for feature in data["features"]]
    if "series" in data:
        return [point["observation"] for series in data["series"] for point in series["points"]]
    return [row["id"] for row in data["results"]]


def run_wrk(url: str, headers: dict, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "600s", "-s", str(HERE / "report.lua")]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return json.loads(output.strip().splitlines()[-1])


def measure(servers: dict[str, server.Server], workload: Workload, contender: Contender, args, slow: bool) -> dict:
    serving = servers[contender.server]
    master, worker = serving.process.pid, server.fresh_worker(serving)
    server.reset_peak_rss(worker)
    cpu_before = server.cpu_seconds(master) + server.cpu_seconds(worker)
    if workload.name == "M1":
        result = summary_of(map_page.measure(serving.base, contender.label, MAP_LOADS), "chromium")
    elif slow:
        result = sequential(servers, contender, 3)
    else:
        result = run_wrk(serving.base + contender.path, contender.headers, args.seconds, args.connections)
    cpu = server.cpu_seconds(master) + server.cpu_seconds(worker) - cpu_before
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["cpu_s_per_1000"] = 1000 * cpu / max(result["requests"], 1)
    result["peak_rss_mb"] = server.peak_rss_mb(worker)
    return result


MAP_LOADS = 3  # page loads per M1 run


def sequential(servers: dict[str, server.Server], contender: Contender, count: int) -> dict:
    times, failed = [], 0
    for _ in range(count):
        started = time.perf_counter()
        status, _, _ = fetch(servers, contender)
        times.append((time.perf_counter() - started) * 1000)
        failed += not 200 <= status < 400
    return summary_of(times, "sequential", failed)


def summary_of(times_ms: list[float], method: str, failed: int = 0) -> dict:
    """wrk's figures for requests timed one by one."""
    times_us = sorted(int(t * 1000) for t in times_ms)
    return {
        "requests": len(times_us), "duration_us": sum(times_us), "non_2xx_3xx": failed, "socket_errors": 0,
        "method": method, "p50_us": int(statistics.median(times_us)), "p95_us": times_us[-1], "p99_us": times_us[-1],
    }  # fmt: skip


def check_ids(servers: dict[str, server.Server], workload: Workload) -> float:
    """Every contender's answer names the same features (or points) as the first one's.

    Returns the slowest contender's time for that one request, in seconds. The map
    (M1) has no ids: bench/map_page.py checks it draws every site.
    """
    if workload.name == "M1":
        return 0.0
    first, slowest = None, 0.0
    for contender in workload.contenders:
        started = time.perf_counter()
        status, body, _ = fetch(servers, contender)
        slowest = max(slowest, time.perf_counter() - started)
        if status == 304:
            continue
        if status != 200:
            sys.exit(f"bench: {workload.name} {contender.label} answered {status}")
        ids = ids_of(body)
        if first is None:
            first = ids
        elif sorted(map(str, ids)) != sorted(map(str, first)):
            sys.exit(f"bench: {workload.name} {contender.label} returned other ids than {workload.contenders[0].label}")
    return slowest


def resolve_etags(servers: dict[str, server.Server], items: list[Workload]) -> None:
    for workload in items:
        for contender in workload.contenders:
            if contender.headers.get("If-None-Match") == "*etag*":
                _, _, headers = fetch(servers, Contender("", contender.path))
                contender.headers["If-None-Match"] = headers["ETag"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    # One connection per (single) worker: latencies are service times, not time queued behind others.
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", nargs="*", help="workload names, e.g. E1 E4")
    # The naive path takes a minute per request at tier M: left out where it would take the run's hours.
    parser.add_argument("--without", nargs="*", default=[], help="contenders left out, e.g. naive")
    args = parser.parse_args(argv)

    from bench import world

    database_url = world.prepare(args.tier)
    rounds: list[dict] = []
    with server.gunicorn(database_url, args.port) as basewatch, pygeoapi.gunicorn(database_url, args.port + 1) as peer:
        servers = {"basewatch": basewatch, "pygeoapi": peer}
        page, size = deep_page(servers)
        every = workloads(world.busiest_site(database_url), page, world.page_cursor(database_url, page, size))
        items = [workload for workload in every if not args.only or workload.name in args.only]
        for workload in items:
            workload.contenders = [c for c in workload.contenders if c.label not in args.without]
        resolve_etags(servers, items)
        # A workload whose slowest contender could not answer a few times within wrk's window
        # is timed request by request for every contender, so all are measured the same way.
        slow = {workload.name: check_ids(servers, workload) * 5 > args.seconds for workload in items}
        for round_number in range(1, args.rounds + 1):
            for workload in items:
                for contender in workload.contenders:
                    result = measure(servers, workload, contender, args, slow[workload.name])
                    rounds.append({"round": round_number, "workload": workload.name, "contender": contender.label,
                                   **result})  # fmt: skip
                    print(f"round {round_number} {workload.name} {contender.label}: "
                          f"p50 {result['p50_us'] / 1000:.1f} ms, {result['rps']:.1f} req/s", flush=True)  # fmt: skip
    from bench import report

    report.write(args, items, rounds, machine())


def machine() -> dict:
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "cpus": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),  # noqa: S607
        "kernel": platform.release(),
        "postgres": subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip(),  # noqa: S607
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0],  # noqa: S607
    }


if __name__ == "__main__":
    main()
