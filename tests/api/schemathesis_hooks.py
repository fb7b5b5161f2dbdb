"""A check added to schemathesis's own, and a bound on what it sends (tests/api/test_schema.py loads
this module with SCHEMATHESIS_HOOKS)."""

from urllib.parse import urlencode

import schemathesis

# gunicorn refuses a request line longer than 4094 bytes itself (414, its own HTML page, as
# nginx would in front of it): such a URL never reaches basewatch, so it tests nothing of ours.
LONGEST_QUERY = 3000


@schemathesis.hook
def filter_query(ctx, query):
    """Only query strings that fit in a request line the server reads."""
    return query is None or len(urlencode(query, doseq=True)) <= LONGEST_QUERY


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
