"""basewatch's settings plus the benchmark's comparison endpoints (bench/urls.py). Never deployed."""

from basewatch.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
