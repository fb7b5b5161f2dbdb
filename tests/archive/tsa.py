"""A real RFC 3161 time-stamping authority on a local port: OpenSSL's `openssl ts -reply`
behind a small HTTP server, with a test CA and a TSA certificate made for the occasion.

Modes (`TimestampAuthority.mode`): "ok" signs each query; "garbage" answers bytes that are no
response; "error" answers HTTP 500; "replay" answers the first response it signed to every
later query (a valid token, for another nonce and hash).
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

OPENSSL = "/usr/bin/openssl"

CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
# No `certs =`: OpenSSL writes the extra certificates in a SET that is not in DER order, which
# rfc3161-client's strict parser refuses; the signer's own certificate is enough (the CA is configured).
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""
TSA_EXTENSIONS = """basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
"""


def openssl(*args: str, cwd: Path, data: bytes | None = None) -> bytes:
    done = subprocess.run([OPENSSL, *args], cwd=cwd, input=data, capture_output=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)}: {done.stderr.decode(errors='replace')}")
    return done.stdout


class TimestampAuthority:
    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="basewatch-tsa-")
        self.dir = Path(self.tmp.name)
        self.mode = "ok"
        self.lock = threading.Lock()
        self.queries: list[bytes] = []
        self.signed: list[bytes] = []
        self._make_certificates()
        authority = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                authority.queries.append(query)
                status, body = authority.answer(query)
                self.send_response(status)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tsa"

    @property
    def ca(self) -> Path:
        return self.dir / "ca.pem"

    @property
    def chain(self) -> Path:
        """The PEM bundle an operator would configure: the root and the TSA's certificate."""
        return self.dir / "chain.pem"

    def _make_certificates(self) -> None:
        d = self.dir
        (d / "tsa.cnf").write_text(CONFIG.format(dir=d))
        (d / "tsa.ext").write_text(TSA_EXTENSIONS)
        (d / "serial").write_text("01\n")
        ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
        openssl(
            "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=basewatch test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=d,
        )  # fmt: skip
        openssl("req", *ec, "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/O=basewatch tests/CN=Test TSA", cwd=d)
        openssl(
            "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "tsa.pem", "-days", "2", "-extfile", "tsa.ext",
            cwd=d,
        )  # fmt: skip
        (d / "chain.pem").write_text((d / "ca.pem").read_text() + (d / "tsa.pem").read_text())

    def answer(self, query: bytes) -> tuple[int, bytes]:
        if self.mode == "garbage":
            return 200, b"<html>this is not a timestamp</html>"
        if self.mode == "error":
            return 500, b"internal error"
        if self.mode == "replay" and self.signed:
            return 200, self.signed[0]
        with self.lock:  # one OpenSSL at a time: they share the query file and the serial number
            (self.dir / "query.tsq").write_bytes(query)
            response = openssl(
                "ts", "-reply", "-config", "tsa.cnf", "-queryfile", "query.tsq", "-out", "-", cwd=self.dir
            )  # fmt: skip
            self.signed.append(response)
        return 200, response

    def verify(self, data_path: Path, tsr_path: Path) -> subprocess.CompletedProcess:
        """OpenSSL's own check of a stored response against the data it stamps and the CA."""
        return subprocess.run(  # noqa: S603 (our own arguments)
            [OPENSSL, "ts", "-verify", "-data", str(data_path), "-in", str(tsr_path), "-CAfile", str(self.ca)],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.tmp.cleanup()
