from collections.abc import Iterator

import pytest

from apps.accounts.tests.oidc_support import CLIENT_ID, CLIENT_SECRET, OIDCProvider, run_oidc_provider
from conftest import run_daphne


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OIDCProvider]:
    """One real OpenID Connect provider for the session (its state lives in its memory)."""
    with run_oidc_provider() as provider:
        yield provider


@pytest.fixture
def oidc_settings(settings, oidc_provider) -> OIDCProvider:
    """Single sign-on switched on in this process, against the real provider."""
    settings.OIDC_OP_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ENABLED = True
    settings.OIDC_API_AUDIENCES = [CLIENT_ID]
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "apps.accounts.oidc.OIDCBackend"]
    return oidc_provider


@pytest.fixture
def oidc_site(transactional_db, oidc_provider) -> Iterator[str]:
    """A real daphne server with single sign-on switched on through its environment."""
    with run_daphne(port=oidc_provider.web_port, extra_env=oidc_provider.env()) as url:
        yield url


@pytest.fixture(scope="session")
def identity_provider():
    """The fake mobile identity service, over real HTTP, for the whole session."""
    from apps.accounts.tests.identity_provider import run_identity_provider

    with run_identity_provider() as provider:
        yield provider


@pytest.fixture
def mobile_identity(settings, identity_provider):
    """This process checks identities against the fake provider."""
    for name, value in identity_provider.settings().items():
        setattr(settings, name, value)
    return identity_provider
