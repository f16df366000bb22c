# MatchMinds developer commands. `make run` starts everything; `make test` runs the suite.
# Both first run scripts/bootstrap.sh (the same one .ci/run and GitHub use): it creates the venv
# and installs the locked packages, and is quick when nothing changed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
BOOTSTRAP = VENV=$(VENV) PYTHON=$(PYTHON) bash scripts/bootstrap.sh

.PHONY: run test install install-test lock lint format check-static check-deploy bench-db bench-matching bench-chat \
	bench-moderation bench-dashboard bench-rounds messages cluster-up cluster-down bench-cluster

# The venv with the locked Python packages (enough for `make run`, lint and benchmarks).
install:
	$(BOOTSTRAP) python

# Also what the test suite needs: the OIDC provider's npm packages and, as root, Debian's
# chromium, fonts-nanum and gettext (otherwise it stops and names the apt-get command).
install-test:
	$(BOOTSTRAP) test

run: install
	VENV=$(VENV) exec bash scripts/run.sh

test: install-test
	VENV=$(VENV) bash scripts/test.sh $(ARGS)

# Recompile the hashed lock files after editing requirements.in / requirements-dev.in. Versions
# already in the lock are kept; `make lock LOCK_ARGS=--upgrade` (or --upgrade-package NAME) moves them.
LOCK_FLAGS = --quiet --universal --python-version 3.11 --generate-hashes --annotation-style line \
	$(LOCK_ARGS)
# The deploy tools' locks start at 3.11.7: checkov's dependencies need 3.11.5 or newer.
DEPLOY_LOCK_FLAGS = $(subst --python-version 3.11 ,--python-version 3.11.7 ,$(LOCK_FLAGS))
lock: install
	$(BIN)/uv pip compile $(LOCK_FLAGS) requirements.in -o requirements.txt
	$(BIN)/uv pip compile $(LOCK_FLAGS) requirements-dev.in -o requirements-dev.txt
	$(BIN)/uv pip compile $(DEPLOY_LOCK_FLAGS) deploy/requirements-deploy.in -o deploy/requirements-deploy.txt
	$(BIN)/uv pip compile $(DEPLOY_LOCK_FLAGS) deploy/requirements-checkov.in -o deploy/requirements-checkov.txt

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Vendored front-end files match static/vendor.json (version, source, sha256).
check-static: install
	$(BIN)/python scripts/check_vendored.py

# Re-extract translatable strings after changing user-facing text, then translate locale/en.
messages: install
	$(BIN)/python manage.py makemessages -l ko -l en --ignore=.venv --ignore="*/node_modules/*" --ignore=.local
	$(BIN)/python manage.py makemessages -d djangojs -l ko -l en --ignore=.venv --ignore="*/node_modules/*" --ignore=staticfiles --ignore=.local
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=.local

# Benchmarks use their own PostgreSQL database and Redis database (they write real rows);
# override with BENCH_DATABASE_URL / BENCH_REDIS_URL.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/matchminds_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/5
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL)

bench-db: install
	$(BIN)/python scripts/ensure_database.py $(BENCH_DATABASE_URL)
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v0

# Matching engine under a 5,000-user burst; ARGS=--kill-worker kills -9 one worker mid-run, ARGS=--lose-redis restarts its private Redis empty at t = 5 s.
# ARGS=--capacity: pairings/s with 5k/50k/200k waiting tickets (bench/matching_capacity.py,
# against a private redis-server).
bench-matching: bench-db
ifneq (,$(filter --capacity,$(ARGS)))
	$(BIN)/python bench/matching_capacity.py $(filter-out --capacity,$(ARGS))
else
	$(BENCH_ENV) $(BIN)/python bench/matching.py $(ARGS)
endif

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

# Speed-dating rounds: 5,000 checked-in students with open sockets, 50/50 then 60/40, three rounds each.
bench-rounds: bench-db
	$(BENCH_ENV) $(BIN)/python bench/rounds.py $(ARGS)

# A cluster on this machine (root; deploy/cluster): HAProxy, 3 web, 2 worker, beat, Redis primary +
# replica + 3 Sentinels, PostgreSQL, each host in its own network namespace. It stops by itself
# after CLUSTER_TIME_LIMIT_S (1,800 s); `make cluster-down` removes everything it made.
cluster-up:
	bash scripts/bootstrap.sh cluster
	$(BIN)/python -m deploy.cluster.cluster up

cluster-down:
	$(BIN)/python -m deploy.cluster.cluster down

# The cluster under faults (bench/cluster.py): 2,000 students matching and chatting while a web host
# is killed, another cut off, Redis fails over, a worker host is killed and every web host is
# restarted with the drain; every history is compared with PostgreSQL. Root; ARGS="--students 200".
bench-cluster:
	bash scripts/bootstrap.sh cluster
	$(BIN)/python bench/cluster.py $(ARGS)
