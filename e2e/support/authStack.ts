import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { startStack, type Stack, type StackOptions } from '@meshlens/stack';
import { EncryptJWT } from 'jose';
import { WEB_TEST_DIR } from './buildWeb';

/**
 * The sign-in specs' own stacks: Bookinfo on the demo cluster with its three users (admin,
 * bookinfo-editor, viewer) and their RBAC, listed with their tokens (and passwords, for openid) in
 * STATE/users.json, and a console started with the given strategy's flags.
 */
export const AUTH_NS = 'bookinfo';

export interface DemoUser {
  name: 'admin' | 'bookinfo-editor' | 'viewer';
  token: string;
  password?: string;
}

export interface AuthStack {
  stack: Stack;
  /** The console's URL, without a trailing slash. */
  url: string;
  users: DemoUser[];
  user(name: DemoUser['name']): DemoUser;
  /** The session key the console seals cookies with (when `sessionKey` was asked). */
  sessionKey: string;
  stop(): Promise<void>;
}

export async function startAuthStack(options: {
  label: string;
  auth: NonNullable<StackOptions['auth']>;
  /** Flags after `--web-dir` (the strategy, its options). */
  consoleArgs: string[];
  /** Start the console with a session key of the test's own (to seal cookies as the console does). */
  sessionKey?: boolean;
}): Promise<AuthStack> {
  const stateDir = mkdtempSync(join(tmpdir(), `meshlens-e2e-${options.label}-`));
  const sessionKey = randomBytes(32).toString('base64url');
  const keyArgs: string[] = [];
  if (options.sessionKey) {
    // Not STATE/session-key: the stack writes its own key there.
    const keyFile = join(stateDir, 'e2e-session-key');
    writeFileSync(keyFile, `${sessionKey}\n`, { mode: 0o600 });
    keyArgs.push('--session-key-file', keyFile);
  }
  let stack: Stack | undefined;
  const stop = async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    stack = await startStack({
      scenario: 'bookinfo',
      stateDir,
      scrapeIntervalSeconds: 2,
      consoleArgs: ['--web-dir', WEB_TEST_DIR, ...options.consoleArgs, ...keyArgs, '--log-level', 'warn'],
      handleSignals: false,
      onProgress: (m) => process.stderr.write(`[e2e ${options.label} stack] ${m}\n`),
      auth: options.auth,
    });
    if (!stack.urls.console) throw new Error('the stack started without a console');
  } catch (err) {
    await stop();
    throw err;
  }
  // As a person would: the users the demo lists in STATE/users.json.
  const users = (JSON.parse(readFileSync(join(stateDir, 'users.json'), 'utf8')) as { users: DemoUser[] })
    .users;
  return {
    stack,
    url: stack.urls.console.replace(/\/+$/, ''),
    users,
    user: (name) => {
      const u = users.find((x) => x.name === name);
      if (!u) throw new Error(`no demo user ${name} in users.json`);
      return u;
    },
    sessionKey,
    stop,
  };
}

/** The graph of Bookinfo with `service` selected, on the console at `url`. */
export const reviewsGraphUrl = (url: string, service = 'reviews') =>
  `${url}/graph?namespaces=${AUTH_NS}&graphType=versionedApp&duration=60&idle=true&selected=${encodeURIComponent(
    nodeId.service(AUTH_NS, service),
  )}`;

/** The page is `target` again, on the console at `url` (its path and query; the app may add settings). */
export async function backAt(page: Page, url: string, target: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`^${url}/(?!signin)`));
  const want = new URL(target);
  await expect.poll(() => new URL(page.url()).pathname).toBe(want.pathname);
  const got = new URL(page.url()).searchParams;
  for (const [k, v] of want.searchParams) expect(got.get(k), k).toBe(v);
}

/**
 * Puts into the page's context a session cookie sealed as the console seals them (auth/session.ts:
 * HKDF-SHA256 of the session key, JWE dir + A256GCM), that expired a minute ago.
 */
export async function addExpiredSession(
  page: Page,
  auth: AuthStack,
  claims: { u: string; g: string[]; t: string },
): Promise<void> {
  const enc = new Uint8Array(
    hkdfSync('sha256', Buffer.from(auth.sessionKey), 'meshlens-session', 'cookie A256GCM', 32),
  );
  const kid = createHash('sha256').update(enc).digest('base64url').slice(0, 12);
  const now = Math.floor(Date.now() / 1000);
  const value = await new EncryptJWT({ ...claims, s: 'SelfSubjectReview', sid: 'e2e' })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 60)
    .encrypt(enc);
  await page.context().addCookies([
    {
      name: 'meshlens-session',
      value,
      domain: new URL(auth.url).hostname,
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
    },
  ]);
}
