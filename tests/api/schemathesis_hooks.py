"""A check added to schemathesis's own (tests/api/test_schema.py loads it with SCHEMATHESIS_HOOKS)."""

import schemathesis


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
