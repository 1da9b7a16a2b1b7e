/**
 * Request matching: StringMatch (exact / prefix / RE2 regex with whole-string semantics), HTTP match blocks
 * (runtime conditions ANDed) and the config-time filters (sourceLabels, sourceNamespace, per-match gateways)
 * that decide which proxies receive a rule at all. Spec: TRAFFIC-SEMANTICS.md §2.
 */
import type { HTTPMatchRequest, HTTPRoute, L4MatchAttributes, StringMatch } from './model';
import { ipv4InCidr, labelsMatch } from './hosts';

const regexCache = new Map<string, RegExp | null>();

/**
 * Compiles an RE2 expression into an anchored JS RegExp (Envoy's safe_regex must match the whole value).
 * Handles the RE2-only spellings that appear in practice: a leading `(?i)` and `(?P<name>…)` groups.
 * Returns null for an expression JS cannot compile (istiod would have rejected it).
 */
export function compileRe2(expr: string): RegExp | null {
  const cached = regexCache.get(expr);
  if (cached !== undefined) return cached;
  let source = expr;
  let flags = 'u';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags += 'i';
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$');
  let re: RegExp | null;
  try {
    re = new RegExp(`^(?:${source})$`, flags);
  } catch {
    try {
      re = new RegExp(`^(?:${source})$`, flags.replace('u', ''));
    } catch {
      re = null;
    }
  }
  if (regexCache.size > 5000) regexCache.clear();
  regexCache.set(expr, re);
  return re;
}

/** True when the StringMatch sets none of exact/prefix/regex (or regex `*`): it only tests presence. */
export function isPresenceMatch(m: StringMatch | null | undefined): boolean {
  if (!m) return true;
  return m.exact === undefined && m.prefix === undefined && (m.regex === undefined || m.regex === '*');
}

/** Tests one value; `undefined` means "absent", which only a negated (withoutHeaders) match can accept. */
export function stringMatches(
  m: StringMatch | null | undefined,
  value: string | undefined,
  ignoreCase = false,
): boolean {
  if (value === undefined) return false;
  if (isPresenceMatch(m) || !m) return true;
  if (m.exact !== undefined) {
    return ignoreCase ? m.exact.toLowerCase() === value.toLowerCase() : m.exact === value;
  }
  if (m.prefix !== undefined) {
    return ignoreCase ? value.toLowerCase().startsWith(m.prefix.toLowerCase()) : value.startsWith(m.prefix);
  }
  const re = compileRe2(m.regex ?? '');
  return re ? re.test(value) : false;
}

/** What an HTTP match block is tested against. Header names are lowercase. */
export interface MatchRequest {
  /** `:path` as sent, query string included. */
  path: string;
  method: string;
  authority: string;
  scheme: string;
  port?: number;
  headers: Record<string, string>;
}

/** Path without the query string. */
export function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/** First value of each query parameter; `?flag` yields `flag: ''`. */
export function parseQuery(path: string): Map<string, string> {
  const out = new Map<string, string>();
  const q = path.indexOf('?');
  if (q < 0) return out;
  for (const part of path.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Lowercases header names (HTTP/2 style) so lookups are case-insensitive. */
export function normalizeHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

const PSEUDO_HEADER_KEYS = new Set(['uri', 'scheme', 'method', 'authority']);

/**
 * Runtime test of one match block: every condition set must hold. Envoy's `path` (exact) and `safe_regex`
 * matchers strip the query string; its `prefix` matcher sees the whole `:path`.
 */
export function httpMatchBlockMatches(block: HTTPMatchRequest, req: MatchRequest): boolean {
  const ignoreCase = block.ignoreUriCase === true;
  if (block.uri) {
    const u = block.uri;
    const value = u.prefix !== undefined ? req.path : pathOnly(req.path);
    if (!stringMatches(u, value, ignoreCase && u.regex === undefined)) return false;
  }
  if (block.method && !stringMatches(block.method, req.method)) return false;
  if (block.authority && !stringMatches(block.authority, req.authority)) return false;
  if (block.scheme && !stringMatches(block.scheme, req.scheme)) return false;
  if (block.port !== undefined && block.port !== 0 && block.port !== req.port) return false;
  for (const [name, m] of Object.entries(block.headers ?? {})) {
    const key = name.toLowerCase();
    if (PSEUDO_HEADER_KEYS.has(key)) continue;
    if (!stringMatches(m, req.headers[key])) return false;
  }
  for (const [name, m] of Object.entries(block.withoutHeaders ?? {})) {
    const key = name.toLowerCase();
    if (PSEUDO_HEADER_KEYS.has(key)) continue;
    const value = req.headers[key];
    // Envoy: invert_match + treat_missing_header_as_empty for value matchers; presence is simply negated.
    const hit = isPresenceMatch(m) ? value !== undefined : stringMatches(m, value ?? '');
    if (hit) return false;
  }
  if (block.queryParams && Object.keys(block.queryParams).length > 0) {
    const query = parseQuery(req.path);
    for (const [name, m] of Object.entries(block.queryParams)) {
      if (!stringMatches(m, query.get(name))) return false;
    }
  }
  return true;
}

/**
 * Config-time filter (`sourceMatchHTTP` in istiod): does this proxy receive the match block at all?
 * `gateways` on the block, when set, replaces the source checks; otherwise `sourceLabels` must be a subset
 * of the proxy's labels and `sourceNamespace`, if set, must be the proxy's namespace. `proxyGateways` holds
 * `mesh` for sidecars, or the gateway's `namespace/name` entries.
 */
export function blockAppliesToProxy(
  block: { sourceLabels?: Record<string, string>; sourceNamespace?: string; gateways?: string[] },
  proxyLabels: Record<string, string>,
  proxyNamespace: string,
  proxyGateways: ReadonlySet<string>,
  resolveGateway: (g: string) => string,
): boolean {
  if (block.gateways && block.gateways.length > 0) {
    return block.gateways.some((g) => proxyGateways.has(resolveGateway(g)));
  }
  if (!labelsMatch(block.sourceLabels, proxyLabels)) return false;
  return !block.sourceNamespace || block.sourceNamespace === proxyNamespace;
}

/** istiod's `isCatchAllMatch`: URI prefix `/` (or regex `*`/`.*`) and nothing else. */
export function isCatchAllMatch(m: HTTPMatchRequest): boolean {
  const u = m.uri;
  const catchAllUri = !u || isPresenceMatch(u) || u.prefix === '/' || u.regex === '*' || u.regex === '.*';
  return (
    catchAllUri &&
    Object.keys(m.headers ?? {}).length === 0 &&
    Object.keys(m.queryParams ?? {}).length === 0 &&
    Object.keys(m.withoutHeaders ?? {}).length === 0 &&
    Object.keys(m.sourceLabels ?? {}).length === 0 &&
    (m.gateways ?? []).length === 0 &&
    !m.method &&
    !m.scheme &&
    !m.authority &&
    !m.port &&
    !m.sourceNamespace
  );
}

/** A rule without `match`, or with a catch-all match block, takes every request that reaches it. */
export function isCatchAllRule(rule: HTTPRoute): boolean {
  return !rule.match || rule.match.length === 0 || rule.match.some(isCatchAllMatch);
}

/** Runtime part of a TCP match block: destination port and (IPv4) destination subnets. */
export function l4MatchBlockMatches(
  block: L4MatchAttributes,
  destination: { ip?: string; port: number },
): boolean {
  if (block.port !== undefined && block.port !== 0 && block.port !== destination.port) return false;
  if (block.destinationSubnets && block.destinationSubnets.length > 0) {
    const ip = destination.ip;
    if (!ip || !block.destinationSubnets.some((c) => ipv4InCidr(ip, c))) return false;
  }
  // sourceSubnet needs the caller's address, which the evaluator does not model: such a block never matches.
  if (block.sourceSubnet) return false;
  return true;
}
