"""Writers released together on a live server: no lost update, no duplicate, history exact.

Each writer is a thread with its own HTTP session; a barrier releases them at once, and the
threaded live server gives each request its own database connection. Transactional for that:
each of those connections sees only committed rows, and the race is between real transactions.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from basewatch.core.models import Observation, ObservationEvent, Source
from basewatch.core.workflow import State
from tests.conftest import PROXY_HTTPS
from tests.editor.helpers import new_source, observation_data, version_in
from tests.factories import make_asset_type, make_observation, make_site, make_source, make_token, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def together(writers: int, write) -> list[requests.Response]:
    """Call write(i) from `writers` threads released at the same moment."""
    barrier = threading.Barrier(writers)

    def run(i: int):
        prepared = write(i)  # each writer's request, built before the barrier
        barrier.wait(timeout=60)
        return prepared()

    with ThreadPoolExecutor(writers) as pool:
        return list(pool.map(run, range(writers)))


def history_counts(observation) -> list:
    return [event.count for event in ObservationEvent.objects.filter(pgh_obj=observation).order_by("pgh_id")]


@pytest.fixture
def claim():
    site, jets = make_site(slug="khmeimim"), make_asset_type(slug="su-35")
    return make_observation(site, jets, dt.date(2024, 12, 13), count=2, state=State.DRAFT)


@pytest.mark.parametrize("writers", [2, 5, 10])
def test_api_editors_of_one_version_one_wins(live_server, claim, writers):
    tokens = [make_token("editor") for _ in range(writers)]
    url = f"{live_server.url}/api/v1/observations/{claim.pk}/"

    def write(i):
        body = {"count": 10 + i, "version": 1}
        return lambda: requests.patch(url, json=body, headers={"Authorization": f"Token {tokens[i]}"}, timeout=60)

    responses = together(writers, write)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [412] * (writers - 1), [r.text for r in responses]
    winner = next(response.json() for response in responses if response.status_code == 200)
    claim.refresh_from_db()
    assert (claim.count, claim.version) == (winner["count"], 2)
    assert history_counts(claim) == [2, winner["count"]]


def signed_in_session(live_server, role: str) -> requests.Session:
    client = Client()
    client.force_login(make_user(role))
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def csrf_of(session: requests.Session, html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("writers", [2, 5, 10])
def test_form_editors_of_one_version_one_wins(live_server, claim, writers):
    url = f"{live_server.url}/edit/observations/{claim.pk}/"
    sources = list(claim.sources.all())

    def write(i):
        session = signed_in_session(live_server, "editor")
        page = session.get(url, timeout=60).text
        data = observation_data(claim.site, claim.asset_type, sources, count=str(20 + i), action="save")
        data |= {"version": version_in(page), "csrfmiddlewaretoken": csrf_of(session, page)}
        return lambda: session.post(url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=60)

    responses = together(writers, write)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302] + [409] * (writers - 1), statuses
    claim.refresh_from_db()
    assert claim.version == 2 and 20 <= claim.count < 20 + writers
    assert history_counts(claim) == [2, claim.count]


def test_fifty_identical_api_creates_store_one_observation(production_server):
    """On gunicorn: the test server's listen queue is too short for fifty connections at once."""
    make_site(slug="khmeimim")
    make_asset_type(slug="su-35")
    source = make_source(url="https://news.example.org/khmeimim-su-35")
    tokens = [make_token("editor") for _ in range(50)]
    body = {"site": "khmeimim", "asset_type": "su-35", "observed": "2024-12-13", "count": 4, "source_ids": [source.pk]}

    def write(i):
        headers = {"Authorization": f"Token {tokens[i]}", **PROXY_HTTPS}
        url = f"{production_server.base}/api/v1/observations/"
        return lambda: requests.post(url, json=body, headers=headers, timeout=60)

    responses = together(50, write)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 49, statuses
    stored = Observation.objects.get()
    refusal = next(response.json() for response in responses if response.status_code == 409)
    assert refusal["duplicate_of"] == f"/api/v1/observations/{stored.pk}/" and "source_ids" in refusal
    assert list(stored.sources.all()) == [source]
    assert ObservationEvent.objects.count() == 1


def test_identical_form_creates_with_a_new_source_store_one_observation_and_one_source(live_server):
    site, jets = make_site(slug="khmeimim"), make_asset_type(slug="su-35")
    url = f"{live_server.url}/new/observation/"

    def write(i):
        session = signed_in_session(live_server, "editor")
        page = session.get(url, timeout=60).text
        data = observation_data(site, jets, [], action="save", **new_source(), **{"new_source-TOTAL_FORMS": "1"})
        data["csrfmiddlewaretoken"] = csrf_of(session, page)
        return lambda: session.post(url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=60)

    responses = together(10, write)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302] + [400] * 9, statuses
    assert Observation.objects.count() == 1 and Source.objects.count() == 1
    # Each refusal names what is already on file: the observation, or (a save that checked
    # the URL the instant the first one committed) its new source.
    for refused in (r for r in responses if r.status_code == 400):
        assert "already records" in refused.text or "already on file" in refused.text, refused.text
    assert User.objects.count() == 10
