"""Consent, identity and e-mail confirmation (apps/policies, apps/accounts)."""

from django.core.exceptions import ImproperlyConfigured

from .environment import env

# How long a student's "accepted the current terms" answer stays cached in Redis (a new
# version makes it stale at once: the cache compares versions, not time).
POLICIES_CACHE_TTL_S = 24 * 60 * 60
# A sign-up's confirmation link works this long; another mail may be asked for after the
# interval, and at most EMAIL_CONFIRMATION_PER_DAY a day.
EMAIL_CONFIRMATION_MAX_AGE_S = env.int("EMAIL_CONFIRMATION_MAX_AGE_S", default=3 * 24 * 60 * 60)
EMAIL_CONFIRMATION_RESEND_INTERVAL_S = env.int("EMAIL_CONFIRMATION_RESEND_INTERVAL_S", default=60)
EMAIL_CONFIRMATION_PER_DAY = 10
# The identity check: "self_declared" (the student vouches for their profile) or "mobile"
# (a redirect to a Korean mobile identity service such as PASS or NICE, answered by a signed
# callback). The per-person hash (CI) is kept only as an HMAC under IDENTITY_HASH_KEY.
IDENTITY_VERIFIER = env("IDENTITY_VERIFIER", default="self_declared")
IDENTITY_PROVIDER_URL = env("IDENTITY_PROVIDER_URL", default="")
IDENTITY_CLIENT_ID = env("IDENTITY_CLIENT_ID", default="matchminds")
IDENTITY_CLIENT_SECRET = env("IDENTITY_CLIENT_SECRET", default="")
IDENTITY_HASH_KEY = env("IDENTITY_HASH_KEY", default="insecure-local-identity-hash-key")
IDENTITY_CALLBACK_MAX_AGE_S = env.int("IDENTITY_CALLBACK_MAX_AGE_S", default=10 * 60)
if IDENTITY_VERIFIER not in {"self_declared", "mobile"}:
    raise ImproperlyConfigured("IDENTITY_VERIFIER must be self_declared or mobile.")
if IDENTITY_VERIFIER == "mobile" and not (IDENTITY_PROVIDER_URL and IDENTITY_CLIENT_SECRET):
    raise ImproperlyConfigured("IDENTITY_VERIFIER=mobile needs IDENTITY_PROVIDER_URL and IDENTITY_CLIENT_SECRET.")
