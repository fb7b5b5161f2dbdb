"""gunicorn behind nginx (deploy/nginx/basewatch.conf): `gunicorn -c deploy/gunicorn.conf.py basewatch.wsgi`.

Sync workers, 2 x cores + 1 of them. nginx reads every request whole before passing it on
and takes every answer whole before sending it out, so a worker never waits for a client's
network: its time is Python and PostgreSQL. Threads or an event loop would not make that
faster (the GIL; one PostgreSQL connection per request either way), and a stuck sync worker
is killed and replaced after `timeout`, which a thread cannot be. The workers beyond one per
core keep the cores busy while others wait for PostgreSQL.

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

from __future__ import annotations

import multiprocessing
import os

# The socket nginx's upstream names; systemd makes /run/basewatch (deploy/systemd/basewatch.service).
bind = [os.environ.get("GUNICORN_BIND", "unix:/run/basewatch/gunicorn.sock")]
# The socket is created by the basewatch user, group www-data (nginx): rw for both, nothing for others.
umask = 0o007
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A request slower than this is stopped (its worker replaced); nginx waits 75 s, a little longer.
# The slowest answers are whole-world exports and E1 at tier M (about 2 s today).
timeout = 60
graceful_timeout = 30  # a reload or stop lets requests in flight finish
# The heartbeat file on tmpfs: a worker writing it to a slow disk could be taken for stuck.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (gunicorn makes its own file there, with mkstemp)
# Only nginx on this machine talks to gunicorn. Django reads X-Forwarded-Proto itself
# (BEHIND_TLS_PROXY=1, SECURE_PROXY_SSL_HEADER); this is gunicorn's own view of the scheme.
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = None  # nginx logs every request
errorlog = "-"  # to the journal
loglevel = "warning"
