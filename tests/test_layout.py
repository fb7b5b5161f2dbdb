"""The architecture stays easy to see: core states the rules, the faces only translate.

The faces are the pages (front), the REST API (api), the OGC API (ogc) and the webhooks
(webhooks, which send claims as the API shows them). No module in front imports from api
or the reverse, core imports none of them, and no face imports the pages or the webhooks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "basewatch"
FORBIDDEN = {
    "core": ("basewatch.front", "basewatch.api", "basewatch.ogc", "basewatch.webhooks"),
    "front": ("basewatch.api", "basewatch.webhooks"),
    "api": ("basewatch.front", "basewatch.webhooks"),
    "ogc": ("basewatch.front", "basewatch.webhooks"),
    "webhooks": ("basewatch.front", "basewatch.ogc"),
}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_only_what_it_may(app):
    modules = sorted((PACKAGE / app).rglob("*.py"))
    assert modules, f"no modules found under basewatch/{app}"
    wrong = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in modules
        for name in imported_modules(path)
        if name.startswith(FORBIDDEN[app])
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_an_import_it_forbids(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("from basewatch.api.serializers import SiteSerializer\nimport basewatch.front.views\n")
    assert imported_modules(planted) == {"basewatch.api.serializers", "basewatch.front.views"}
