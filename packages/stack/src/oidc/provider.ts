/**
 * The demo's OpenID Connect provider: a real one (the `oidc-provider` package), on loopback, for
 * `npm run demo -- --auth openid`, the integration tests and e2e. It knows a few accounts with passwords
 * (made per run by the stack), signs people in on a plain login form that checks the password, grants the
 * console's client its scopes without a consent page, and issues ID tokens carrying `email`, `groups` and
 * `preferred_username` (the demo cluster names users by `sub`, which is the account name).
 *
 * The console is a native client (RFC 8252): its loopback redirect URIs match on any port, so the console
 * may start on a free port after the provider. It may be public (PKCE alone) or have a client secret.
 */
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export interface DemoAccount {
  name: string;
  password: string;
  email?: string;
  groups?: string[];
  description?: string;
}

export interface DemoProviderOptions {
  accounts: DemoAccount[];
  /** The console's client id. */
  clientId: string;
  /** Absent: a public client (token_endpoint_auth_method none, PKCE required). */
  clientSecret?: string;
  /** Path of the console's callback on loopback (any port), default /api/auth/openid/callback. */
  redirectPath?: string;
  /** Path the provider may send the browser to after signing out (any loopback port), default /signin. */
  postLogoutPath?: string;
  host?: string;
  port?: number;
  /** Lifetime of ID tokens, seconds (default 3600). */
  idTokenTtlSeconds?: number;
  /** Shown on the login page. */
  name?: string;
  log?: (line: string) => void;
}

export interface DemoProvider {
  /** The issuer (`iss`), e.g. http://127.0.0.1:43121 */
  issuer: string;
  close(): Promise<void>;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
    font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
    background:#eef1f5;color:#1c2330}
  main{width:100%;max-width:380px;background:#fff;border-radius:10px;padding:28px 32px;
    box-shadow:0 8px 30px rgba(20,30,50,.15)}
  .brand{font-size:13px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;color:#5a6475;margin:0 0 14px}
  h1{font-size:21px;margin:0 0 6px}
  p{margin:0 0 16px;color:#4a5465}
  label{display:block;font-weight:600;margin:14px 0 6px}
  input{width:100%;padding:9px 11px;font-size:15px;border:1px solid #b8c0cc;border-radius:6px;background:#fff;color:#1c2330}
  input:focus{outline:2px solid #2f6fdb;outline-offset:1px;border-color:#2f6fdb}
  button{margin-top:20px;width:100%;padding:10px;font-size:15px;font-weight:600;border:0;border-radius:6px;
    background:#2563c9;color:#fff;cursor:pointer}
  button:hover{background:#1d4fa3}
  button.secondary{background:#e3e7ee;color:#1c2330;margin-top:10px}
  .error{background:#fdecec;color:#a11a1a;border:1px solid #f3b9b9;border-radius:6px;padding:8px 10px;font-weight:600}
  .hint{font-size:13px;color:#5a6475;margin-top:18px}
  code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px}`;

function page(title: string, body: string, brand: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main><p class="brand">${esc(brand)}</p>${body}</main></body></html>`;
}

function loginForm(uid: string, brand: string, clientName: string, user = '', error?: string): string {
  return page(
    `Sign in · ${brand}`,
    `<h1>Sign in</h1>
<p>to continue to ${esc(clientName)}</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
  <label for="username">User name</label>
  <input id="username" name="username" value="${esc(user)}" required autofocus autocapitalize="off" spellcheck="false">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button type="submit">Sign in</button>
  <button type="submit" name="cancel" value="1" class="secondary" formnovalidate>Cancel</button>
</form>
<p class="hint">Demo accounts and their passwords are listed in <code>.demo/users.json</code>.</p>`,
    brand,
  );
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 16_384) throw new Error('form too large');
  }
  return new URLSearchParams(text);
}

/** Starts the provider on host:port (127.0.0.1 and a free port by default). */
export async function startDemoProvider(options: DemoProviderOptions): Promise<DemoProvider> {
  const brand = options.name ?? 'meshlens demo identity provider';
  const log = options.log ?? (() => undefined);
  const accounts = new Map(options.accounts.map((a) => [a.name, a]));
  const redirectPath = options.redirectPath ?? '/api/auth/openid/callback';
  const postLogoutPath = options.postLogoutPath ?? '/signin';
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  const issuer = `http://${host}:${address.port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'demo-1', use: 'sig', alg: 'RS256' };
  const loopbacks = (path: string) => [
    `http://127.0.0.1${path}`,
    `http://localhost${path}`,
    `http://[::1]${path}`,
  ];

  const configuration: Configuration = {
    clients: [
      {
        client_id: options.clientId,
        client_name: 'meshlens',
        application_type: 'native',
        redirect_uris: loopbacks(redirectPath),
        post_logout_redirect_uris: loopbacks(postLogoutPath),
        response_types: ['code'],
        grant_types: ['authorization_code'],
        ...(options.clientSecret
          ? { client_secret: options.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
          : { token_endpoint_auth_method: 'none' }),
      },
    ],
    // Every authorization request of every client needs PKCE (S256, the only method supported).
    pkce: { required: () => true },
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    // The ID token carries the scopes' claims (kube-apiserver reads only the ID token).
    conformIdTokenClaims: false,
    ttl: {
      IdToken: options.idTokenTtlSeconds ?? 3600,
      AccessToken: options.idTokenTtlSeconds ?? 3600,
      Session: 8 * 3600,
      Interaction: 600,
      Grant: 8 * 3600,
      AuthorizationCode: 60,
    },
    async findAccount(_ctx, id) {
      const a = accounts.get(id);
      if (!a) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: a.name,
            name: a.name,
            preferred_username: a.name,
            email: a.email ?? `${a.name}@meshlens.demo`,
            email_verified: true,
            groups: a.groups ?? [],
          };
        },
      };
    },
    // Consent is granted for the console's client: whatever it asked for, once the user signed in.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page(
            `Sign out · ${brand}`,
            `<h1>Sign out</h1><p>Sign out of ${esc(brand)} as well?</p>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in here</button>`,
            brand,
          );
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page(
            `Signed out · ${brand}`,
            '<h1>Signed out</h1><p>You may close this page.</p>',
            brand,
          );
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(
        `Error · ${brand}`,
        `<h1>Sign-in error</h1><p class="error">${esc(String(out.error))}${out.error_description ? `: ${esc(String(out.error_description))}` : ''}</p>`,
        brand,
      );
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, err) => log(`demo-oidc: server error: ${String(err)}`));
  const callback = provider.callback();

  const send = (res: ServerResponse, status: number, html: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader(
      'content-security-policy',
      // No form-action: Chromium applies it to the redirects after the form, which end at the console.
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    );
    res.end(html);
  };

  const interaction = async (req: IncomingMessage, res: ServerResponse, uid: string, action?: string) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid)
      return send(res, 400, page('Error', '<h1>This sign-in is not in progress here</h1>', brand));
    const client = await provider.Client.find(String(details.params.client_id));
    const clientName = client?.clientName ?? String(details.params.client_id);
    if (req.method === 'GET' && !action) {
      if (details.prompt.name === 'login') return send(res, 200, loginForm(uid, brand, clientName));
      // Consent, asked of native clients on every sign-in (RFC 8252), even when the provider's session
      // signs the user in without the form: granted for the console's client (its grant: loadExistingGrant).
      return provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
    }
    if (req.method === 'POST' && action === 'login') {
      const form = await formBody(req);
      if (form.get('cancel'))
        return provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'the user cancelled the sign-in' },
          { mergeWithLastSubmission: false },
        );
      const name = (form.get('username') ?? '').trim();
      const password = form.get('password') ?? '';
      const account = accounts.get(name);
      // The same answer for an unknown name and a wrong password.
      if (!account || !sameText(password, account.password)) {
        log(`demo-oidc: refused sign-in of ${JSON.stringify(name)}`);
        return send(res, 401, loginForm(uid, brand, clientName, name, 'Wrong user name or password.'));
      }
      log(`demo-oidc: ${name} signed in`);
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: name }, consent: {} },
        { mergeWithLastSubmission: false },
      );
    }
    return send(res, 405, page('Error', '<h1>Not allowed</h1>', brand));
  };

  handler = (req, res) => {
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?\/?$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (!m) return void callback(req, res);
    interaction(req, res, m[1] as string, m[2]).catch((err: unknown) => {
      log(`demo-oidc: interaction: ${String(err)}`);
      if (!res.headersSent)
        send(
          res,
          400,
          page(
            `Error · ${brand}`,
            `<h1>Sign-in error</h1><p class="error">${esc(err instanceof Error ? err.message : String(err))}</p><p>Go back to the console and sign in again.</p>`,
            brand,
          ),
        );
    });
  };

  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
