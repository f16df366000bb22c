"""Users, passwords, local sign-in and its throttles, single sign-on (OIDC), bearer tokens on the API."""

from django.core.exceptions import ImproperlyConfigured

from .environment import env

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "events:list"
LOGOUT_REDIRECT_URL = "home"
# Django's rules, with messages that say what to do next (apps/accounts/password_rules.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "apps.accounts.password_rules.SimilarToAccountRule"},
    {"NAME": "apps.accounts.password_rules.MinimumLengthRule"},
    {"NAME": "apps.accounts.password_rules.CommonPasswordRule"},
    {"NAME": "apps.accounts.password_rules.NotOnlyDigitsRule"},
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
