#!/usr/bin/env bash
# Idempotent set-up: system packages, .venv, Python packages, database, demo data.
#   scripts/setup.sh          what `make run` needs
#   scripts/setup.sh --test   the same plus test tools, Chromium and nginx (tests/test_nginx.py)
#   scripts/setup.sh --bench  the same plus wrk, for bench/ (make bench, make stress)
#   scripts/setup.sh --ogctests  what `make run` needs plus .venv-ogctests (make ogctests)
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TESTS=0
[ "${1:-}" = "--test" ] && WITH_TESTS=1
WITH_BENCH=0
# The benchmark drives Chromium (M1) with the test tools, so it needs them too.
[ "${1:-}" = "--bench" ] && WITH_BENCH=1 && WITH_TESTS=1
WITH_OGCTESTS=0
[ "${1:-}" = "--ogctests" ] && WITH_OGCTESTS=1

# --- system packages (apt, when we are root or may sudo) ---------------------
packages=(gdal-bin postgresql-client-15)  # the client: psql, pg_dump and pg_restore (make backup)
[ -z "${DATABASE_URL:-}" ] && packages+=(postgresql-15 postgresql-15-postgis-3)
packages+=(chromium)  # the source archiver renders pages in it (and the browser tests drive it)
[ "$WITH_BENCH" = 1 ] && packages+=(wrk)
# The production topology's proxy (deploy/nginx/), run by the tests and make stress in the
# foreground with a configuration of their own; small (about 1.5 MB with its libraries).
[ "$WITH_TESTS" = 1 ] && packages+=(nginx)
# tests/test_replica.py and make stress run a PostgreSQL primary and its streaming replica of
# their own (scripts/db.sh), also when DATABASE_URL names another server.
[ "$WITH_TESTS" = 1 ] && [ -n "${DATABASE_URL:-}" ] && packages+=(postgresql-15 postgresql-15-postgis-3)
python3 -c "import ensurepip" 2>/dev/null || packages+=(python3-venv)

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo); else
        echo "setup: please install these Debian packages first: ${missing[*]}" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts the nginx it installs, with its default site on port 80: here it is only a
    # tool, so the service installed just now is stopped and left disabled.
    if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null && systemctl is-enabled nginx >/dev/null 2>&1; then
        "${sudo[@]}" systemctl disable --now nginx >/dev/null 2>&1 || true
    fi
fi

# --- Python packages, each virtualenv reinstalled only when a requirements file changes
install_requirements() {
    local venv="$1" file="$2" stamp="$1/.installed-$(basename "$2")"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    if ! cmp -s "$file" "$stamp"; then
        echo "setup: installing $file into $venv"
        "$venv/bin/pip" install -q -r "$file"
        cp "$file" "$stamp"
    fi
}
install_requirements .venv requirements.txt
[ "$WITH_TESTS" = 1 ] && install_requirements .venv requirements-dev.txt
# pygeoapi, the benchmark's peer server, in a virtualenv of its own (bench/pygeoapi.py).
[ "$WITH_BENCH" = 1 ] && install_requirements .venv-pygeoapi bench/requirements-pygeoapi.txt

# ogctests, the OGC API - Features conformance suite, in a virtualenv of its own (it pins
# pytest<9 and httpx<0.28; scripts/ogctests.py runs it).
[ "$WITH_OGCTESTS" = 1 ] && install_requirements .venv-ogctests scripts/requirements-ogctests.txt

# --- database, schema, demo data ---------------------------------------------
[ -z "${DATABASE_URL:-}" ] && bash scripts/db.sh start
.venv/bin/python manage.py collectstatic --noinput -v 0
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py load_demo
