"""Results: medians over rounds per workload and contender, written as JSON and a Markdown table."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def summarise(rounds: list[dict]) -> list[dict]:
    rows: dict[tuple[str, str], list[dict]] = {}
    for result in rounds:
        rows.setdefault((result["workload"], result["contender"]), []).append(result)
    summary = []
    for (workload, contender), results in rows.items():
        summary.append({
            "workload": workload,
            "contender": contender,
            "rounds": len(results),
            "requests": sum(r["requests"] for r in results),
            "failed": sum(r["non_2xx_3xx"] + r["socket_errors"] for r in results),
            "p50_ms": statistics.median(r["p50_us"] for r in results) / 1000,
            "p95_ms": statistics.median(r["p95_us"] for r in results) / 1000,
            "rps": statistics.median(r["rps"] for r in results),
            "cpu_s_per_1000": statistics.median(r["cpu_s_per_1000"] for r in results),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            "method": results[0].get("method", "wrk"),
        })  # fmt: skip
    return summary


def ratios(summary: list[dict]) -> dict[str, float]:
    """The comparisons the targets are stated in (median latency over median latency)."""
    p50 = {(row["workload"], row["contender"]): row["p50_ms"] for row in summary}
    pairs = {
        "E1 basewatch / SQL limit": (("E1", "basewatch"), ("E1", "SQL limit")),
        "E1 SQL posture from claims / basewatch": (("E1", "SQL, posture from claims"), ("E1", "basewatch")),
        "E1 naive / basewatch": (("E1", "naive"), ("E1", "basewatch")),
        "E2 basewatch / SQL limit": (("E2", "basewatch"), ("E2", "SQL limit")),
        "E4 basewatch / SQL limit": (("E4", "basewatch"), ("E4", "SQL limit")),
        "E1 / E5 (304)": (("E1", "basewatch"), ("E5", "basewatch")),
        "E1 pygeoapi / basewatch posture=none": (("E1", "pygeoapi"), ("E1", "basewatch, posture=none")),
        "E2 pygeoapi / basewatch posture=none": (("E2", "pygeoapi"), ("E2", "basewatch, posture=none")),
        "E3 OFFSET / keyset": (("E3", "OFFSET"), ("E3", "basewatch (keyset)")),
        "E3 basewatch / SQL limit": (("E3", "basewatch (keyset)"), ("E3", "SQL limit")),
    }
    found = {name: p50[a] / p50[b] for name, (a, b) in pairs.items() if a in p50 and b in p50 and p50[b]}
    if p50.get(("M1", PLAY)):  # timed in milliseconds per frame (bench/map_page.py)
        found["M1 play, frames/s"] = 1000 / p50[("M1", PLAY)]
    return found


PLAY = "play (ms per frame)"


def markdown(args, summary: list[dict], machine: dict) -> str:
    lines = [
        f"# basewatch benchmark — tier {args.tier}",
        "",
        f"{machine['date']}; {machine['cpus']} CPUs, Linux {machine['kernel']}, Python {machine['python']}, "
        f"{machine['postgres']}, {machine['wrk']}; one gunicorn sync worker; wrk {args.connections} connections, "
        f"{args.seconds} s per run, {args.rounds} interleaved rounds, medians shown.",
        "",
        "| workload | contender | p50 ms | p95 ms | req/s | CPU s / 1000 req | peak RSS MB | requests | failed |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary:
        method = f" ({row['method']})" if row["method"] != "wrk" else ""
        lines.append(
            f"| {row['workload']} | {row['contender']}{method} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | "
            f"{row['rps']:.2f} | {row['cpu_s_per_1000']:.1f} | {row['peak_rss_mb']:.0f} | {row['requests']} | "
            f"{row['failed']} |"
        )
    lines += ["", "| ratio (p50) | value |", "|---|---:|"]
    lines += [f"| {name} | {value:.2f} |" for name, value in ratios(summary).items()]
    return "\n".join(lines) + "\n"


# Each tier against the one below it: ten times the observations (S to M: ten times the sites
# too; M to L: twice the sites).
SMALLER = {"M": "S", "L": "M"}
GROWN = {"M": ("E1", "E4"), "L": ("E1", "E2", "E4", "M1")}


def growth(tier: str, summary: list[dict]) -> dict[str, float]:
    """M/S or L/M: how much slower each workload gets with ten times the data (from the last
    results of the tier below, bench/results/tier-S.json or tier-M.json)."""
    smaller = RESULTS / f"tier-{SMALLER.get(tier)}.json"
    if tier not in SMALLER or not smaller.exists():
        return {}
    before = {(r["workload"], r["contender"]): r["p50_ms"] for r in json.loads(smaller.read_text())["summary"]}
    return {
        f"{row['workload']} {row['contender']} {tier}/{SMALLER[tier]}": row["p50_ms"]
        / before[(row["workload"], row["contender"])]
        for row in summary
        if row["workload"] in GROWN[tier] and before.get((row["workload"], row["contender"]))
    }


def write(args, workloads, rounds: list[dict], machine: dict) -> None:
    summary = summarise(rounds)
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"tier-{args.tier}"
    data = {
        "machine": machine,
        "tier": args.tier,
        "summary": summary,
        "ratios": ratios(summary),
        "growth": growth(args.tier, summary),
        "rounds": rounds,
    }
    stem.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    table = markdown(args, summary, machine) + "".join(
        f"| growth {name} | {value:.2f} |\n" for name, value in data["growth"].items()
    )
    stem.with_suffix(".md").write_text(table)
    print(table)
