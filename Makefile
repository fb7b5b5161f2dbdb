# basewatch: `make run` to browse, `make test` to check everything (see README.md).
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test lint db-stop bench bench-quick bench-large stress backup restore screenshots ogctests

# The server and the job queue's worker (webhook deliveries); Ctrl-C stops both.
run: setup
	bash scripts/run.sh $(HOST) $(PORT)

setup:
	bash scripts/setup.sh

test:
	bash scripts/setup.sh --test
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -n 2 --dist loadgroup

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Benchmarks (bench/README.md); not part of CI. Results go to bench/results/.
bench:
	bash scripts/setup.sh --bench
	$(PY) -m bench.run --tier S --rounds 3 --seconds 10
	$(PY) -m bench.run --tier M --rounds 3 --seconds 10

bench-quick:
	bash scripts/setup.sh --bench
	$(PY) -m bench.run --tier S --rounds 1 --seconds 3

# Tier L (20,000 sites, 10 million observations) in a database of its own, generated on first
# use; E1, E2, E4 and M1, one round, without the naive path (minutes per request there). The
# growth L/M is taken from the last tier M results (bench/results/tier-M.json).
bench-large:
	bash scripts/setup.sh --bench
	$(PY) -m bench.run --tier L --rounds 1 --seconds 5 --only E1 E2 E4 M1 --without naive

# The README's pictures (docs/*.png) from the demo data, tiles blocked as offline.
screenshots:
	bash scripts/setup.sh --test
	$(PY) scripts/screenshots.py

# The OGC API - Features conformance suite `ogctests` (README, "OGC API - Features") against a
# server of its own on the demo data, results per conformance class; not part of `make test`.
ogctests:
	bash scripts/setup.sh --ogctests
	$(PY) scripts/ogctests.py

db-stop:
	bash scripts/db.sh stop

# Backups (README, "Backup and restore"): `make backup`, then `make restore FILE=backups/….dump`.
backup:
	bash scripts/backup.sh backup

restore:
	bash scripts/backup.sh restore "$(FILE)"

# The slow checks (README, "Reliability and security"): database faults, backup round
# trip, load, nginx in front (slow clients, mixed load), a streaming replica stopped and lagging.
# About thirteen minutes; uses its own PostgreSQL cluster on port 54349, and a primary with its
# replica on ports 26401 and 26402.
stress:
	bash scripts/setup.sh --bench
	$(PY) -m stress.run
