import { describe, expect, it } from 'vitest';
import { proxyMatcher } from './proxies';

describe('trusted proxies', () => {
  it('matches addresses and CIDRs, IPv4 seen as IPv4-mapped IPv6 too', () => {
    const m = proxyMatcher(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(m.trusts('10.1.2.3')).toBe(true);
    expect(m.trusts('::ffff:10.1.2.3')).toBe(true);
    expect(m.trusts('192.168.1.7')).toBe(true);
    expect(m.trusts('192.168.1.8')).toBe(false);
    expect(m.trusts('fd12::1')).toBe(true);
    expect(m.trusts('127.0.0.1')).toBe(false);
    expect(m.trusts(undefined)).toBe(false);
    expect(m.trusts('not an address')).toBe(false);
  });

  it('trusts no one when empty', () => {
    const m = proxyMatcher([]);
    expect(m.empty).toBe(true);
    expect(m.trusts('127.0.0.1')).toBe(false);
  });

  it('names a bad entry', () => {
    expect(() => proxyMatcher(['10.0.0.0/33'])).toThrow(/"10.0.0.0\/33" has a bad prefix length/);
    expect(() => proxyMatcher(['proxy.local'])).toThrow(/"proxy.local" is not an address or CIDR/);
  });
});
