import { describe, expect, it } from 'vitest';
import { TooManyRequestsError } from '../errors';
import { FOLLOW_RETRY_AFTER_SECONDS, followLimiter } from './follows';

describe('followLimiter', () => {
  it('holds at most max places per client, each client its own', () => {
    const follows = followLimiter(2);
    follows.acquire('a');
    follows.acquire('a');
    let refused: unknown;
    try {
      follows.acquire('a');
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    const e = refused as TooManyRequestsError;
    expect(e.status).toBe(429);
    expect(e.headers).toEqual({ 'Retry-After': String(FOLLOW_RETRY_AFTER_SECONDS) });
    expect(e.message).toMatch(/^you already follow 2 logs, .*\(logs\.maxFollowsPerClient\)/);
    expect(e.details).toEqual({ limit: 2, open: 2 });
    expect(() => follows.acquire('b')).not.toThrow();
    expect([follows.open('a'), follows.open('b')]).toEqual([2, 1]);
  });

  it('gives a place back once, however often its release is called', () => {
    const follows = followLimiter(1);
    const release = follows.acquire('a');
    release();
    release();
    expect(follows.open('a')).toBe(0);
    const again = follows.acquire('a');
    release(); // an old release does not free the new place
    expect(follows.open('a')).toBe(1);
    expect(() => follows.acquire('a')).toThrow(TooManyRequestsError);
    again();
    expect(follows.open('a')).toBe(0);
  });

  it('0: no limit, still counted', () => {
    const follows = followLimiter(0);
    const releases = Array.from({ length: 50 }, () => follows.acquire('a'));
    expect(follows.open('a')).toBe(50);
    for (const r of releases) r();
    expect(follows.open('a')).toBe(0);
  });
});
