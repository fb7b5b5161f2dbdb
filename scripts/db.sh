#!/usr/bin/env bash
# The project-local PostGIS cluster under var/ (used when DATABASE_URL is unset).
#   scripts/db.sh start   initialise var/pg if needed, start it, create the database
#   scripts/db.sh stop    stop it (no-op when it is not running)
#   scripts/db.sh kill    stop it abruptly, as a crash would (pg_ctl stop -m immediate)
#   scripts/db.sh replica start   a streaming replica of that cluster (README, "Production"):
#                                 pg_basebackup -R from it the first time, then a second
#                                 cluster on BASEWATCH_REPLICA_PORT (54330) replaying its WAL
#   scripts/db.sh replica stop|kill   stop the replica (kill: abruptly); the primary runs on
# BASEWATCH_DB_DIR names another cluster directory (make stress runs its own), and
# BASEWATCH_REPLICA_DIR another replica directory (default: the primary's plus "-replica");
# BASEWATCH_DB_SHARED_BUFFERS their shared_buffers (default 1GB).
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
REPLICA_PORT="${BASEWATCH_REPLICA_PORT:-54330}"
REPLICA_DATA="${BASEWATCH_REPLICA_DIR:-$DATA-replica}"
REPLICA_LOG="$ROOT/var/log/postgresql-replica-$REPLICA_PORT.log"

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
    local dir="${1:-$DATA}"
    [ -f "$dir/PG_VERSION" ] && as_owner "$PGBIN/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

system_id() {
    as_owner "$PGBIN/pg_controldata" -D "$1" | sed -n 's/^Database system identifier: *//p'
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

# The replica is a copy of the whole primary cluster taken with pg_basebackup, which with -R
# also writes standby.signal and primary_conninfo: started, it connects to the primary and
# replays its WAL as it is written (hot standby: read-only queries meanwhile). A copy of an
# earlier primary (var/pg made anew since) cannot follow this one and is taken again.
replica_start() {
    start >/dev/null
    # Nor can a copy whose primary_conninfo (written by pg_basebackup -R) names another port.
    local stale=""
    if [ -f "$REPLICA_DATA/PG_VERSION" ]; then
        if [ "$(system_id "$REPLICA_DATA")" != "$(system_id "$DATA")" ]; then
            stale="is a copy of another cluster"
        elif ! grep -q "port=$PORT " "$REPLICA_DATA/postgresql.auto.conf"; then
            stale="follows a primary on another port"
        fi
    fi
    if [ -n "$stale" ]; then
        echo "db: $REPLICA_DATA $stale; taking it again"
        replica_stop
        rm -rf "$REPLICA_DATA"
    fi
    if [ ! -f "$REPLICA_DATA/PG_VERSION" ]; then
        echo "db: copying the primary on port $PORT into $REPLICA_DATA (pg_basebackup -R)"
        mkdir -p "$REPLICA_DATA"
        if [ "$(id -u)" = 0 ]; then chown postgres: "$REPLICA_DATA" "$(dirname "$REPLICA_DATA")"; fi
        chmod 0700 "$REPLICA_DATA"
        as_owner "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U basewatch -D "$REPLICA_DATA" \
            -R -X stream -c fast
    fi
    if ! is_running "$REPLICA_DATA"; then
        echo "db: starting the replica on 127.0.0.1:$REPLICA_PORT"
        as_owner "$PGBIN/pg_ctl" -D "$REPLICA_DATA" -l "$REPLICA_LOG" -w start \
            -o "-p $REPLICA_PORT -k $SOCKETS -c listen_addresses=127.0.0.1 -c hot_standby=on -c shared_buffers=$SHARED_BUFFERS" >/dev/null
    fi
}

replica_stop() {
    if is_running "$REPLICA_DATA"; then
        as_owner "$PGBIN/pg_ctl" -D "$REPLICA_DATA" -m "${1:-fast}" -w stop >/dev/null
        echo "db: replica stopped${1:+ abruptly (-m $1)}"
    fi
}

case "${1:-} ${2:-}" in
    "start ") start ;;
    "stop ") stop ;;
    "kill ") kill_now ;;
    "replica start") replica_start ;;
    "replica stop") replica_stop ;;
    "replica kill") replica_stop immediate ;;
    *) echo "usage: $0 start|stop|kill|replica start|replica stop|replica kill" >&2; exit 2 ;;
esac
