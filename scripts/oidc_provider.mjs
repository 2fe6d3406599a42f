// A real OpenID Connect provider for the demo and the browser tests (issue 20).
//
// It runs panva's certified `oidc-provider` (npm devDependency) on 127.0.0.1 with two
// clients standing in for the trust's providers:
//   - an Entra ID-style client: its ID tokens carry `xms_edov` (no `email_verified`) and,
//     when the sign-in used MFA and the portal asked for the authentication context with
//     the claims parameter, `acrs: ["c1"]`;
//   - a Google-style client: `email_verified`, and `amr` ["pwd", "mfa"] or ["pwd"].
// The sign-in page lets you pick an account and say whether you also "used your
// authenticator" (that is what sets `amr` / `acrs`). Consent is implied (first-party apps).
//
//   node scripts/oidc_provider.mjs CONFIG.json
//
// CONFIG.json (written by `manage.py sso_demo_provider` or the test suite):
//   {"issuer": "http://127.0.0.1:9000", "port": 9000,
//    "clients": [{"client_id", "client_secret", "redirect_uris", "style": "entra"|"google",
//                 "name"}],
//    "accounts": [{"email", "name"}]}
// Nothing here is for production: accounts live in memory and anyone may sign in as any
// listed account.

import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = new Map(config.accounts.map((a) => [a.email.toLowerCase(), a]));
const styles = new Map(config.clients.map((c) => [c.client_id, c.style]));

const subjectOf = (email) => `sub-${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
const bySubject = new Map([...accounts.keys()].map((email) => [subjectOf(email), email]));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', kid: 'demo-1' };

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    client_name: c.name,
    redirect_uris: c.redirect_uris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    // django-allauth sends the secret in the body when the provider allows it.
    token_endpoint_auth_method: 'client_secret_post',
    require_auth_time: true,
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified', 'xms_edov'],
    profile: ['name'],
    acrs: null,
  },
  // Like Google and Entra ID: the scope's claims go in the ID token itself.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'xms_edov', 'name', 'acrs']);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub, token) {
    const email = bySubject.get(sub);
    if (!email) return undefined;
    const account = accounts.get(email);
    return {
      accountId: sub,
      async claims(use, scope, requested) {
        const style = styles.get(ctx.oidc.client?.clientId);
        const mfa = (token?.amr || ctx.oidc.session?.amr || []).includes('mfa');
        const claims = { sub, email, name: account.name };
        if (style === 'entra') {
          claims.xms_edov = true;
          const wanted = requested?.acrs?.value || requested?.acrs?.values?.[0];
          if (mfa && wanted) claims.acrs = [wanted];
        } else {
          claims.email_verified = true;
        }
        return claims;
      },
    };
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Error</title><h1>Error</h1><p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`;
  },
});

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function page(ctx, uid, clientName, error = '') {
  const options = [...accounts.values()]
    .map((a) => `<li><code>${escape(a.email)}</code> ${escape(a.name)}</li>`)
    .join('');
  ctx.type = 'html';
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - demo identity provider</title></head><body>
<main><h1>Demo identity provider</h1>
<p>Signing in to <strong>${escape(clientName)}</strong>. This stands in for Microsoft 365 or Google.</p>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<p><label for="email">Email address</label><br><input id="email" name="email" type="email" autocomplete="username" required></p>
<p><input id="mfa" name="mfa" type="checkbox" value="1"> <label for="mfa">I also confirmed with my authenticator (multi-factor)</label></p>
<p><button type="submit">Sign in</button></p>
</form>
<h2>Accounts</h2><ul>${options}</ul></main></body></html>`;
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return next();
  ctx.set('cache-control', 'no-store');
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const client = await provider.Client.find(details.params.client_id);
  if (ctx.method === 'GET' && !match[2]) {
    return page(ctx, details.uid, client.clientName);
  }
  if (ctx.method === 'POST' && match[2]) {
    const form = await readForm(ctx.req);
    const email = (form.get('email') || '').trim().toLowerCase();
    if (!accounts.has(email)) {
      return page(ctx, details.uid, client.clientName, 'No account with that address here.');
    }
    const amr = form.get('mfa') ? ['pwd', 'mfa'] : ['pwd'];
    return provider.interactionFinished(
      ctx.req,
      ctx.res,
      { login: { accountId: subjectOf(email), amr, remember: false } },
      { mergeWithLastSubmission: false },
    );
  }
  return next();
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`demo identity provider listening on ${config.issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
