"""The OGC API's own OpenAPI document (/ogc/api) under schemathesis, as the REST API's is (tests/api/
test_schema.py): every operation fuzzed against gunicorn with production settings."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from basewatch.ogc.api import DATETIME_PATTERN
from tests.api.test_schema import CHECKS, MAX_EXAMPLES, ROOT, SCHEMATHESIS, requests_sent
from tests.factories import make_token

# The REST run's checks, and two more:
# - negative_data_rejection: a value the document rules out (a limit of 0, a bbox of three
#   numbers, an unknown `f`, a malformed `datetime`) is a 4xx. (The REST run leaves it out for its
#   empty filters; here the document lists the empty value where it means "no filter".)
# - ogc_errors_in_the_asked_encoding (tests/ogc/schemathesis_hooks.py).
# positive_data_acceptance stays out, as there: a slug or a day that fits its pattern may still
# name nothing (an unknown site filter, 31 February, an interval ending before it starts): a 400.
OGC_CHECKS = [*CHECKS, "negative_data_rejection", "ogc_errors_in_the_asked_encoding"]


def run_schemathesis(base_url: str, report: Path, *headers: str) -> subprocess.CompletedProcess:
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "run",
        f"{base_url}/ogc/api",
        # The document's server URL says https (the server is behind a TLS proxy): the requests
        # go to the server itself, saying they came through the proxy.
        "--url",
        f"{base_url}/ogc",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--checks",
        ",".join(OGC_CHECKS),
        # One worker: with two threads, Hypothesis describing the filters behind the datetime pattern
        # parses source concurrently, and CPython 3.11's ast.parse is not safe for that (runs here
        # failed with "AST constructor recursion depth mismatch", a runtime error of the tool).
        "--workers",
        "1",
        "--seed",
        "20241213",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--header",
        "X-Forwarded-Proto: https",
    ]
    for header in headers:
        command += ["--header", header]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.ogc.schemathesis_hooks"}
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, cwd=ROOT, env=env)  # noqa: S603


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [None, "viewer"])
def test_schemathesis_finds_no_server_error_or_contract_break_in_the_ogc_api(production_server, demo, role, tmp_path):
    """Anonymous, and with a viewer's token (drafts too). Transactional: gunicorn's workers read the
    demo data and the token only once committed."""
    headers = [f"Authorization: Token {make_token(role)}"] if role else []
    report = tmp_path / "events.ndjson"
    result = run_schemathesis(production_server.base, report, *headers)
    # From the failures or errors on: what went wrong, then the summary.
    found = [result.stdout.find(heading) for heading in ("= FAILURES =", "= ERRORS =", "SUMMARY")]
    report_start = min([at for at in found if at >= 0], default=max(len(result.stdout) - 5000, 0))
    assert result.returncode == 0, result.stdout[report_start:][-8000:] + result.stderr[-2000:]
    sent = requests_sent(report)
    print(f"schemathesis on /ogc/ as {role or 'anonymous'}: {sent} requests")  # shown with -s
    assert sent >= 1000, result.stdout[-3000:]
    # The stateful phase went from pages to their features by the document's links. Not every run
    # follows all three: a run whose generated filters happen to leave a collection's first pages
    # empty has no feature id to follow there (seen once in a full suite, not reproduced alone).
    links = re.search(r"API Links:\s+(\d+) covered / 3 selected", result.stdout)
    assert links and int(links[1]) >= 1, result.stdout[-3000:]


@pytest.mark.parametrize(
    ("datetime", "documented"),
    [
        ("2024-12-01", True),
        ("2024-12-01T10:00:00Z", True),
        ("2024-12-01T10:00:00.25+02:00", True),
        ("2024-12-01/..", True),
        ("../2024-12-01", True),
        ("/2024-12-01", True),
        ("2024-12-01/2024-12-31T23:59:59-01:00", True),
        ("2024-12-01T10:00:00", False),  # no offset
        ("..", False),
        ("../..", False),
        ("2024-13-01", False),
        ("", False),
        ("2024-12-01/2024-12-02/2024-12-03", False),
    ],
)
def test_the_documented_datetime_pattern_matches_what_the_items_take(client, db, datetime, documented):
    """The pattern schemathesis generates `datetime` from, against the server: what it admits is
    accepted (given a real day and order), and what it rules out is refused."""
    assert bool(re.match(DATETIME_PATTERN, datetime)) is documented
    response = client.get("/ogc/collections/observations/items", {"datetime": datetime})
    assert response.status_code == (200 if documented else 400), response.content


# What schemathesis found, kept in-process (each failed before its fix).


def test_an_unsafe_method_is_405_not_a_csrf_403(db):
    client = Client(enforce_csrf_checks=True)  # as any HTTP client: no CSRF token
    for method in ("post", "put", "delete"):
        response = getattr(client, method)("/ogc/collections/sites/items")
        assert response.status_code == 405, method
        assert response.json()["code"] == "MethodNotAllowed"


def test_a_nul_character_is_the_ogc_exception_naming_the_parameter(client, db):
    response = client.get("/ogc/collections/sites/items?kind=a%00b")
    assert response.status_code == 400
    assert response.json() == {
        "code": "InvalidParameterValue",
        "description": "kind: Text may not contain NUL characters.",
        "parameter": "kind",
    }
    # The request is refused before any view: a page asked for gets the site's plain refusal.
    page = client.get("/ogc/collections/sites/items?f=html&kind=a%00b")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/ogc/collections/sites/items/a%08b", "/ogc/collections/sites/other", "/ogc/x"])
def test_a_path_no_route_takes_is_an_ogc_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_an_empty_property_filter_is_documented_as_no_filter(client, db):
    document = client.get("/ogc/api").json()
    parameters = {p["name"]: p for p in document["paths"]["/collections/sites/items"]["get"]["parameters"]}
    assert parameters["kind"]["schema"]["enum"][0] == ""
    assert client.get("/ogc/collections/sites/items", {"kind": ""}).status_code == 200
    # The queryables themselves list the real values only.
    queryables = client.get("/ogc/collections/sites/queryables").json()
    assert "" not in queryables["properties"]["kind"]["enum"]
