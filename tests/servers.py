"""Local HTTP servers for the outgoing-request tests (webhooks, archiving), and a run of the job queue's worker.

The servers listen on 127.0.0.1, which basewatch refuses to send to unless the settings
allow the host: tests that want a delivery to arrive, or a page archived, say so with
`allow_local` (tests/conftest.py, with the fixtures that start these servers).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from procrastinate.contrib.django import app


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver: answers every POST (and GET) with `status` and keeps what it got."""

    server: ThreadingHTTPServer | None = None
    status: int = 204
    answer: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/basewatch"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.received.append(Received(self.path, headers, self.rfile.read(length)))
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            do_GET = do_POST  # safehttp.follow's requests

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections (and is free for `start` to take again)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class Hanging:
    """Accepts connections and never answers (or answers a byte at a time with `drip`)."""

    def __init__(self, drip: bool = False):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.drip, self.open = drip, []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.open.append(connection)
            if self.drip:
                threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    @staticmethod
    def _trickle(connection):
        try:
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while True:
                connection.sendall(b"x")
                time.sleep(0.2)
        except OSError:
            return

    def close(self):
        self.socket.close()
        for connection in self.open:
            connection.close()


def run_jobs(queues: tuple[str, ...] = ("webhooks",)) -> None:
    """Run the queued jobs of `queues` that are due, as `manage.py procrastinate worker` does, then return.

    The worker reads the queue through a connection of its own, so only committed jobs are
    seen: the tests that call this are transactional. It runs in a thread of its own, with
    its own event loop: the browser tests' Playwright keeps one running in this thread.
    """

    failures = []

    def work():
        try:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(queues=list(queues), wait=False, install_signal_handlers=False, listen_notify=False)
        except BaseException as error:  # handed to the test's thread
            failures.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the worker did not finish the jobs due"
    if failures:
        raise failures[0]
