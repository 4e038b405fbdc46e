# Quito Decide: `make run` serves the site with demo data; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
LOCK := requirements.lock
CATALOGUES = $(shell find . -path ./.venv -prune -o -path '*/locale/es/LC_MESSAGES/django.po' -print)
# Python >= 3.12: the first suitable interpreter on PATH, then pyenv's installs.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 \
	$$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -r); do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

.PHONY: python
python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "ERROR: Quito Decide needs Python 3.12 or newer (Django 6.1), and none was found."; \
	  echo "Install one (e.g. 'pyenv install 3.13') or run 'make PYTHON=/path/to/python3.13 ...'."; \
	  exit 1; fi

$(VENV)/.installed: $(LOCK) | python
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	@touch $@

.PHONY: install
install: $(VENV)/.installed ## Create .venv and install the pinned dependencies

.PHONY: setup
setup: install ## Migrate and load territory and demo content (idempotent)
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_territory
	$(MANAGE) load_demo
	$(MANAGE) load_demo_consultations
	$(MANAGE) load_demo_budgets
	$(MANAGE) load_demo_assemblies
	$(MANAGE) load_demo_works
	$(MANAGE) load_opengov
	$(MANAGE) load_demo_council
	$(MANAGE) load_demo_actors
	$(MANAGE) load_demo_surveys
	$(MANAGE) load_demo_training

.PHONY: run
run: setup ## Serve HTTP and WebSocket on http://127.0.0.1:$(PORT) with demo data
	@$(MANAGE) demo_logins
	@echo "Quito Decide on http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	SITE_BASE_URL=$${SITE_BASE_URL:-http://127.0.0.1:$(PORT)} $(MANAGE) runserver 127.0.0.1:$(PORT)

.PHONY: browser
browser: ## Make sure Debian's Chromium is there for the browser tests (apt, as root)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "ERROR: the browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

.PHONY: test
test: install browser ## Run the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(PY) -m pytest $(PYTEST_ARGS)

.PHONY: lint
lint: install ## ruff, migrations check, catalogue freshness, and the production deploy check
	$(VENV)/bin/ruff check .
	@mkdir -p var; for po in $(CATALOGUES); do \
	  msgfmt --check -o var/check.mo $$po || exit 1; \
	  cmp -s var/check.mo $${po%.po}.mo || { echo "$${po%.po}.mo is stale: run 'make compilemessages'"; exit 1; }; \
	done; echo "Translation catalogues compile and are up to date"
	$(MANAGE) makemigrations --check --dry-run
	SECRET_KEY=$$(head -c 48 /dev/urandom | base64) CEDULA_HASH_KEY=$$(head -c 48 /dev/urandom | base64) \
	  ALLOWED_HOSTS=quitodecide.example DATABASE_URL=$${DATABASE_URL:-sqlite:///var/deploycheck.sqlite3} \
	  REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} EMAIL_URL=smtp+tls://user:pass@smtp.example:587 SITE_BASE_URL=https://quitodecide.example \
	  $(MANAGE) check --deploy --fail-level WARNING --settings=quitodecide.settings.production

.PHONY: messages
messages: install ## Extract translatable strings into each app's (or the project's) es catalogue
	$(MANAGE) makemessages -l es --no-obsolete -i '.venv/*' -i 'var/*' -i 'tests/*' -i 'benches/*'

.PHONY: compilemessages
compilemessages: install ## Compile the .po catalogues (needs gettext's msgfmt)
	@for po in $(CATALOGUES); do msgfmt --check -o $${po%.po}.mo $$po || exit 1; done

.PHONY: lock
lock: ## Re-pin requirements.lock from pyproject.toml (uses uv from the venv)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.12 -o $(LOCK)

.PHONY: permissions-doc
permissions-doc: install ## Write docs/permissions.md from the rule book's registry
	$(MANAGE) shell -c "from quitodecide.rulebook import render_markdown; open('docs/permissions.md', 'w', encoding='utf-8').write(render_markdown())"

.PHONY: clean
clean: ## Remove the virtualenv and local data (SQLite, media, static)
	rm -rf $(VENV) var

.PHONY: bench-consultation
bench-consultation: install ## Consultation page and thread at 50 vs 5,000 comments (p50/p95)
	$(PY) benches/consultation.py

.PHONY: bench-live
bench-live: install ## Live assemblies: N followers (FOLLOWERS=10000) over W workers (WORKERS=2) behind the proxy, vs raw websockets
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/3} $(PY) benches/live/bench_live.py \
	  --followers $(or $(FOLLOWERS),1000) --events $(or $(EVENTS),20) --workers $(or $(WORKERS),1) $(BENCH_ARGS)

.PHONY: bench-memory
bench-memory: install ## Server memory per idle live follower at 5,000 followers (FOLLOWERS=...)
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/3} $(PY) benches/live/bench_live.py \
	  --followers $(or $(FOLLOWERS),5000) --memory $(BENCH_ARGS)

.PHONY: bench-vote-storm
bench-vote-storm: install ## 1,000 followers, 500 verified residents voting within 20 s: acceptance, tally freshness
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/4} $(PY) benches/live/bench_vote_storm.py $(BENCH_ARGS)

.PHONY: bench-push-vs-poll
bench-push-vs-poll: install ## Server CPU and latency: push to 1,000 followers vs polling every 0.5 s and 5 s
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/5} $(PY) benches/live/bench_push_vs_poll.py $(BENCH_ARGS)

.PHONY: bench-pages
bench-pages: install ## Requests/s of cached anonymous pages vs a bare Django view (production server set-up)
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/6} $(PY) benches/pages.py $(BENCH_ARGS)

.PHONY: bench-search
bench-search: install ## Site search on PostgreSQL at 50,000 comments and 5,000 pages (p50/p95, EXPLAIN)
	$(PY) benches/search.py $(BENCH_ARGS)

.PHONY: bench-threads
bench-threads: install ## Article thread at 500 vs 5,000 comments (p50 ratio) and query counts up to 50,000
	$(PY) benches/threads.py $(BENCH_ARGS)

.PHONY: bench-works
bench-works: install ## Works list/GeoJSON p50/p95 at 10,000 works and a 10,000-row matrix import
	$(PY) benches/works.py

.PHONY: bench-api
bench-api: install ## Open-data API list endpoints p50/p95 at 5,000 rows (works, comments, requests)
	$(PY) benches/api.py

.PHONY: screenshots
screenshots: setup browser ## The key pages at 1280 and 390 px into docs/screenshots/ (demo data)
	$(PY) scripts/screenshots.py
