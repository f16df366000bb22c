// A real OpenID Connect provider (node-oidc-provider) that stands in for AWS Cognito in tests.
//
// Run: node server.js /path/to/config.json
// The JSON config (written by apps/accounts/tests/oidc_support.py) names the port, the signing
// keys (private JWKs; the first signs), the clients, the test accounts and the API resources.
// Everything the provider issues is produced by oidc-provider itself and signed with those keys;
// this script only adds what Cognito has and oidc-provider leaves to the host application:
// a login page (with a "Cancel" that answers `access_denied`), first-party consent, and
// Cognito-shaped claims (`cognito:groups`, `token_use`).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const accountsBySub = new Map(config.accounts.map((account) => [account.sub, account]));
const DEFAULT_ACCESS_TOKEN_TTL_S = config.access_token_ttl_s ?? 600;

const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  jwks: { keys: config.keys },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  // Like Cognito's ID token: the scope's claims travel in the ID token, not only at userinfo.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'cognito:groups'],
    email: ['email', 'email_verified'],
  },
  async findAccount(ctx, sub) {
    const account = accountsBySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        const claims = { sub, 'cognito:groups': account.groups ?? [] };
        if (account.email) {
          claims.email = account.email;
          claims.email_verified = account.email_verified;
        }
        return claims;
      },
    };
  },
  // Cognito access tokens say what they are and carry the user's groups.
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'AccessToken') return undefined;
    const account = accountsBySub.get(token.accountId);
    return { token_use: 'access', 'cognito:groups': account?.groups ?? [] };
  },
  ttl: {
    AccessToken(ctx, token) {
      return accountsBySub.get(token.accountId)?.access_token_ttl_s ?? DEFAULT_ACCESS_TOKEN_TTL_S;
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    // Access tokens for a registered API are JWTs (RFC 9068) signed with the provider's keys.
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf,
      useGrantedResource: async () => true,
      async getResourceServerInfo(ctx, indicator) {
        if (!(config.resources ?? []).includes(indicator)) throw new errors.InvalidTarget();
        return { scope: 'api', audience: indicator, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
    // Like Cognito's /logout: no confirmation page, the session ends and the browser goes back.
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!doctype html><html><body>${form}
          <input type="hidden" form="op.logoutForm" name="logout" value="yes">
          <script>document.forms['op.logoutForm'].submit()</script></body></html>`;
      },
    },
  },
});

function page(res, status, title, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
    <body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

function loginForm(res, uid, error) {
  page(res, error ? 401 : 200, 'Test identity provider', `
    ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
    <form method="post" action="/interaction/${uid}/login">
      <label>E-mail <input name="email" type="email" autofocus></label>
      <label>Password <input name="password" type="password"></label>
      <button type="submit" name="action" value="login">Sign in</button>
    </form>
    <form method="post" action="/interaction/${uid}/abort">
      <button type="submit">Cancel</button>
    </form>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// First-party application: grant what was asked for without a consent screen, as Cognito does.
async function grantConsent(req, res, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, 'Interaction mismatch', '');
  if (req.method === 'GET' && !action) {
    if (details.prompt.name === 'login') return loginForm(res, uid);
    return grantConsent(req, res, details);
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const email = (form.get('email') ?? '').toLowerCase();
    const account = config.accounts.find((candidate) => (candidate.login ?? candidate.email ?? '').toLowerCase() === email);
    if (!account || account.password !== form.get('password')) return loginForm(res, uid, 'Wrong e-mail or password.');
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === 'abort') {
    return provider.interactionFinished(
      req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false },
    );
  }
  return page(res, 405, 'Method not allowed', '');
}

const providerHandler = provider.callback();
const server = createServer((req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?\/?$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return providerHandler(req, res);
  return interaction(req, res, match[1], match[2]).catch((error) => {
    console.error(error);
    if (!res.headersSent) page(res, 500, 'Interaction failed', `<pre>${escapeHtml(error.message)}</pre>`);
  });
});
server.listen(config.port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
