"""nginx from Debian's package in front of gunicorn, with the shipped site (deploy/nginx/basewatch.conf).

The site file is rendered with local paths and ports in place of the production ones
(`render_site`: each replaced text must be found, so the file and this stay in step), into a
main configuration of its own (`nginx -p <dir>`: its own pid file, temporary files and log),
and run as a foreground process. Used by tests/test_nginx.py and `make stress`.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.server import ROOT

SITE = ROOT / "deploy" / "nginx" / "basewatch.conf"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PRODUCTION_SOCKET = "unix:/run/basewatch/gunicorn.sock"
PRODUCTION_CERTIFICATE = "/etc/letsencrypt/live/basewatch.example.org/fullchain.pem"
PRODUCTION_KEY = "/etc/letsencrypt/live/basewatch.example.org/privkey.pem"
PRODUCTION_STATIC = "alias /srv/basewatch/var/static/;"
STATIC_ROOT = ROOT / "var" / "static"  # settings.STATIC_ROOT, where collect_static puts the files


@dataclass
class Nginx:
    process: subprocess.Popen
    http_port: int
    https_port: int
    directory: Path

    @property
    def base(self) -> str:
        """The HTTPS server (its certificate is self-signed: requests need verify=False)."""
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def error_log(self) -> str:
        return (self.directory / "error.log").read_text()


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise ValueError(f"{SITE} no longer holds {old!r}: update bench/nginx.py")
    return text.replace(old, new)


def certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, in `directory`."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    command = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (fixed command)
    return cert, key


def render_site(directory: Path, upstream: str | None = None, ports: tuple[int, int] | None = None) -> str:
    """The shipped site with a self-signed certificate from `directory`; and, when given, gunicorn
    at `upstream` (e.g. unix:/tmp/x.sock), STATIC_ROOT, and loopback `ports` (HTTP, HTTPS)."""
    text = SITE.read_text()
    cert, key = certificate(directory)
    text = _replace(text, PRODUCTION_CERTIFICATE, str(cert))
    text = _replace(text, PRODUCTION_KEY, str(key))
    if upstream:
        text = _replace(text, PRODUCTION_SOCKET, upstream)
    if ports:
        text = _replace(text, PRODUCTION_STATIC, f"alias {STATIC_ROOT}/;")
        text = _replace(text, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{ports[0]};\n")
        https = "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n"
        text = _replace(text, https, f"    listen 127.0.0.1:{ports[1]} ssl http2;\n")
    return text


def check_in_debian_config(directory: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on Debian's own /etc/nginx/nginx.conf with the shipped site as its only site
    (only the certificate is local)."""
    (directory / "basewatch.conf").write_text(render_site(directory))
    main = _replace(
        Path("/etc/nginx/nginx.conf").read_text(),
        "include /etc/nginx/sites-enabled/*;",
        f"include {directory / 'basewatch.conf'};",
    )
    # Its own pid file: the test must not touch a system nginx's.
    main = _replace(main, "pid /run/nginx.pid;", f"pid {directory / 'nginx.pid'};")
    (directory / "nginx.conf").write_text(main)
    command = [NGINX, "-t", "-e", "stderr", "-c", str(directory / "nginx.conf")]
    return subprocess.run(command, capture_output=True, text=True)  # noqa: S603 (fixed command)


MAIN = """\
# Rendered by bench/nginx.py: the essentials of Debian's /etc/nginx/nginx.conf, local paths.
daemon off;
master_process on;
worker_processes 1;
user {user};
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log off;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/basewatch.conf;
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def nginx(directory: Path, upstream: str):
    """nginx with the shipped site in front of gunicorn at `upstream`, in the foreground; stopped on leaving."""
    directory.mkdir(parents=True, exist_ok=True)
    ports = (free_port(), free_port())
    (directory / "basewatch.conf").write_text(render_site(directory, upstream, ports))
    (directory / "nginx.conf").write_text(MAIN.format(directory=directory, user=getpass.getuser()))
    command = [NGINX, "-p", str(directory), "-e", "stderr", "-c", str(directory / "nginx.conf")]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)  # noqa: S603 (fixed command)
    running = Nginx(process, ports[0], ports[1], directory)
    try:
        for _ in range(100):
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited at start-up: {process.stderr.read()}")
            try:
                socket.create_connection(("127.0.0.1", ports[1]), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("nginx did not listen")
        yield running
    finally:
        process.terminate()  # fast shutdown
        process.wait(timeout=30)
