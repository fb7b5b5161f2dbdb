#!/usr/bin/env bash
# `make run`: the development server and the job queue's worker (every queue: webhook deliveries,
# source archiving), together.
# Ctrl-C stops both. Usage: scripts/run.sh HOST PORT
set -euo pipefail
cd "$(dirname "$0")/.."

.venv/bin/python manage.py procrastinate worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
.venv/bin/python manage.py runserver "$1:$2"
