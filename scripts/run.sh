#!/usr/bin/env bash
# `make run`: the development server and the job queue's worker (every queue: webhook deliveries,
# source archiving), together.
# Ctrl-C stops both. Usage: scripts/run.sh HOST PORT
set -euo pipefail
cd "$(dirname "$0")/.."

# BASEWATCH_REPLICA=1 (with the local cluster): a streaming replica of it too, read by anonymous
# requests (README, "Read replicas").
if [ "${BASEWATCH_REPLICA:-0}" = 1 ] && [ -z "${DATABASE_URL:-}" ]; then
    bash scripts/db.sh replica start
    export DATABASE_REPLICA_URL="postgis://basewatch@127.0.0.1:${BASEWATCH_REPLICA_PORT:-54330}/basewatch"
fi

.venv/bin/python manage.py procrastinate worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
.venv/bin/python manage.py runserver "$1:$2"
