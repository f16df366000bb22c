"""A real OpenID Connect provider for the tests: node-oidc-provider run from tests/oidc_provider/.

The provider is configured here (port, signing keys, clients, accounts) and run as a child
process. Tokens come from its own endpoints through the authorization-code flow with PKCE,
driven over HTTP the way a browser would (login form, cancel button).
"""

import base64
import hashlib
import json
import re
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import ARTIFACTS, ROOT, _stop, _wait_for_port, free_port

PROVIDER_DIR = ROOT / "tests" / "oidc_provider"
CLIENT_ID = "matchminds-web"
CLIENT_SECRET = "matchminds-web-test-secret-0123456789"
OTHER_CLIENT_ID = "other-app"
OTHER_CLIENT_SECRET = "other-app-test-secret-0123456789"
OTHER_CLIENT_REDIRECT = "http://other-app.test/callback"
API_RESOURCE = "urn:matchminds:api"
OTHER_RESOURCE = "urn:other:api"
TESTSERVER = "http://testserver"
PASSWORD = "provider-password"


@dataclass(frozen=True)
class Account:
    sub: str
    email: str | None
    email_verified: bool = True
    groups: tuple[str, ...] = ()
    login: str | None = None
    access_token_ttl_s: int | None = None

    @property
    def login_name(self) -> str:
        return self.login or self.email or self.sub

    def as_config(self) -> dict:
        config = {
            "sub": self.sub,
            "email": self.email,
            "email_verified": self.email_verified,
            "groups": list(self.groups),
            "login": self.login_name,
            "password": PASSWORD,
        }
        if self.access_token_ttl_s is not None:
            config["access_token_ttl_s"] = self.access_token_ttl_s
        return config


ACCOUNTS = {
    "student": Account(sub="sub-student", email="student@snu.ac.kr"),
    "admin": Account(sub="sub-admin", email="admin-sso@matchminds.test", groups=("admin", "moderator", "participant")),
    "staff": Account(sub="sub-staff", email="staff-sso@matchminds.test", groups=("organizer",)),
    "moderator": Account(sub="sub-moderator", email="moderator-sso@matchminds.test", groups=("moderator",)),
    "unverified": Account(sub="sub-unverified", email="unverified@snu.ac.kr", email_verified=False),
    "no_email": Account(sub="sub-no-email", email=None, login="no-email-user"),
    "expiring": Account(sub="sub-expiring", email="expiring@snu.ac.kr", access_token_ttl_s=1),
    "stranger": Account(sub="sub-stranger", email="stranger@snu.ac.kr"),
}


def signing_key(kid: str) -> dict:
    """A fresh RSA private key as a JWK, for the provider's key set."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class OIDCProvider:
    port: int
    web_port: int
    keys: list[dict]
    process: subprocess.Popen | None = None
    accounts: dict[str, Account] = field(default_factory=lambda: dict(ACCOUNTS))

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def web_url(self) -> str:
        """Where the daphne test server for this provider listens (its callback is registered)."""
        return f"http://127.0.0.1:{self.web_port}"

    def config(self) -> dict:
        return {
            "port": self.port,
            "keys": self.keys,
            "resources": [API_RESOURCE, OTHER_RESOURCE],
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [f"{TESTSERVER}/oidc/callback/", f"{self.web_url}/oidc/callback/"],
                    "post_logout_redirect_uris": [f"{TESTSERVER}/", f"{self.web_url}/"],
                },
                {"client_id": OTHER_CLIENT_ID, "client_secret": OTHER_CLIENT_SECRET, "redirect_uris": [OTHER_CLIENT_REDIRECT]},
            ],
            "accounts": [account.as_config() for account in self.accounts.values()],
        }

    def env(self) -> dict[str, str]:
        """Environment that switches single sign-on on in a server process."""
        return {
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_NAME": "Cognito",
        }

    def follow(self, http: requests.Session, url: str, account: Account | None, *, cancel: bool = False) -> str:
        """Follow the provider from `url`, signing in as `account` (or pressing Cancel) when it
        asks, until it sends the browser back to a client; return that address."""
        method, data = "GET", None
        for _ in range(12):
            response = http.request(method, url, data=data, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                method, data = "GET", None
                if not url.startswith(self.issuer):
                    return url
                continue
            match = re.search(r'action="(/interaction/[\w-]+)/login"', response.text)
            if response.status_code != 200 or match is None:
                raise AssertionError(f"unexpected provider page {response.status_code}: {response.text[:300]}")
            if cancel:
                url, method, data = urljoin(self.issuer, match.group(1) + "/abort"), "POST", None
            else:
                assert account is not None, "the provider asks to sign in"
                url = urljoin(self.issuer, match.group(1) + "/login")
                method, data = "POST", {"email": account.login_name, "password": PASSWORD}
        raise AssertionError("the provider kept redirecting")

    def tokens(
        self,
        account: Account,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        redirect_uri: str = f"{TESTSERVER}/oidc/callback/",
        resource: str = API_RESOURCE,
    ) -> dict:
        """The token response for `account` after a full authorization-code + PKCE flow, with an
        access token (a JWT signed by the provider) for `resource`."""
        verifier, challenge = _pkce_pair()
        query = {
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid email api",
            "redirect_uri": redirect_uri,
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "resource": resource,
        }
        back = self.follow(requests.Session(), f"{self.issuer}/auth?{urlencode(query)}", account)
        code = parse_qs(urlparse(back).query)["code"][0]
        response = requests.post(
            f"{self.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "client_secret": client_secret,
                "code_verifier": verifier,
                "resource": resource,
            },
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def access_token(self, account: Account, **kwargs) -> str:
        return self.tokens(account, **kwargs)["access_token"]


@contextmanager
def run_oidc_provider(
    *, keys: list[dict] | None = None, port: int | None = None, web_port: int | None = None
) -> Iterator[OIDCProvider]:
    """Start node-oidc-provider on 127.0.0.1 (`port` or a free one); stop it on exit."""
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("run `npm ci` in tests/oidc_provider first (.ci/run does)")
    provider = OIDCProvider(port=port or free_port(), web_port=web_port or free_port(), keys=keys or [signing_key("key-1")])
    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir, open(ARTIFACTS / "oidc-provider.log", "ab") as log:
        config_path = Path(workdir) / "config.json"
        config_path.write_text(json.dumps(provider.config()))
        provider.process = subprocess.Popen(
            ["node", "server.js", str(config_path)], cwd=PROVIDER_DIR, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_for_port(provider.port, provider.process)
            yield provider
        finally:
            _stop(provider.process)
