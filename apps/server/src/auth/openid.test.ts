import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { flowFailure, openFlow, returnPath, sealFlow, sealNotice, type FlowState } from './openid';
import { sessionSealer } from './session';

const KEY = 'f'.repeat(40);
const FLOW: FlowState = {
  verifier: 'v'.repeat(43),
  state: 'the-state',
  nonce: 'the-nonce',
  next: '/graph?namespaces=bookinfo',
  redirectUri: 'http://127.0.0.1:20001/api/auth/openid/callback',
};

describe('returnPath: where sign-in comes back to', () => {
  it('keeps a path of this console, normalised', () => {
    expect(returnPath('/graph?namespaces=bookinfo&duration=60#x')).toEqual({
      ok: true,
      path: '/graph?namespaces=bookinfo&duration=60#x',
    });
    expect(returnPath('/a/../istio/./x')).toEqual({ ok: true, path: '/istio/x' });
    expect(returnPath('/../../etc')).toEqual({ ok: true, path: '/etc' });
    expect(returnPath(undefined)).toEqual({ ok: true, path: '/' });
    expect(returnPath('')).toEqual({ ok: true, path: '/' });
  });

  it('leads the sign-in page and the API back to /', () => {
    for (const p of ['/signin', '/signin?next=/x', '/api/auth/openid/login', '/api'])
      expect(returnPath(p), p).toEqual({ ok: true, path: '/' });
    expect(returnPath('/signinx')).toEqual({ ok: true, path: '/signinx' });
  });

  it('refuses URLs of other sites and what browsers read as such', () => {
    for (const bad of [
      'https://evil.example/',
      '//evil.example/path',
      '/\\evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      'graph',
      '/\t/evil.example',
      '/x\r\nSet-Cookie: a=b',
      `/${'a'.repeat(3000)}`,
    ]) {
      const r = returnPath(bad);
      expect(r.ok, bad).toBe(false);
    }
    expect(returnPath('//evil.example')).toMatchObject({ reason: expect.stringMatching(/single \//) });
  });
});

describe('the flow cookie', () => {
  it('opens what it sealed, with the same key only', async () => {
    const sealer = sessionSealer([KEY]);
    const jwe = await sealFlow(sealer, FLOW);
    expect(await openFlow(sealer, jwe)).toEqual({ flow: FLOW });
    expect(await openFlow(sessionSealer(['g'.repeat(40)]), jwe)).toBeUndefined();
    // Rotation: an older key still opens it.
    expect(await openFlow(sessionSealer(['n'.repeat(40), KEY]), jwe)).toEqual({ flow: FLOW });
    expect(jwe).not.toContain('the-state');
    expect(await openFlow(sealer, undefined)).toBeUndefined();
    expect(await openFlow(sealer, `${jwe.slice(0, -3)}abc`)).toBeUndefined();
  });

  it('is no session cookie, and a session cookie is no flow', async () => {
    const sealer = sessionSealer([KEY]);
    const flow = await sealFlow(sealer, FLOW);
    expect((await sealer.open(flow)).ok).toBe(false);
    const { jwe } = await sealer.seal(
      { identity: { username: 'u', groups: [] }, token: 't', source: 'SelfSubjectReview' },
      60_000,
    );
    expect(await openFlow(sealer, jwe)).toBeUndefined();
  });

  it('expires after 10 minutes; a failure notice after 2', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z');
    const sealer = sessionSealer([KEY], { now: () => t });
    const flow = await sealFlow(sealer, FLOW);
    const notice = await sealNotice(sealer, 'no luck');
    t += 119_000;
    expect(await openFlow(sealer, notice)).toEqual({ notice: 'no luck' });
    t += 2_000;
    expect(await openFlow(sealer, notice)).toBeUndefined();
    expect(await openFlow(sealer, flow)).toEqual({ flow: FLOW });
    t += 480_000;
    expect(await openFlow(sealer, flow)).toBeUndefined();
  });
});

describe('the session of an ID token', () => {
  it('ends with the ID token when it ends before the session TTL, else at the TTL', async () => {
    const t = Date.parse('2030-01-01T00:00:00Z');
    const sealer = sessionSealer([KEY], { now: () => t });
    const idToken = async (expS: number) =>
      // Only its exp matters here (the API server checks the signature); an unsigned-looking JWT will do.
      [
        Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url'),
        Buffer.from(JSON.stringify({ iss: 'https://idp', exp: expS })).toString('base64url'),
        'sig',
      ].join('.');
    const identity = { username: 'viewer', groups: [] };
    const short = await sealer.seal(
      { identity, token: await idToken(t / 1000 + 300), source: 'SelfSubjectReview' },
      8 * 3_600_000,
    );
    expect(short.session.expiresAt).toBe(t + 300_000);
    const long = await sealer.seal(
      { identity, token: await idToken(t / 1000 + 86_400), source: 'SelfSubjectReview' },
      3_600_000,
    );
    expect(long.session.expiresAt).toBe(t + 3_600_000);
  });
});

describe('flowFailure: what the sign-in page says', () => {
  it('names the provider and what it said', () => {
    const denied = new client.AuthorizationResponseError('x', {
      cause: new URLSearchParams({ error: 'access_denied', error_description: 'no' }),
    });
    expect(flowFailure(denied, 'Okta')).toBe('Okta did not sign you in (access denied: no).');
    const other = new client.AuthorizationResponseError('x', {
      cause: new URLSearchParams({ error: 'invalid_scope' }),
    });
    expect(flowFailure(other, 'Okta')).toBe('Okta refused the sign-in: invalid_scope.');
    expect(flowFailure(new Error('boom'), 'Okta')).toBe('Sign-in with Okta failed: boom');
  });
});
