"""Guessing is throttled across gunicorn workers: failures are counted in the database.

On gunicorn and transactional: what is tested is that separate worker processes share the
count, and they see only committed rows (the user, the token, each other's failures).
"""

from __future__ import annotations

import re

import pytest
import requests

from tests.conftest import PROXY_HTTPS
from tests.factories import make_token, make_user

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 200


def test_failed_logins_are_throttled_for_every_worker(production_server):
    make_user("editor", username="target")
    form = requests.get(production_server.base + "/accounts/login/", headers=PROXY_HTTPS, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    statuses = []
    for attempt in range(ATTEMPTS):
        response = requests.post(
            production_server.base + "/accounts/login/",
            data={"username": "target", "password": f"guess-{attempt}", "csrfmiddlewaretoken": token},
            cookies={"csrftoken": form.cookies["csrftoken"]},
            headers={**PROXY_HTTPS, "Referer": f"https://127.0.0.1:{production_server.port}/accounts/login/"},
            timeout=30,
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429] * (ATTEMPTS - 5)


def test_bad_tokens_are_throttled_for_every_worker(production_server):
    good = make_token("editor")
    statuses = [
        requests.get(
            production_server.base + "/api/v1/sites/",
            headers={**PROXY_HTTPS, "Authorization": f"Token guess-{attempt}"},
            timeout=30,
        ).status_code
        for attempt in range(ATTEMPTS)
    ]
    assert statuses == [401] * 5 + [429] * (ATTEMPTS - 5)
    blocked = requests.get(
        production_server.base + "/api/v1/sites/", headers={**PROXY_HTTPS, "Authorization": f"Token {good}"}, timeout=30
    )
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    anonymous = requests.get(production_server.base + "/api/v1/sites/", headers=PROXY_HTTPS, timeout=30)
    assert anonymous.status_code == 200  # reading without a token is not guessing
