"""A pytest plugin for the ogctests suite (make ogctests, scripts/ogctests.py): each test's outcome,
with the abstract test its docstring names (`/ats/core/http`, `/conf/queryables/get-queryables`),
one JSON line per test in the file $OGCTESTS_REPORT. Runs inside .venv-ogctests."""

from __future__ import annotations

import json
import os

_abstract_tests: dict[str, str] = {}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        doc = (getattr(item, "function", None).__doc__ or "").strip()
        _abstract_tests[item.nodeid] = doc.split()[0] if doc else item.name


def pytest_runtest_logreport(report) -> None:
    # One line per test: the call's outcome, or the setup's when a fixture failed or skipped it.
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        crash = getattr(report.longrepr, "reprcrash", None)  # a failure: its exception's message
        if crash is not None:
            message = crash.message
        elif isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
            message = report.longrepr[2]
        else:
            message = str(report.longrepr or "")
        line = {
            "test": report.nodeid.split("::")[-1],
            "module": report.nodeid.split("::")[0].rsplit("/", 1)[-1],
            "abstract_test": _abstract_tests.get(report.nodeid, ""),
            "outcome": report.outcome,
            "message": message.strip().split("\n")[0][:300],
        }
        with open(os.environ["OGCTESTS_REPORT"], "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
