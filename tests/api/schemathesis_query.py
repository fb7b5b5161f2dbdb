"""The bound on query strings both schemathesis runs share (tests/api/schemathesis_hooks.py and
tests/ogc/schemathesis_hooks.py import it, which registers the hook)."""

from urllib.parse import urlencode

import schemathesis

# gunicorn refuses a request line longer than 4094 bytes itself (414, its own HTML page, as
# nginx would in front of it): such a URL never reaches basewatch, so it tests nothing of ours.
LONGEST_QUERY = 3000


@schemathesis.hook
def filter_query(ctx, query):
    """Only query strings that fit in a request line the server reads."""
    return query is None or len(urlencode(query, doseq=True)) <= LONGEST_QUERY
