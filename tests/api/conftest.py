"""API tests talk HTTP to a live server (a real socket, the whole Django stack)."""

from __future__ import annotations

import pytest
import requests


class Api:
    """A tiny client for /api/v1/ on the live server; `token=` signs a request."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/") + "/api/v1/"
        self.session = requests.Session()

    def request(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Token {token}"
        return self.session.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)


@pytest.fixture
def api(live_server) -> Api:
    return Api(live_server.url)
