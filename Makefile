# MatchMinds developer commands. `make run` starts everything; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test install lint format check-deploy bench-db bench-matching bench-chat bench-moderation bench-dashboard messages

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	VENV=$(VENV) bash scripts/run.sh

test: install
	VENV=$(VENV) bash scripts/test.sh $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract translatable strings after changing user-facing text, then translate locale/en.
messages: install
	$(BIN)/python manage.py makemessages -l ko -l en --ignore=.venv --ignore="*/node_modules/*"
	$(BIN)/python manage.py makemessages -d djangojs -l ko -l en --ignore=.venv --ignore="*/node_modules/*" --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Benchmarks use their own PostgreSQL database and Redis database (they write real rows);
# override with BENCH_DATABASE_URL / BENCH_REDIS_URL.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/matchminds_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/5
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL)

bench-db: install
	$(BIN)/python scripts/ensure_database.py $(BENCH_DATABASE_URL)
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v0

# Matching engine under a 5,000-user burst; ARGS=--kill-worker kills -9 one worker mid-run.
bench-matching: bench-db
	$(BENCH_ENV) $(BIN)/python bench/matching.py $(ARGS)

check-deploy:
	bash deploy/check_deploy.sh

# Live operations: snapshot cost at 1k/5k/20k online users, dashboard freshness, alert detect → notify.
bench-dashboard: bench-db
	$(BENCH_ENV) $(BIN)/python bench/dashboard.py $(ARGS)

# Chat: 5,000-connection storm, idle, 1:1 ladder, lobby broadcast and the reference
# consumer side by side (ARGS=--faults for drops, kill -9 and a Redis restart).
bench-chat: install
	$(BIN)/python bench/chat.py $(ARGS)

# Image moderation: local-model images/s and p95 upload → decision latency with a real worker.
bench-moderation: bench-db
	$(BENCH_ENV) $(BIN)/python bench/moderation.py $(ARGS)
