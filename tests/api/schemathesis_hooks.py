"""A check added to schemathesis's own, and bounds on what it sends (tests/api/test_schema.py loads
this module with SCHEMATHESIS_HOOKS; the OGC run shares only the query bound, which is why it
lives in tests/api/schemathesis_query.py)."""

import schemathesis

from basewatch.core import demo
from tests.api.schemathesis_query import filter_query  # noqa: F401 (registers the hook)

# The coverage phase sends every value of an enum once. For the 249 ISO country codes that is
# about 2,700 requests per run (operator and host_country on the lists, the sites' bodies), some
# 45% of the phase and most of its time, and each code goes the same way through the server (one
# ChoiceField). What a request may say stays the document's (tests/api/test_schema.py checks that
# it lists every code, and tests/api/test_query_strings.py that the server takes each); the run
# sends the codes the demo data holds (so filters match rows and answers are not all empty), the
# first and the last. Responses are still checked against the full list: only request parameters
# and request bodies (drf-spectacular's `...Request` components) are narrowed.
DEMO_COUNTRIES = {code for site in demo.SITES for code in (site["operator"], site["host_country"])}
LARGE_ENUM = 100


def _representative(values: list) -> list:
    kept = [value for value in values if value in DEMO_COUNTRIES or value in (values[0], values[-1])]
    return kept if len(kept) >= 3 else values


def _narrow_enums(node) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list) and len(node["enum"]) > LARGE_ENUM:
            node["enum"] = _representative(node["enum"])
        for value in node.values():
            _narrow_enums(value)
    elif isinstance(node, list):
        for value in node:
            _narrow_enums(value)


@schemathesis.hook
def before_load_schema(ctx, raw_schema):
    """The country codes a request may carry, narrowed to representatives (see above)."""
    for methods in raw_schema.get("paths", {}).values():
        for operation in methods.values():
            if isinstance(operation, dict):
                _narrow_enums(operation.get("parameters", []))
    for name, component in raw_schema.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _narrow_enums(component)


@schemathesis.check
def client_errors_are_json(ctx, response, case):
    """Every 4xx says what was wrong in a JSON object, never an HTML page or an empty body."""
    if not 400 <= response.status_code < 500:
        return
    headers = {name.lower(): value for name, value in response.headers.items()}
    content_type = headers.get("content-type", "")
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if not content_type.startswith("application/json"):
        raise AssertionError(f"A {response.status_code} answered with {content_type or 'no content type'}")
    body = response.json()
    if not isinstance(body, dict) or not body:
        raise AssertionError(f"A {response.status_code} answered without an error message: {body!r}")
