import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptJWT, UnsecuredJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadSessionSecrets,
  SESSION_COOKIE,
  sessionCookies,
  sessionFromCookies,
  sessionSealer,
  tokenExpiry,
} from './session';

const KEY_A = 'a'.repeat(40);
const KEY_B = 'b'.repeat(40);
const data = {
  identity: { username: 'viewer', groups: ['system:authenticated'] },
  token: 'static-token-of-viewer',
  source: 'SelfSubjectReview' as const,
};
const HOUR = 3_600_000;

describe('session cookies', () => {
  it('opens what it sealed: identity, token and expiry; the JWE does not show the token', async () => {
    let t = 1_700_000_000_000;
    const sealer = sessionSealer([KEY_A], { now: () => t });
    const { jwe, session } = await sealer.seal(data, HOUR);
    expect(jwe.split('.')).toHaveLength(5); // compact JWE
    expect(jwe).not.toContain('static-token');
    expect(Buffer.from(jwe.split('.')[0] as string, 'base64url').toString()).toContain('"alg":"dir"');
    t += HOUR - 1000;
    const opened = await sealer.open(jwe);
    expect(opened).toMatchObject({
      ok: true,
      session: { ...data, sid: session.sid, expiresAt: 1_700_000_000_000 + HOUR },
    });
  });

  it('refuses an expired session as expired, and a forged or foreign one as invalid', async () => {
    let t = 1_700_000_000_000;
    const sealer = sessionSealer([KEY_A], { now: () => t });
    const { jwe } = await sealer.seal(data, HOUR);
    t += HOUR;
    expect(await sealer.open(jwe)).toEqual({ ok: false, reason: 'expired' });
    t -= HOUR;
    const parts = jwe.split('.');
    const flipped = parts[3]?.startsWith('A') ? `B${parts[3].slice(1)}` : `A${parts[3]?.slice(1)}`;
    const tampered = [...parts.slice(0, 3), flipped, parts[4]].join('.');
    expect(await sealer.open(tampered)).toEqual({ ok: false, reason: 'invalid' });
    expect(await sessionSealer([KEY_B], { now: () => t }).open(jwe)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    // An unencrypted JWT with the same claims is not a session.
    const plain = new UnsecuredJWT({ u: 'admin', g: [], t: 'x', sid: 's' }).setExpirationTime('1h').encode();
    expect(await sealer.open(plain)).toEqual({ ok: false, reason: 'invalid' });
    expect(await sealer.open(undefined)).toEqual({ ok: false, reason: 'none' });
  });

  it('opens sessions of every configured key and seals with the first (rotation), across instances', async () => {
    const old = sessionSealer([KEY_A]);
    const { jwe, session } = await old.seal(data, HOUR);
    const rotated = sessionSealer([KEY_B, KEY_A]);
    const opened = await rotated.open(jwe);
    expect(opened.ok).toBe(true);
    // The CSRF token stays the one the session had (derived with the key that sealed it).
    if (opened.ok) expect(rotated.csrfToken(opened.session)).toBe(old.csrfToken(session));
    const fresh = await rotated.seal(data, HOUR);
    expect((await old.open(fresh.jwe)).ok).toBe(false);
    expect((await sessionSealer([KEY_B]).open(fresh.jwe)).ok).toBe(true);
  });

  it('ends the session when the token itself expires (a JWT with exp)', async () => {
    const t = 1_700_000_000_000;
    const sealer = sessionSealer([KEY_A], { now: () => t });
    const token = new UnsecuredJWT({ sub: 'system:serviceaccount:ns:sa' })
      .setExpirationTime(Math.floor(t / 1000) + 600)
      .encode();
    expect(tokenExpiry(token)).toBe(t + 600_000);
    expect(tokenExpiry('not-a-jwt')).toBeUndefined();
    const { session } = await sealer.seal({ ...data, token }, HOUR);
    expect(session.expiresAt).toBe(t + 600_000);
  });

  it('derives a CSRF token per session and compares it exactly', async () => {
    const sealer = sessionSealer([KEY_A]);
    const a = (await sealer.seal(data, HOUR)).session;
    const b = (await sealer.seal(data, HOUR)).session;
    const token = sealer.csrfToken(a);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(sealer.checkCsrf(a, token)).toBe(true);
    expect(sealer.checkCsrf(b, token)).toBe(false);
    expect(sealer.checkCsrf(a, undefined)).toBe(false);
    expect(sealer.checkCsrf(a, `${token}x`)).toBe(false);
    // Another key gives other tokens for the same session id.
    expect(sessionSealer([KEY_B]).csrfToken(a)).not.toBe(token);
  });

  it('splits a large session over several cookies and joins them back', async () => {
    const sealer = sessionSealer([KEY_A]);
    const big = { ...data, token: 'x'.repeat(6000) };
    const { jwe } = await sealer.seal(big, HOUR);
    const cookies = sessionCookies(jwe);
    expect(cookies.length).toBeGreaterThan(1);
    expect(cookies[0]?.[0]).toBe(SESSION_COOKIE);
    expect(cookies.every(([, v]) => v.length <= 3800)).toBe(true);
    const joined = sessionFromCookies(Object.fromEntries(cookies));
    expect(joined).toBe(jwe);
    const opened = await sealer.open(joined);
    expect(opened.ok && opened.session.token).toBe(big.token);
  });

  it('an ephemeral sealer (no key) still works within the process, and says so', async () => {
    const sealer = sessionSealer([]);
    expect(sealer.ephemeral).toBe(true);
    const { jwe } = await sealer.seal(data, HOUR);
    expect((await sealer.open(jwe)).ok).toBe(true);
    expect((await sessionSealer([]).open(jwe)).ok).toBe(false);
  });

  it('does not accept a JWE made with another algorithm, even with the right key material', async () => {
    const sealer = sessionSealer([KEY_A]);
    const other = await new EncryptJWT({ u: 'admin', g: [], t: 'x', sid: 's' })
      .setProtectedHeader({ alg: 'dir', enc: 'A128CBC-HS256' })
      .setExpirationTime('1h')
      .encrypt(new Uint8Array(32));
    expect(await sealer.open(other)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('loadSessionSecrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads one key per line from a file; the config key wins', async () => {
    const file = join(dir, 'keys');
    writeFileSync(file, `${KEY_B}\n\n${KEY_A}\n`);
    expect(await loadSessionSecrets({ sessionKeyFile: file })).toEqual([KEY_B, KEY_A]);
    expect(await loadSessionSecrets({ sessionKey: KEY_A, sessionKeyFile: file })).toEqual([KEY_A]);
    expect(await loadSessionSecrets({})).toEqual([]);
  });

  it('names the file and line of a short or missing key', async () => {
    const file = join(dir, 'short');
    writeFileSync(file, `${KEY_A}\nshort\n`);
    await expect(loadSessionSecrets({ sessionKeyFile: file })).rejects.toThrow(/line 2 is shorter than 32/);
    await expect(loadSessionSecrets({ sessionKeyFile: join(dir, 'none') })).rejects.toThrow(
      /auth.sessionKeyFile: ENOENT/,
    );
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    await expect(loadSessionSecrets({ sessionKeyFile: empty })).rejects.toThrow(/is empty/);
  });
});
