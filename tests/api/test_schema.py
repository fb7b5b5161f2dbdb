"""The OpenAPI contract: it validates, and the API keeps it under generated requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.factories import make_token

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")  # examples per operation and phase
MAX_EXAMPLES = tomllib.loads(CONFIG.read_text())["generation"]["max-examples"]

# Excluded on purpose: positive_data_acceptance flags an unknown slug or id that
# matches its schema but names nothing (the API answers 400 naming it, as it
# must); negative_data_rejection flags empty parameters, which mean "no filter".
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "unsupported_method",
    "missing_required_header",
]


def test_schema_validates_and_documents_every_endpoint():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    schema = yaml.safe_load(result.stdout)
    paths = schema["paths"]
    for path in ["/api/v1/sites/", "/api/v1/sites/{slug}/timeseries/", "/api/v1/observations/{id}/"]:
        assert path in paths
    patch = paths["/api/v1/observations/{id}/"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "412", "428"} <= set(patch)
    parameters = {p["name"] for p in paths["/api/v1/sites/"]["get"]["parameters"]}
    # Every ISO code, in parameters and bodies alike (the schemathesis runs send representatives).
    movements = paths["/api/v1/movements/"]["get"]["parameters"]
    countries = [p["schema"]["enum"] for p in movements if p["name"] == "operator"]
    body = schema["components"]["schemas"]["SiteDetailRequest"]["properties"]["properties"]["properties"]
    assert len(countries[0]) == 249 and set(body["host_country"]["enum"]) == set(countries[0])
    assert {"as_of", "operator", "host_country", "kind", "asset_type", "category", "q", "bbox", "format"} <= parameters
    assets = [p["name"] for p in paths["/api/v1/assets/"]["get"]["parameters"]]
    assert {"asset_type", "category", "operator", "seen_from", "seen_to", "q", "format"} <= set(assets)
    assert len(assets) == len(set(assets))  # each parameter once
    track = paths["/api/v1/assets/{key}/track/"]["get"]
    [track_format] = [p for p in track["parameters"] if p["name"] == "format"]
    assert set(track_format["schema"]["enum"]) == {"json", "gpx", "kml", "csv"}
    assert {"application/json", "application/gpx+xml", "application/vnd.google-earth.kml+xml", "text/csv"} == set(
        track["responses"]["200"]["content"]
    )
    feature = schema["components"]["schemas"]["TrackFeature"]["oneOf"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in feature} == {"SightingFeature", "MovementFeature"}


@pytest.mark.django_db
def test_docs_page_works_offline(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in page
    assert "http://" not in page and "https://" not in page


def run_schemathesis(base_url: str, report: Path, *headers: str) -> subprocess.CompletedProcess:
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/api/v1/schema/",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--checks",
        ",".join([*CHECKS, "client_errors_are_json"]),
        "--workers",
        "2",
        "--seed",
        "20241213",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--header",
        "X-Forwarded-Proto: https",  # the server is set up behind a TLS proxy
    ]
    for header in headers:
        command += ["--header", header]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks"}
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, cwd=ROOT, env=env)  # noqa: S603


def requests_sent(report: Path) -> int:
    """How many requests the run sent: the interactions recorded in its NDJSON event log."""
    events = (json.loads(line) for line in report.read_text().splitlines())
    finished = (event["ScenarioFinished"] for event in events if "ScenarioFinished" in event)
    return sum(len(scenario.get("recorder", {}).get("interactions", {})) for scenario in finished)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [None, "editor"])
def test_schemathesis_finds_no_server_error_or_contract_break(production_server, demo, role, tmp_path):
    """Against gunicorn with production settings, as anonymous and as an editor's token.

    Transactional: gunicorn's workers read the demo data and the token only once committed."""
    headers = [f"Authorization: Token {make_token(role)}"] if role else []
    report = tmp_path / "events.ndjson"
    result = run_schemathesis(production_server.base, report, *headers)
    summary = result.stdout[result.stdout.find("SUMMARY") :]
    assert result.returncode == 0, summary or result.stdout[-5000:] + result.stderr[-2000:]
    sent = requests_sent(report)
    print(f"schemathesis as {role or 'anonymous'}: {sent} requests")  # shown with -s
    assert sent >= 1000, result.stdout[-3000:]
    assert "Stateful" in result.stdout, result.stdout[-3000:]
