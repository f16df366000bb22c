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

# Changing the e-mail address while signed in (apps/accounts/credentials.py): the link mailed
# to the new address works this long; another one can be asked for after the interval.
EMAIL_CHANGE_LINK_TTL_S = env.int("EMAIL_CHANGE_LINK_TTL_S", default=24 * 60 * 60)
EMAIL_CHANGE_RESEND_INTERVAL_S = env.int("EMAIL_CHANGE_RESEND_INTERVAL_S", default=60)
