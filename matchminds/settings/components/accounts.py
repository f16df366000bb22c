"""Product rules of accounts: age, profiles, photos, university e-mail codes (apps/accounts)."""

from .environment import env

# Product rules.
MINIMUM_AGE_YEARS = 19
PROFILE_MAX_INTERESTS = 10
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=20_000_000)
PHOTO_MAX_EDGE_PX = env.int("PHOTO_MAX_EDGE_PX", default=1080)
UNIVERSITY_CODE_TTL_S = 10 * 60
UNIVERSITY_CODE_MAX_ATTEMPTS = 5
UNIVERSITY_CODE_RESEND_INTERVAL_S = env.int("UNIVERSITY_CODE_RESEND_INTERVAL_S", default=60)
