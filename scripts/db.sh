#!/usr/bin/env bash
# The project-local PostGIS cluster under var/ (used when DATABASE_URL is unset).
#   scripts/db.sh start   initialise var/pg if needed, start it, create the database
#   scripts/db.sh stop    stop it (no-op when it is not running)
#   scripts/db.sh kill    stop it abruptly, as a crash would (pg_ctl stop -m immediate)
# BASEWATCH_DB_DIR names another cluster directory (make stress runs its own);
# BASEWATCH_DB_SHARED_BUFFERS its shared_buffers (default 1GB).
# PostgreSQL refuses to run as root, so as root the cluster belongs to `postgres`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PORT="${BASEWATCH_DB_PORT:-54329}"
DATA="${BASEWATCH_DB_DIR:-$ROOT/var/pg}"
SOCKETS="$ROOT/var/run"
LOG="$ROOT/var/log/postgresql${BASEWATCH_DB_DIR:+-$PORT}.log"
# PostgreSQL's default (128 MB) holds less than tier M's posture spans: every map or E1 read
# would go to the kernel's cache. Production sets about a quarter of the RAM (README "Production").
SHARED_BUFFERS="${BASEWATCH_DB_SHARED_BUFFERS:-1GB}"

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# As root the clone may sit below a folder only root can enter (mktemp -d makes
# 0700 folders); give every ancestor the search bit so `postgres` can reach var/.
make_reachable() {
    [ "$(id -u)" = 0 ] || return 0
    local dir="$ROOT"
    while [ "$dir" != "/" ]; do
        if ! runuser -u postgres -- test -x "$dir"; then
            echo "db: allowing user postgres to enter $dir (chmod o+x)"
            chmod o+x "$dir"
        fi
        dir="$(dirname "$dir")"
    done
}

is_running() {
    [ -f "$DATA/PG_VERSION" ] && as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
    mkdir -p "$ROOT/var/log" "$SOCKETS"
    if [ "$(id -u)" = 0 ]; then
        make_reachable
        mkdir -p "$DATA"
        chown postgres: "$ROOT/var" "$ROOT/var/log" "$SOCKETS" "$DATA" "$(dirname "$DATA")"
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        echo "db: initialising a PostGIS cluster in $DATA"
        as_owner "$PGBIN/initdb" -D "$DATA" -A trust -U basewatch -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! is_running; then
        echo "db: starting PostgreSQL on 127.0.0.1:$PORT"
        as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w start \
            -o "-p $PORT -k $SOCKETS -c listen_addresses=127.0.0.1 -c shared_buffers=$SHARED_BUFFERS" >/dev/null
    fi
    local psql=(psql -X -q -h 127.0.0.1 -p "$PORT" -U basewatch)
    if [ -z "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'basewatch'")" ]; then
        "${psql[@]}" -d postgres -c "CREATE DATABASE basewatch"
    fi
    "${psql[@]}" -d basewatch -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis"
}

stop() {
    if is_running; then
        as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        echo "db: stopped"
    fi
}

kill_now() {
    if is_running; then
        as_owner "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null
        echo "db: stopped abruptly (-m immediate)"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    kill) kill_now ;;
    *) echo "usage: $0 start|stop|kill" >&2; exit 2 ;;
esac
