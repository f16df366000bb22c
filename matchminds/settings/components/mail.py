"""Outgoing e-mail."""

from .environment import env

# E-mail: console locally, SMTP (or SES's SMTP interface) when EMAIL_URL is set.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MatchMinds <no-reply@matchminds.local>")
