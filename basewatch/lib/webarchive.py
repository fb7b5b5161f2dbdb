"""One archiving of one web page: a WARC of it and of what it loads, a WACZ packaging the WARC,
a full-page screenshot and the HTML as headless Chromium rendered it.

Every byte comes through basewatch.lib.safehttp, never through Chromium's own network stack:

- The page itself is fetched with `safehttp.follow`, so every redirect hop is resolved once,
  checked (no private, loopback, link-local or metadata address unless allowed) and recorded.
- Chromium is then pointed at the final URL with every request it makes intercepted
  (Playwright's `route`): the page from the first fetch, each image, script, style sheet or
  frame fetched by `safehttp.request` in turn, checked like the page, within the limits, and
  written to the WARC. Web sockets are closed, service workers blocked, and Chromium's own
  network is pointed at a proxy that does not exist with a resolver that resolves nothing,
  so a request that somehow escaped the interception fails instead of reaching the network.
- The page's scripts run in a fresh browser context without cookies, at the page's own
  origin: never at basewatch's, whose cookies the archiver's browser never holds.

No Django here: core.archiving stores what this makes and says when to try again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from basewatch.lib import safehttp
from basewatch.lib.safehttp import Refused

# The main document may be a web page, a PDF or an image; anything else (a download, an
# executable, a feed) is refused before Chromium sees it.
DOCUMENT_TYPES = ("text/html", "application/xhtml+xml", "application/pdf", "image/")
# Headers that describe the connection, not the content: the body kept is already de-chunked.
HOP_HEADERS = {"transfer-encoding", "connection", "keep-alive", "content-length"}
# Chromium's escape hatches closed: a proxy nobody listens on, names that never resolve, no
# QUIC, and WebRTC made to go through the (dead) proxy instead of sending UDP to an address
# a script names.
NO_NETWORK_FLAGS = [
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-quic",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
]


@dataclass(frozen=True)
class Limits:
    max_redirects: int = 5
    response_bytes: int = 20 * 1024 * 1024  # any one answer
    total_bytes: int = 50 * 1024 * 1024  # everything the page loads, itself included
    seconds: float = 60.0  # the whole capture: fetch, render, screenshot
    resources: int = 300  # requests the page may make besides itself


@dataclass
class Result:
    url: str
    final_url: str
    status: int
    fetched_at: dt.datetime
    seconds: float
    warc: Path
    wacz: Path
    screenshot: Path | None
    html: Path | None
    resources: int = 0
    bytes: int = 0
    # Requests the page made that were not fetched: (url, reason code).
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _content_type(answer: safehttp.Answer) -> str:
    return answer.headers.get("content-type", "").split(";")[0].strip().lower()


class _Recorder:
    """Writes request/response pairs into a gzipped WARC (ISO 28500, WARC/1.1)."""

    def __init__(self, path: Path, user_agent: str):
        self.file = path.open("wb")
        self.writer = WARCWriter(self.file, gzip=True, warc_version="WARC/1.1")
        info = self.writer.create_warcinfo_record(
            path.name, {"software": "basewatch (warcio)", "http-header-user-agent": user_agent, "format": "WARC/1.1"}
        )
        self.writer.write_record(info)

    def exchange(self, url: str, headers: dict[str, str], answer: safehttp.Answer) -> None:
        target = safehttp.parse_url(url)
        request_headers = StatusAndHeaders(
            f"GET {target.path} HTTP/1.1", [("Host", target.host_header), *headers.items()], is_http_request=True
        )
        request = self.writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request_headers)
        kept = [(name, value) for name, value in answer.headers.items() if name not in HOP_HEADERS]
        kept.append(("content-length", str(len(answer.body))))
        response_headers = StatusAndHeaders(f"{answer.status} {_reason(answer.status)}", kept, protocol="HTTP/1.1")
        response = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(answer.body),
            length=len(answer.body),
            http_headers=response_headers,
            warc_headers_dict={"WARC-IP-Address": answer.address},
        )
        self.writer.write_request_response_pair(request, response)

    def close(self) -> None:
        self.file.close()


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def capture(
    url: str,
    workdir: Path,
    *,
    user_agent: str,
    allowed_hosts: tuple[str, ...] | list[str] = (),
    limits: Limits | None = None,
    chromium: str = "/usr/bin/chromium",
    chromium_flags: tuple[str, ...] | list[str] = (),
) -> Result:
    """Archive `url` into files in `workdir`; Refused (with a reason code) when it may not or cannot be."""
    limits = limits or Limits()
    started = time.monotonic()
    deadline = started + limits.seconds
    fetched_at = dt.datetime.now(dt.UTC)
    headers = {"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml,application/pdf,image/*;q=0.9"}
    hops = safehttp.follow(
        url,
        headers=headers,
        max_redirects=limits.max_redirects,
        timeout=limits.seconds,
        max_bytes=min(limits.response_bytes, limits.total_bytes),
        allowed_hosts=allowed_hosts,
    )
    final = hops[-1]
    status = final.answer.status
    if status == 429 or status >= 500:
        raise Refused("server-error", f"{final.url} answered HTTP {status}.")
    if status >= 400 or not 200 <= status < 300:
        raise Refused("http-status", f"{final.url} answered HTTP {status}.")
    kind = _content_type(final.answer)
    if not kind.startswith(DOCUMENT_TYPES):
        raise Refused("content-type", f"{final.url} is {kind or 'of no stated type'}, not a web page, PDF or image.")

    warc_path = workdir / "capture.warc.gz"
    recorder = _Recorder(warc_path, user_agent)
    try:
        for hop in hops:
            recorder.exchange(hop.url, headers, hop.answer)
        result = Result(
            url=url,
            final_url=final.url,
            status=status,
            fetched_at=fetched_at,
            seconds=0.0,
            warc=warc_path,
            wacz=workdir / "capture.wacz",
            screenshot=workdir / "screenshot.png",
            html=workdir / "rendered.html",
            bytes=sum(len(hop.answer.body) for hop in hops),
        )
        if kind == "application/pdf":
            # Headless Chromium has no PDF viewer (it would download it): the WARC holds the
            # document itself, and there is no page to screenshot.
            result.screenshot = result.html = None
        else:
            _render(result, final, recorder, headers, allowed_hosts, limits, deadline, chromium, chromium_flags)
    finally:
        recorder.close()
    _package(result, title=final.url)
    result.seconds = time.monotonic() - started
    return result


def _render(result, final, recorder, headers, allowed_hosts, limits, deadline, chromium, chromium_flags) -> None:
    """Render the page in Chromium, every request fed through safehttp; screenshot and HTML into `result`.

    In a thread of its own: Playwright's synchronous API refuses to run where an event loop is
    running, as in the job queue's worker."""
    failures: list[BaseException] = []

    def run():
        try:
            _render_here(result, final, recorder, headers, allowed_hosts, limits, deadline, chromium, chromium_flags)
        except BaseException as error:  # handed back to the caller's thread
            failures.append(error)

    thread = threading.Thread(target=run, name="archive-render")
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def _render_here(result, final, recorder, headers, allowed_hosts, limits, deadline, chromium, chromium_flags) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    served_main = False

    def left() -> float:
        return deadline - time.monotonic()

    def handle(route):
        try:
            fetch(route)
        except Exception as error:  # a request we cannot serve is not archived; the page goes on
            result.skipped.append((route.request.url[:300], f"error: {error.__class__.__name__}"[:40]))
            with contextlib.suppress(PlaywrightError):
                route.abort("failed")

    def fetch(route):
        nonlocal served_main
        request = route.request
        if not served_main and request.is_navigation_request() and request.frame.parent_frame is None:
            # The page itself, already fetched and recorded (Chromium may spell its URL
            # differently, with a trailing slash, so the first top-level navigation is it).
            served_main = True
            _fulfil(route, final.answer)
            return
        reason = None
        if request.method not in ("GET", "HEAD"):
            reason = "method"  # an archive records what a reader sees, it posts nothing
        elif result.resources >= limits.resources:
            reason = "too-many-requests"
        elif result.bytes >= limits.total_bytes:
            reason = "too-large"
        elif left() <= 1:
            reason = "timeout"
        if reason is None:
            asked = {"User-Agent": headers["User-Agent"], "Accept": request.headers.get("accept", "*/*")}
            try:
                answer = safehttp.request(
                    "GET",
                    request.url,
                    headers=asked,
                    timeout=min(left(), 20.0),
                    max_bytes=min(limits.response_bytes, limits.total_bytes - result.bytes),
                    allowed_hosts=allowed_hosts,
                )
            except Refused as refused:
                reason = refused.reason
            else:
                if answer.extra.get("truncated"):
                    reason = "too-large"
                else:
                    result.resources += 1
                    result.bytes += len(answer.body)
                    recorder.exchange(request.url, asked, answer)
                    _fulfil(route, answer)
                    return
        result.skipped.append((request.url[:300], reason))
        route.abort("blockedbyclient")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=[*chromium_flags, *NO_NETWORK_FLAGS], headless=True
        )
        try:
            context = browser.new_context(
                user_agent=headers["User-Agent"],
                service_workers="block",
                accept_downloads=False,
                viewport={"width": 1280, "height": 800},
            )
            context.route("**/*", handle)
            context.route_web_socket("**/*", lambda socket: socket.close())
            page = context.new_page()
            try:
                page.goto(final.url, wait_until="load", timeout=max(left() - 5, 1) * 1000)
            except PlaywrightError as error:
                if "Timeout" not in str(error):
                    raise Refused("render", f"Chromium could not render the page ({str(error)[:200]}).") from None
                # A page still loading at the deadline is archived as far as it got.
            with contextlib.suppress(PlaywrightError):  # a page that keeps polling is archived as it is now
                page.wait_for_load_state("networkidle", timeout=max(min(left() - 5, 5), 0.1) * 1000)
            if left() <= 0:
                raise Refused("timeout", "The page did not render within the time allowed.")
            page.screenshot(path=str(result.screenshot), full_page=True, timeout=max(left(), 1) * 1000)
            result.html.write_text(page.content(), encoding="utf-8")
            context.close()
        finally:
            browser.close()


def _fulfil(route, answer: safehttp.Answer) -> None:
    headers = {name: value for name, value in answer.headers.items() if name not in HOP_HEADERS}
    route.fulfill(status=answer.status, headers=headers, body=answer.body)


def _package(result: Result, title: str) -> None:
    """The WARC as a WACZ (the `wacz` package's own command, so the package is what it makes)."""
    pages = result.warc.parent / "pages.jsonl"
    page = {"id": "main", "url": result.final_url, "ts": result.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    pages.write_text(
        json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Pages"}) + "\n" + json.dumps(page) + "\n"
    )
    command = [sys.executable, "-m", "wacz", "create", "-o", str(result.wacz), "-p", str(pages)]
    command += ["--url", result.final_url, "--title", title[:200], str(result.warc)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603 (our own arguments)
    if done.returncode != 0 or not result.wacz.exists():
        raise Refused("package", f"The WACZ could not be made: {done.stderr.strip()[-300:]}")
