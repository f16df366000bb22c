# Browser tests live here, after every app's tests: the session's Playwright browser keeps an
# event loop running on the main thread, which async tests collected after it cannot start.
from apps.accounts.tests.conftest import identity_provider, oidc_provider, oidc_site  # noqa: F401
