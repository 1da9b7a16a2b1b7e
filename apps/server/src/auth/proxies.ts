/**
 * Trusted proxy addresses (`auth.trustedProxies`): single addresses or CIDRs, IPv4 or IPv6, matched with
 * node:net's BlockList. IPv4 peers seen as IPv4-mapped IPv6 (`::ffff:10.0.0.1`) match their IPv4 entries.
 */
import { BlockList, isIP } from 'node:net';

export interface ProxyMatcher {
  trusts(address: string | undefined): boolean;
  readonly empty: boolean;
}

const MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

export function proxyMatcher(entries: readonly string[]): ProxyMatcher {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    const [address = '', bits] = entry.split('/');
    const family = isIP(address);
    if (family === 0)
      throw new Error(`auth.trustedProxies: ${JSON.stringify(raw)} is not an address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else {
      const prefix = Number(bits);
      if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128))
        throw new Error(`auth.trustedProxies: ${JSON.stringify(raw)} has a bad prefix length`);
      list.addSubnet(address, prefix, type);
    }
  }
  return {
    empty: entries.length === 0,
    trusts(address) {
      if (!address || entries.length === 0) return false;
      const mapped = MAPPED.exec(address)?.[1];
      const a = mapped ?? address;
      const family = isIP(a);
      if (family === 0) return false;
      return list.check(a, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
