"""basewatch's production settings plus a view that fails (tests/failing_urls.py). Tests only."""

from basewatch.settings import *  # noqa: F403

ROOT_URLCONF = "tests.failing_urls"
