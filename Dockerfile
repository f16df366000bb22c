# syntax=docker/dockerfile:1.7
# One image, several commands: docker/web.sh, docker/worker.sh, docker/beat.sh, docker/migrate.sh.
# The base is pinned to an exact patch release in both stages; buildx records its digest in
# the image provenance, and Renovate (renovate.json) bumps the tag.

# ---------------------------------------------------------------------------
# build: compilers, gettext and the virtualenv; never shipped
# ---------------------------------------------------------------------------
FROM python:3.11.14-slim-bookworm AS build
SHELL ["/bin/bash", "-o", "errexit", "-o", "pipefail", "-o", "nounset", "-c"]
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:${PATH}
# Debian stable only ships security fixes within a release; exact pins would break the build
# whenever the mirror drops the previous patch, so packages follow the pinned base image.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends build-essential gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv "${VIRTUAL_ENV}"
COPY requirements.txt /tmp/requirements.txt
# The lock lists every transitive package with its hashes (make lock): nothing unpinned or unverified.
RUN pip install --require-hashes --no-deps --requirement /tmp/requirements.txt

WORKDIR /app
COPY . /app
# Static files and translations are built into the image. The settings module is the
# production one, so the build-only values below only have to satisfy its start-up checks;
# none of them reaches a running container.
RUN export DJANGO_SETTINGS_MODULE=matchminds.settings.production \
        SECRET_KEY=build-only-not-a-secret \
        ALLOWED_HOSTS=localhost \
        DATABASE_URL=sqlite:////tmp/build-only.sqlite3 \
        REDIS_URL=redis://localhost:6379/0 \
    && python manage.py collectstatic --noinput \
    && python manage.py compilemessages \
    && python -m compileall -q /app "${VIRTUAL_ENV}" \
    && chmod 0755 /app/docker/*.sh

# ---------------------------------------------------------------------------
# runtime: only shared libraries, tini, the venv and the app; runs as uid 10001
# ---------------------------------------------------------------------------
FROM python:3.11.14-slim-bookworm AS runtime
SHELL ["/bin/bash", "-o", "errexit", "-o", "pipefail", "-o", "nounset", "-c"]
# Unpinned for the same reason as in the build stage. fonts-nanum: Hangul in the event link-preview images.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends tini fonts-nanum \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 matchminds \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin matchminds

ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=matchminds.settings.production \
    MATCHMINDS_ROLE=web \
    PORT=8000

# Owned by root and not writable by the app user: code is immutable at run time.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app

USER 10001:10001
EXPOSE 8000
# Kubernetes uses its own probes; this one serves plain `docker run` and compose.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/docker/healthcheck.sh"]
# tini forwards SIGTERM to the process the entry script exec's and reaps zombies.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/app/docker/web.sh"]
