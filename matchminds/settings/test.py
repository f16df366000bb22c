from .base import *  # noqa: F403
from .base import BASE_DIR, env, postgres_database

# Tests run against real PostgreSQL and Redis; a dedicated Redis database keeps them
# away from a developer's `make run` data.
DATABASES = {"default": postgres_database(env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/matchminds"))}
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/9")
CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = REDIS_URL  # noqa: F405
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = env("CHANNEL_LAYER_PREFIX", default="mmtest")  # noqa: F405
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CELERY_BROKER_URL = REDIS_URL
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".pytest_cache" / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
UNIVERSITY_CODE_RESEND_INTERVAL_S = 60
WHITENOISE_USE_FINDERS = True
# A browser test's daphne runs in another process: its mail goes to files the test reads.
TEST_EMAIL_FILE_PATH = env("TEST_EMAIL_FILE_PATH", default="")
if TEST_EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = TEST_EMAIL_FILE_PATH
