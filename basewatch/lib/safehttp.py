"""Outgoing HTTP requests that cannot be turned against basewatch's own network.

Webhooks (and the source archiver) send requests to URLs that people typed. A URL naming
127.0.0.1, a private network, a link-local or cloud-metadata address (169.254.169.254),
or a host name that resolves to one, would reach services only the server can see
(server-side request forgery). So the host is resolved once, every address it resolves
to is checked, and the connection goes to the checked address: resolving again to
connect could answer differently (DNS rebinding). TLS still verifies the certificate
against the host name. Redirects are never followed here; a caller that follows one
calls `request` again, and the next URL is checked again.

Hosts listed in `allowed_hosts` may resolve to any address: the tests' local receivers,
or an intranet partner the operator chose (settings.OUTGOING_ALLOWED_HOSTS).

Plain Python (http.client, socket), no Django, so that what it refuses is easy to see.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

SCHEMES = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2000


class Refused(Exception):
    """The request was not sent, or its answer not read to the end; `reason` is a short code for logs and counts."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with its query

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == SCHEMES[self.scheme] else f"{host}:{self.port}"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    address: str  # the address connected to
    seconds: float
    extra: dict = field(default_factory=dict)


def parse_url(url: str) -> Target:
    """The parts of an http(s) URL to connect to; Refused for anything else."""
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise Refused("bad-url", "Not a URL of at most 2,000 characters.")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise Refused("bad-url", "The URL holds spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused("bad-url", f"Not a valid URL ({error}).") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise Refused("bad-scheme", "Only http and https URLs are fetched.")
    if parts.username is not None or parts.password is not None:
        raise Refused("bad-url", "URLs with a user name or password are not fetched.")
    if not parts.hostname:
        raise Refused("bad-url", "The URL names no host.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, parts.hostname, port or SCHEMES[scheme], path)


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """An address on the public internet: not private, loopback, link-local (cloud metadata),
    shared (carrier NAT), reserved, multicast or unspecified. IPv4 inside IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


def _allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    return host.lower().rstrip(".") in {name.lower().rstrip(".") for name in allowed_hosts}


def resolve(target: Target, allowed_hosts: Iterable[str] = ()) -> str:
    """The one address to connect to for `target`: every address the host resolves to must be
    public (one private answer among public ones is how rebinding hides), unless the host is allowed."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused("dns", f"The host name {target.host!r} does not resolve ({error}).") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise Refused("dns", f"The host name {target.host!r} does not resolve.")
    if not _allowed(target.host, allowed_hosts):
        for address in addresses:
            if not is_public(address):
                raise Refused(
                    "private-address",
                    f"{target.host} resolves to {address}, which is not a public internet address.",
                )
    return str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS verified against the host name (SNI and certificate)."""

    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def request(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_bytes: int = 64 * 1024,
    allowed_hosts: Iterable[str] = (),
) -> Answer:
    """Send one request to a public address and read at most `max_bytes` of the answer within
    `timeout` seconds in all (connecting, sending, waiting, reading). Redirects are answers like
    any other (status 3xx, `Location` in the headers). Raises Refused with a reason code."""
    target = parse_url(url)
    address = resolve(target, allowed_hosts)
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, address, timeout)
    started = time.monotonic()
    # One deadline for the whole exchange: a server trickling a byte at a time never trips a
    # per-read timeout, so a timer closes the socket under the reader when time is up.
    expired = threading.Event()

    def expire():
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing to wake
                connection.sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    timer.start()
    try:
        connection.putrequest(method, target.path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", target.host_header)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        content = response.read(max_bytes + 1)
        if expired.is_set():
            raise TimeoutError
        truncated = len(content) > max_bytes
        return Answer(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=content[:max_bytes],
            address=address,
            seconds=time.monotonic() - started,
            extra={"truncated": truncated},
        )
    except TimeoutError:
        raise Refused("timeout", f"No complete answer within {timeout:g} seconds.") from None
    except ssl.SSLError as error:
        raise Refused("tls", f"The TLS connection to {target.host} failed ({error.reason or error}).") from None
    except OSError as error:
        if expired.is_set():
            raise Refused("timeout", f"No complete answer within {timeout:g} seconds.") from None
        raise Refused("connection", f"Could not reach {target.host} ({error.__class__.__name__}: {error}).") from None
    except http.client.HTTPException as error:
        if expired.is_set():
            raise Refused("timeout", f"No complete answer within {timeout:g} seconds.") from None
        raise Refused("bad-answer", f"{target.host} did not answer in HTTP ({error.__class__.__name__}).") from None
    finally:
        timer.cancel()
        connection.close()


@dataclass
class Hop:
    """One request of a redirect chain and what it answered."""

    url: str
    answer: Answer


REDIRECTS = {301, 302, 303, 307, 308}


def follow(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    max_redirects: int = 5,
    timeout: float = 10.0,
    max_bytes: int = 64 * 1024,
    allowed_hosts: Iterable[str] = (),
) -> list[Hop]:
    """GET `url`, following up to `max_redirects` redirects; every hop, the last one included.

    Each hop is a `request` of its own, so the URL a redirect names is parsed, resolved and
    checked like the first (a public page redirecting to 127.0.0.1 or 169.254.169.254 is refused
    there). `timeout` is for the whole chain. A body over `max_bytes` is Refused("too-large"),
    never kept cut short: an archive of half a page would pass for the page."""
    hops: list[Hop] = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Refused("timeout", f"No complete answer within {timeout:g} seconds.")
        answer = request("GET", url, headers=headers, timeout=left, max_bytes=max_bytes, allowed_hosts=allowed_hosts)
        if answer.extra.get("truncated"):
            raise Refused("too-large", f"{url} answered with more than {max_bytes:,} bytes.")
        hops.append(Hop(url, answer))
        location = answer.headers.get("location")
        if answer.status not in REDIRECTS or not location:
            return hops
        if len(hops) > max_redirects:
            raise Refused("too-many-redirects", f"More than {max_redirects} redirects from {hops[0].url}.")
        url = urljoin(url, location.strip())
