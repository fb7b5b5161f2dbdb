"""Dependency and code hygiene: pip-audit on the installed packages, bandit on the code.

Accepted findings live in security/accepted-risks.toml with a reason and an expiry date.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ACCEPTED = ROOT / "security" / "accepted-risks.toml"
BIN = Path(sys.executable).parent
SCANNED = ["basewatch", "bench", "stress", "manage.py"]


def accepted_risks(today: dt.date) -> dict[str, list[dict]]:
    """The accepted findings; an expired or incomplete entry fails the run."""
    risks = tomllib.loads(ACCEPTED.read_text())
    for kind, entries in risks.items():
        for entry in entries:
            assert entry.get("reason") and isinstance(entry.get("expires"), dt.date), (kind, entry)
            assert entry["expires"] >= today, f"accepted risk expired on {entry['expires']}: {entry}"
    return risks


def unaccepted_vulnerabilities(report: dict, accepted: list[dict]) -> list[str]:
    """'package version id' for each known vulnerability that is not accepted."""
    allowed = {(entry["package"].lower(), entry["id"]) for entry in accepted}
    found = []
    for dependency in report["dependencies"]:
        for vulnerability in dependency.get("vulns", []):
            ids = {vulnerability["id"], *vulnerability.get("aliases", [])}
            if not any((dependency["name"].lower(), id_) in allowed for id_ in ids):
                found.append(f"{dependency['name']} {dependency['version']} {vulnerability['id']}")
    return found


def unaccepted_code_findings(report: dict, accepted: list[dict]) -> list[str]:
    """'file:line test_id' for each high-severity bandit finding that is not accepted."""
    allowed = {(entry["file"], entry["test_id"]) for entry in accepted}
    return [
        f"{result['filename']}:{result['line_number']} {result['test_id']} {result['issue_text']}"
        for result in report["results"]
        if result["issue_severity"] == "HIGH" and (result["filename"], result["test_id"]) not in allowed
    ]


def test_code_has_no_unaccepted_high_severity_finding():
    result = subprocess.run(  # noqa: S603 (fixed command)
        [str(BIN / "bandit"), "-q", "-r", *SCANNED, "-f", "json"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    assert report["metrics"]["_totals"]["loc"] > 5000  # it did read the code
    assert unaccepted_code_findings(report, accepted_risks(dt.date.today()).get("code", [])) == []


def test_dependencies_have_no_unaccepted_known_vulnerability():
    result = subprocess.run(  # noqa: S603 (fixed command)
        [str(BIN / "pip-audit"), "--format", "json", "--progress-spinner", "off"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if not result.stdout.startswith("{"):
        pytest.skip(f"pip-audit could not reach its vulnerability service: {result.stderr.strip()[-300:]}")
    report = json.loads(result.stdout)
    audited = [dependency for dependency in report["dependencies"] if "skip_reason" not in dependency]
    if not audited:
        reasons = report["dependencies"][0]["skip_reason"] if report["dependencies"] else "no dependencies"
        pytest.skip(f"the vulnerability service knows none of the {len(report['dependencies'])} packages ({reasons})")
    assert unaccepted_vulnerabilities(report, accepted_risks(dt.date.today()).get("vulnerability", [])) == []


REPORT = {
    "dependencies": [
        {"name": "Django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "aliases": ["CVE-1"]}]},
        {"name": "whitenoise", "version": "6.12.0", "vulns": []},
    ]
}


def test_a_known_vulnerability_fails_unless_accepted():
    assert unaccepted_vulnerabilities(REPORT, []) == ["Django 5.2.0 PYSEC-1"]
    assert unaccepted_vulnerabilities(REPORT, [{"package": "django", "id": "CVE-1"}]) == []
    assert unaccepted_vulnerabilities(REPORT, [{"package": "whitenoise", "id": "PYSEC-1"}]) != []


def test_a_high_severity_finding_fails_unless_accepted():
    high = {"filename": "basewatch/x.py", "line_number": 3, "test_id": "B602", "issue_text": "shell"}
    high["issue_severity"] = "HIGH"
    low = {**high, "issue_severity": "LOW"}
    assert unaccepted_code_findings({"results": [high, low]}, []) == ["basewatch/x.py:3 B602 shell"]
    assert unaccepted_code_findings({"results": [high]}, [{"file": "basewatch/x.py", "test_id": "B602"}]) == []


def test_expired_acceptances_fail(tmp_path, monkeypatch):
    risks = tmp_path / "risks.toml"
    risks.write_text('[[code]]\ntest_id = "B602"\nfile = "x.py"\nreason = "r"\nexpires = 2026-01-31\n')
    monkeypatch.setattr(sys.modules[__name__], "ACCEPTED", risks)
    assert accepted_risks(dt.date(2026, 1, 31))["code"][0]["test_id"] == "B602"
    with pytest.raises(AssertionError, match="expired"):
        accepted_risks(dt.date(2026, 2, 1))


def test_template_comments_close_on_their_line():
    """Django's `{# … #}` comment is one line: one that runs on is sent to the browser as text
    (the map page showed its preload comment above the menu). Longer ones are {% comment %}."""
    running_on = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]
    assert running_on == []


def test_every_test_file_the_code_points_to_exists():
    """Comments say which test holds two copies of a rule together (SQL and Python, JS and
    core); a pointer to a test that was moved or renamed says nothing (one named
    tests/test_asset_names_sql.py for years)."""
    pointed = {
        (path.relative_to(ROOT), match)
        for folder in ("basewatch", "static", "templates", "bench", "scripts", "deploy")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file() and path.suffix in {".py", ".js", ".html", ".sh", ".conf", ".md"}
        for match in re.findall(r"tests/[\w/]+\.py", path.read_text(errors="replace"))
    }
    assert pointed, "no pointer found: the pattern no longer matches how the code names tests"
    assert [f"{path}: {test}" for path, test in sorted(pointed) if not (ROOT / test).is_file()] == []
