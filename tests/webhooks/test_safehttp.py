"""Outgoing requests (basewatch.lib.safehttp): what they refuse to reach, and their limits.

Against local servers (tests/servers.py), which are refused like any private
address unless the test allows their host. No database.
"""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest

from basewatch.lib import safehttp


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",  # noqa: S104
     "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::1"],
)  # fmt: skip
def test_private_loopback_link_local_and_metadata_addresses_are_not_public(address):
    assert not safehttp.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_internet_addresses_are_public(address):
    assert safehttp.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "2130706433", "0x7f.1", "[::ffff:127.0.0.1]", "127.0.0.1.", "0"],
)
def test_every_spelling_of_this_machine_is_refused(receiver, host):
    with pytest.raises(safehttp.Refused) as refused:
        safehttp.request("POST", f"http://{host}:{receiver.port}/", body=b"{}", timeout=2)
    assert refused.value.reason in ("private-address", "dns")
    assert receiver.received == []


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://169.254.169.254/latest/meta-data/", "private-address"),
        ("http://10.0.0.1/", "private-address"),
        ("ftp://example.org/", "bad-scheme"),
        ("file:///etc/passwd", "bad-scheme"),
        ("gopher://127.0.0.1:6379/_INFO", "bad-scheme"),
        ("http://user:secret@example.org/", "bad-url"),
        ("http:///nohost", "bad-url"),
        ("http://example.org:99999/", "bad-url"),
        ("http://exa mple.org/", "bad-url"),
        ("http://example.org/\r\nX-Injected: 1", "bad-url"),
        ("https://" + "a" * 2100 + ".org/", "bad-url"),
    ],
)
def test_urls_that_are_not_public_http_are_refused_with_a_reason(url, reason):
    with pytest.raises(safehttp.Refused) as refused:
        safehttp.request("POST", url, timeout=2)
    assert refused.value.reason == reason


def test_an_allowed_host_is_reached(receiver):
    answer = safehttp.request("POST", receiver.url, body=b'{"a":1}', allowed_hosts=["127.0.0.1"])
    assert answer.status == 204
    assert receiver.received[0].body == b'{"a":1}'
    assert receiver.received[0].path == "/hooks/basewatch"


@pytest.fixture
def rebinding(monkeypatch):
    """A name whose resolver answers differently each time it is asked (DNS rebinding)."""
    answers = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "receiver.test":
            return real(host, port, *args, **kwargs)
        answers.append(host)
        address = "127.0.0.1" if len(answers) == 1 else "10.9.9.9"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_the_connection_goes_to_the_address_checked_not_to_a_second_lookup(receiver, rebinding):
    answer = safehttp.request(
        "POST", f"http://receiver.test:{receiver.port}/x", body=b"{}", allowed_hosts=["receiver.test"]
    )
    assert answer.status == 204
    assert answer.address == "127.0.0.1"
    assert rebinding == ["receiver.test"]  # resolved once
    assert receiver.received[0].headers["host"] == f"receiver.test:{receiver.port}"


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(safehttp.Refused) as refused:
        safehttp.request("POST", "https://rebind.example.org/", timeout=2)
    assert refused.value.reason == "private-address"
    assert "127.0.0.1" in refused.value.message


def test_a_redirect_is_an_answer_not_followed(receiver):
    receiver.status, receiver.headers = 302, {"Location": "http://169.254.169.254/latest/meta-data/"}
    answer = safehttp.request("POST", receiver.url, allowed_hosts=["127.0.0.1"])
    assert answer.status == 302
    assert answer.headers["location"] == "http://169.254.169.254/latest/meta-data/"
    assert len(receiver.received) == 1


def test_a_large_answer_is_read_only_up_to_the_limit(receiver):
    receiver.status, receiver.answer = 200, b"x" * 1_000_000
    answer = safehttp.request("POST", receiver.url, max_bytes=1000, allowed_hosts=["127.0.0.1"])
    assert len(answer.body) == 1000
    assert answer.extra["truncated"]


@pytest.mark.parametrize("drip", [False, True], ids=["silent", "one-byte-at-a-time"])
def test_a_server_that_hangs_or_trickles_is_given_up_on_at_the_deadline(hanging, drip):
    server = hanging(drip=drip)
    started = time.monotonic()
    with pytest.raises(safehttp.Refused) as refused:
        safehttp.request("POST", f"http://127.0.0.1:{server.port}/", timeout=1, allowed_hosts=["127.0.0.1"])
    assert refused.value.reason == "timeout"
    # The deadline is for the whole exchange: a trickle never trips a per-read timeout.
    assert time.monotonic() - started < 5


def test_a_closed_port_is_a_connection_failure():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    with pytest.raises(safehttp.Refused) as refused:
        safehttp.request("POST", f"http://127.0.0.1:{port}/", timeout=2, allowed_hosts=["127.0.0.1"])
    assert refused.value.reason == "connection"


def test_follow_rechecks_every_redirect_hop(receiver):
    """An allowed host redirecting to the cloud-metadata address: the hop is refused, not fetched."""
    receiver.status, receiver.headers = 302, {"Location": "http://169.254.169.254/latest/meta-data/"}
    with pytest.raises(safehttp.Refused) as refused:
        safehttp.follow(receiver.url.replace("/hooks", "/page"), timeout=2, allowed_hosts=["127.0.0.1"])
    assert refused.value.reason == "private-address"
    assert "169.254.169.254" in refused.value.message


def test_follow_stops_after_the_redirect_limit(receiver):
    receiver.status, receiver.headers = 302, {"Location": "/again"}
    with pytest.raises(safehttp.Refused) as refused:
        safehttp.follow(receiver.url, max_redirects=3, timeout=5, allowed_hosts=["127.0.0.1"])
    assert refused.value.reason == "too-many-redirects"
    assert len(receiver.received) == 4  # the first request and three redirects


def test_follow_refuses_a_body_over_the_limit_rather_than_keep_part_of_it(receiver):
    receiver.status, receiver.answer = 200, b"x" * 100_000
    with pytest.raises(safehttp.Refused) as refused:
        safehttp.follow(receiver.url, max_bytes=1000, timeout=5, allowed_hosts=["127.0.0.1"])
    assert refused.value.reason == "too-large"
