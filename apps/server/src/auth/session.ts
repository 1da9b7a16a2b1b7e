/**
 * Sessions without a session store: the user's identity and bearer token sealed in an encrypted JWT (JWE,
 * `dir` + A256GCM, with jose) kept in an HttpOnly, SameSite=Strict cookie. The key comes from the config
 * or a Secret file, so any replica opens a session another one sealed, and sessions survive a restart.
 * Several keys may be given: the first seals, each opens (rotation). A CSRF token is derived from the
 * session's random id with a second key (double submit: the page reads it from /api/auth/info and sends it
 * back in a header; a forged request cannot read it).
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Identity } from '@meshlens/contract';
import { decodeJwt, EncryptJWT, errors, jwtDecrypt } from 'jose';

export const SESSION_COOKIE = 'meshlens-session';
/** A cookie holds ~4 KB; a session holding a large token is split over several. */
const CHUNK_CHARS = 3800;
export const MAX_CHUNKS = 6;

export interface SessionData {
  identity: Identity;
  /** The user's bearer token. */
  token: string;
  /** Where the identity came from. */
  source: 'SelfSubjectReview' | 'TokenReview';
}

export interface OpenSession extends SessionData {
  /** Random per sign-in; the CSRF token is derived from it. */
  sid: string;
  /** Unix ms. */
  expiresAt: number;
  /** The key that sealed it (its CSRF token is derived with that key). */
  kid: string;
}

export type OpenResult =
  { ok: true; session: OpenSession } | { ok: false; reason: 'expired' | 'invalid' | 'none' };

interface SessionKey {
  kid: string;
  enc: Uint8Array;
  csrf: Buffer;
}

const derive = (secret: string, info: string) =>
  new Uint8Array(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'meshlens-session', info, 32));

function keyOf(secret: string): SessionKey {
  const enc = derive(secret, 'cookie A256GCM');
  return {
    kid: createHash('sha256').update(enc).digest('base64url').slice(0, 12),
    enc,
    csrf: Buffer.from(derive(secret, 'csrf HMAC-SHA256')),
  };
}

export interface SessionSealer {
  /** true when the keys were made at start (sessions end with the process). */
  readonly ephemeral: boolean;
  seal(data: SessionData, ttlMs: number): Promise<{ jwe: string; session: OpenSession }>;
  open(jwe: string | undefined): Promise<OpenResult>;
  /** The CSRF token of a session. */
  csrfToken(session: Pick<OpenSession, 'sid' | 'kid'>): string;
  /** Constant-time comparison of a presented CSRF token with the session's. */
  checkCsrf(session: Pick<OpenSession, 'sid' | 'kid'>, presented: string | undefined): boolean;
  /**
   * Seals a small value for `ttlMs` with a key of its own for `purpose` (derived from the same secrets,
   * so a value sealed for one purpose never opens as another, nor as a session).
   */
  sealValue(purpose: string, value: Record<string, unknown>, ttlMs: number): Promise<string>;
  /** The value, or undefined when absent, expired, sealed for another purpose or by an unknown key. */
  openValue(purpose: string, jwe: string | undefined): Promise<Record<string, unknown> | undefined>;
}

/** The `exp` of a token that is a JWT (ServiceAccount and OIDC tokens), unix ms; undefined otherwise. */
export function tokenExpiry(token: string): number | undefined {
  try {
    const exp = decodeJwt(token).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function sessionSealer(secrets: string[], options: { now?: () => number } = {}): SessionSealer {
  const ephemeral = secrets.length === 0;
  const raw = ephemeral ? [randomBytes(32).toString('base64url')] : secrets;
  const keys = raw.map(keyOf);
  const purposeKeys = new Map<string, Uint8Array[]>();
  const keysFor = (purpose: string) => {
    let k = purposeKeys.get(purpose);
    if (!k) purposeKeys.set(purpose, (k = raw.map((secret) => derive(secret, `${purpose} A256GCM`))));
    return k;
  };
  const sealing = keys[0] as SessionKey;
  const now = options.now ?? Date.now;
  const csrfOf = (s: Pick<OpenSession, 'sid' | 'kid'>) =>
    createHmac('sha256', (keys.find((k) => k.kid === s.kid) ?? sealing).csrf)
      .update(s.sid)
      .digest('base64url');
  return {
    ephemeral,
    async seal(data, ttlMs) {
      const t = now();
      const tokenExp = tokenExpiry(data.token);
      const expiresAt = Math.min(t + ttlMs, tokenExp ?? Number.POSITIVE_INFINITY);
      const sid = randomBytes(18).toString('base64url');
      const jwe = await new EncryptJWT({
        u: data.identity.username,
        g: data.identity.groups,
        t: data.token,
        s: data.source,
        sid,
      })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: sealing.kid })
        .setIssuedAt(Math.floor(t / 1000))
        .setExpirationTime(Math.floor(expiresAt / 1000))
        .encrypt(sealing.enc);
      return {
        jwe,
        session: { ...data, sid, kid: sealing.kid, expiresAt: Math.floor(expiresAt / 1000) * 1000 },
      };
    },
    async open(jwe) {
      if (!jwe) return { ok: false, reason: 'none' };
      let expired = false;
      for (const key of keys) {
        try {
          const { payload } = await jwtDecrypt(jwe, key.enc, {
            keyManagementAlgorithms: ['dir'],
            contentEncryptionAlgorithms: ['A256GCM'],
            currentDate: new Date(now()),
            clockTolerance: 0,
          });
          const { u, g, t, s, sid } = payload as Record<string, unknown>;
          if (
            typeof u !== 'string' ||
            !Array.isArray(g) ||
            typeof t !== 'string' ||
            typeof sid !== 'string' ||
            typeof payload.exp !== 'number'
          )
            return { ok: false, reason: 'invalid' };
          return {
            ok: true,
            session: {
              identity: { username: u, groups: g.filter((x): x is string => typeof x === 'string') },
              token: t,
              source: s === 'TokenReview' ? 'TokenReview' : 'SelfSubjectReview',
              sid,
              kid: key.kid,
              expiresAt: payload.exp * 1000,
            },
          };
        } catch (err) {
          // Only the right key can decrypt, so an expired session is expired whatever key sealed it.
          if (err instanceof errors.JWTExpired) expired = true;
        }
      }
      return { ok: false, reason: expired ? 'expired' : 'invalid' };
    },
    async sealValue(purpose, value, ttlMs) {
      const t = now();
      return new EncryptJWT(value)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt(Math.floor(t / 1000))
        .setExpirationTime(Math.floor((t + ttlMs) / 1000))
        .encrypt(keysFor(purpose)[0] as Uint8Array);
    },
    async openValue(purpose, jwe) {
      if (!jwe) return undefined;
      for (const key of keysFor(purpose)) {
        try {
          const { payload } = await jwtDecrypt(jwe, key, {
            keyManagementAlgorithms: ['dir'],
            contentEncryptionAlgorithms: ['A256GCM'],
            currentDate: new Date(now()),
            clockTolerance: 0,
          });
          return payload as Record<string, unknown>;
        } catch {
          // Another key, expired, or not ours.
        }
      }
      return undefined;
    },
    csrfToken: csrfOf,
    checkCsrf(s, presented) {
      if (!presented) return false;
      const expected = Buffer.from(csrfOf(s));
      const got = Buffer.from(presented);
      return got.length === expected.length && timingSafeEqual(got, expected);
    },
  };
}

/** The secrets of config: `sessionKey`, else the non-empty lines of `sessionKeyFile`, else none. */
export async function loadSessionSecrets(config: {
  sessionKey?: string;
  sessionKeyFile?: string;
}): Promise<string[]> {
  if (config.sessionKey) return [config.sessionKey];
  if (!config.sessionKeyFile) return [];
  const text = await readFile(config.sessionKeyFile, 'utf8').catch((err: Error) =>
    Promise.reject(new Error(`auth.sessionKeyFile: ${err.message}`)),
  );
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) throw new Error(`auth.sessionKeyFile ${config.sessionKeyFile} is empty`);
  const short = lines.findIndex((l) => l.length < 32);
  if (short >= 0)
    throw new Error(
      `auth.sessionKeyFile ${config.sessionKeyFile}: line ${short + 1} is shorter than 32 characters`,
    );
  return lines;
}

/** The JWE split into cookie values (name → value), at most MAX_CHUNKS. */
export function sessionCookies(jwe: string): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i * CHUNK_CHARS < jwe.length; i++)
    out.push([
      i === 0 ? SESSION_COOKIE : `${SESSION_COOKIE}.${i}`,
      jwe.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS),
    ]);
  if (out.length > MAX_CHUNKS) throw new Error('the session is too large for cookies');
  return out;
}

/** The JWE back from the request's cookies (undefined without a session cookie). */
export function sessionFromCookies(cookies: Record<string, string | undefined>): string | undefined {
  const first = cookies[SESSION_COOKIE];
  if (!first) return undefined;
  let jwe = first;
  for (let i = 1; i < MAX_CHUNKS; i++) {
    const part = cookies[`${SESSION_COOKIE}.${i}`];
    if (!part) break;
    jwe += part;
  }
  return jwe;
}
