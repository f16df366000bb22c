from django.conf import settings


def sign_in_options(request) -> dict:
    """Which ways to sign in this server offers, for the login links on every page."""
    return {
        "local_login_enabled": settings.LOCAL_LOGIN_ENABLED,
        "oidc_enabled": settings.OIDC_ENABLED,
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
    }
