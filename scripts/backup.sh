#!/usr/bin/env bash
# Backups of the basewatch database (pg_dump's custom format), history included.
#   scripts/backup.sh backup          write backups/basewatch-<UTC time>.dump and print its name
#   scripts/backup.sh restore FILE    replace the database with FILE's contents
# The database is DATABASE_URL's, or the project cluster's (scripts/db.sh) on BASEWATCH_DB_PORT.
#
# A restore loads FILE into a new database first and only then swaps it in, so a bad
# file leaves the current database as it was; the replaced one is kept, renamed
# <name>_before_restore_<time>, until you drop it. Stop the app while restoring.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
URL="${DATABASE_URL:-postgis://basewatch@127.0.0.1:${BASEWATCH_DB_PORT:-54329}/basewatch}"
URL="postgresql://${URL#*://}"
NAME="${URL##*/}"
NAME="${NAME%%\?*}"
SERVER="${URL%/*}"
STAMP="$(date -u +%Y%m%d-%H%M%S)"

psql_on() { psql -X -q -v ON_ERROR_STOP=1 "$SERVER/$1" "${@:2}"; }

backup() {
    mkdir -p backups
    local file="backups/$NAME-$STAMP.dump"
    "$PGBIN/pg_dump" --format=custom --no-owner --file="$file" "$URL"
    echo "$file"
}

restore() {
    local file="${1:?usage: scripts/backup.sh restore FILE}"
    [ -r "$file" ] || { echo "backup: cannot read $file" >&2; exit 1; }
    "$PGBIN/pg_restore" --list "$file" >/dev/null  # a readable archive, before anything changes
    local fresh="${NAME}_restoring"
    psql_on postgres -c "DROP DATABASE IF EXISTS \"$fresh\"" -c "CREATE DATABASE \"$fresh\" TEMPLATE template0"
    "$PGBIN/pg_restore" --no-owner --exit-on-error --single-transaction --dbname="$SERVER/$fresh" "$file"
    psql_on postgres \
        -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$NAME' AND pid <> pg_backend_pid()" \
        -c "ALTER DATABASE \"$NAME\" RENAME TO \"${NAME}_before_restore_${STAMP//-/_}\"" \
        -c "ALTER DATABASE \"$fresh\" RENAME TO \"$NAME\"" >/dev/null
    echo "restored $file into $NAME (the previous database is ${NAME}_before_restore_${STAMP//-/_})"
}

case "${1:-}" in
    backup) backup ;;
    restore) restore "${2:-}" ;;
    *) echo "usage: $0 backup | restore FILE" >&2; exit 2 ;;
esac
