import { describe, expect, it } from 'vitest';
import {
  hostMatches,
  hostSpecificity,
  hostsIntersect,
  ipv4InCidr,
  isExportedTo,
  resolveConfigHost,
  splitHostPort,
} from './hosts';
import { formatDuration, parseDuration } from './duration';
import { mulberry32, seedFromString } from './random';
import { retryBackoffMs, retryDecision } from './retry';

describe('hosts', () => {
  it('resolves config short names in the object namespace only', () => {
    expect(resolveConfigHost('reviews', 'bookinfo')).toBe('reviews.bookinfo.svc.cluster.local');
    expect(resolveConfigHost('reviews.bookinfo', 'x')).toBe('reviews.bookinfo');
    expect(resolveConfigHost('*', 'x')).toBe('*');
    expect(resolveConfigHost('*.example.com', 'x')).toBe('*.example.com');
    expect(resolveConfigHost('10.0.0.1', 'x')).toBe('10.0.0.1');
  });

  it('wildcards', () => {
    expect(hostMatches('*.example.com', 'a.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'a.b.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'example.com')).toBe(false);
    expect(hostMatches('*', 'anything')).toBe(true);
    expect(hostMatches('a.example.com', '*.example.com')).toBe(false);
    expect(hostsIntersect('a.example.com', '*.example.com')).toBe(true);
    expect(hostSpecificity('a.b')).toBeGreaterThan(hostSpecificity('*.very.long.suffix.example.com'));
    expect(hostSpecificity('*.b.example.com')).toBeGreaterThan(hostSpecificity('*.example.com'));
  });

  it('exportTo', () => {
    expect(isExportedTo(undefined, 'a', 'b')).toBe(true);
    expect(isExportedTo(['*'], 'a', 'b')).toBe(true);
    expect(isExportedTo(['.'], 'a', 'a')).toBe(true);
    expect(isExportedTo(['.'], 'a', 'b')).toBe(false);
    expect(isExportedTo(['b'], 'a', 'b')).toBe(true);
    expect(isExportedTo(['b'], 'a', 'a')).toBe(false);
    expect(isExportedTo(['~'], 'a', 'a')).toBe(false);
  });

  it('host:port and CIDRs', () => {
    expect(splitHostPort('reviews:9080')).toEqual({ host: 'reviews', port: 9080 });
    expect(splitHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(splitHostPort('reviews')).toEqual({ host: 'reviews' });
    expect(ipv4InCidr('10.1.2.3', '10.1.0.0/16')).toBe(true);
    expect(ipv4InCidr('10.2.2.3', '10.1.0.0/16')).toBe(false);
    expect(ipv4InCidr('10.2.2.3', '10.2.2.3')).toBe(true);
    expect(ipv4InCidr('host', '0.0.0.0/0')).toBe(false);
  });
});

describe('durations', () => {
  it('parses protobuf and Go forms to ms', () => {
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('100ms')).toBe(100);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('250us')).toBe(0.25);
    expect(parseDuration('7')).toBeUndefined();
    expect(parseDuration('abc')).toBeUndefined();
    expect(parseDuration('1s garbage')).toBeUndefined();
    expect(parseDuration(undefined)).toBeUndefined();
  });

  it('formats', () => {
    expect(formatDuration(100)).toBe('100ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(3_600_000)).toBe('1h');
  });
});

describe('random and back-off', () => {
  it('mulberry32 is deterministic per seed and uniform enough', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
    expect(seedFromString('reviews')).toBe(seedFromString('reviews'));
  });

  it('jittered exponential back-off capped at 10 × base', () => {
    const d = retryDecision(undefined);
    expect(retryBackoffMs(d, 1, () => 0.999)).toBeLessThan(25);
    expect(retryBackoffMs(d, 2, () => 0.999)).toBeLessThan(75);
    expect(retryBackoffMs(d, 10, () => 0.999)).toBeLessThan(250);
    expect(retryBackoffMs(d, 10, () => 0.999)).toBeGreaterThan(249);
    const slow = retryDecision({ attempts: 1, backoff: '100ms' });
    expect(slow.backoffBaseMs).toBe(100);
  });
});
