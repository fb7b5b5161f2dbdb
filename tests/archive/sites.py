"""A small web site to archive, on a local port: a page with an image and a script behind a redirect chain.

Its paths:
  /start -> 302 /middle -> 301 /page   the redirect chain to the page
  /page                                 HTML loading /pixel.png and /app.js (which adds a paragraph),
                                        and an "image" at the cloud-metadata address
  /to-loopback, /to-metadata            redirects to 127.0.0.1 and 169.254.169.254
  /huge                                 a body over any limit the tests set
  /file.zip                             a download, not a page
  /report.pdf                           a PDF (archived without rendering)
  /missing                              404
Pages a test sets in `FixtureSite.pages` (path -> HTML) are served before these: a page whose
content changes between two captures.
"""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Khmeimim fixture report</title>
<script src="/app.js"></script></head>
<body><h1>An-124 seen loading at Khmeimim</h1><img src="/pixel.png" alt="pixel" width="200" height="100">
<p>Text of the report.</p>
<img src="http://169.254.169.254/latest/meta-data/iam" alt="" width="1" height="1"></body></html>"""
SCRIPT = (
    b"document.addEventListener('DOMContentLoaded', () => { const p = document.createElement('p');"
    b" p.id = 'by-script'; p.textContent = 'Added by the page script'; document.body.append(p); });"
)


class FixtureSite:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.requests: list[str] = []
        self.pages: dict[str, bytes] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(self.path)
                routes = {
                    "/start": (302, {"Location": "/middle"}, b""),
                    "/middle": (301, {"Location": "/page"}, b""),
                    "/page": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
                    "/pixel.png": (200, {"Content-Type": "image/png"}, PNG),
                    "/app.js": (200, {"Content-Type": "text/javascript"}, SCRIPT),
                    "/to-loopback": (302, {"Location": "http://127.0.0.1:1/secret"}, b""),
                    "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
                    "/huge": (200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 3_000_000),
                    "/file.zip": (200, {"Content-Type": "application/zip"}, b"PK\x03\x04"),
                    "/report.pdf": (200, {"Content-Type": "application/pdf"}, PDF),
                }
                routes.update(
                    {
                        path: (200, {"Content-Type": "text/html; charset=utf-8"}, page)
                        for path, page in site.pages.items()
                    }
                )
                status, headers, body = routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not here"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
