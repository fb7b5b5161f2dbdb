"""schemathesis hooks for the OGC API's run (tests/ogc/test_ogc_schema.py loads this module with
SCHEMATHESIS_HOOKS): the REST run's bound on query strings, HTML pages read as text, and a check
that errors come in the encoding asked for."""

import schemathesis

from tests.api.schemathesis_query import filter_query  # noqa: F401 (registers the hook)


@schemathesis.deserializer("text/html")
def page_text(ctx, response):
    """A page is a string (what the OpenAPI document says of text/html): so the stateful phase can
    tell a page from a FeatureCollection it could take a featureId from."""
    return response.text


@schemathesis.check
def ogc_errors_in_the_asked_encoding(ctx, response, case):
    """A 4xx is the OGC exception, {"code", "description"} in JSON; a page when `f=html` asked for one."""
    if not 400 <= response.status_code < 500:
        return
    headers = {name.lower(): value for name, value in response.headers.items()}
    content_type = headers.get("content-type", "")
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if (case.query or {}).get("f") == "html":
        if not content_type.startswith("text/html"):
            raise AssertionError(f"A {response.status_code} for f=html answered with {content_type or 'nothing'}")
        return
    if not content_type.startswith("application/json"):
        raise AssertionError(f"A {response.status_code} answered with {content_type or 'no content type'}")
    body = response.json()
    if not (isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("description"), str)):
        raise AssertionError(f"A {response.status_code} answered without the OGC exception: {body!r}")
