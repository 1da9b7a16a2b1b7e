/**
 * Request-health tolerances, Kiali style: for each tolerance, error% = rate of matching codes / total rate
 * × 100; any error% > 0 is Failure at ≥ failure, Degraded at ≥ degraded.
 */
export interface Tolerance {
  /** Code pattern: `5XX`, `4XX`, `-` (no response), a gRPC status regex like `^[1-9]$|^1[0-6]$`. X = digit. */
  code: string;
  degraded: number;
  failure: number;
  /** Regex on the protocol (`http`, `grpc`). */
  protocol: string;
  /** Regex on the direction (`inbound`, `outbound`). */
  direction: string;
}

export interface HealthRule {
  /** Regexes (whole-string) on namespace, kind (`workload|app|service`), name; absent = any. */
  namespace?: string;
  kind?: string;
  name?: string;
  tolerance: Tolerance[];
}

export const DEFAULT_TOLERANCES: Tolerance[] = [
  { code: '5XX', degraded: 0, failure: 10, protocol: 'http', direction: '.*' },
  { code: '4XX', degraded: 10, failure: 20, protocol: 'http', direction: '.*' },
  { code: '^[1-9]$|^1[0-6]$', degraded: 0, failure: 10, protocol: 'grpc', direction: '.*' },
  { code: '-', degraded: 0, failure: 10, protocol: 'http|grpc', direction: '.*' },
];

/** The annotation that overrides tolerances on a Deployment, Service or Namespace. */
export const HEALTH_ANNOTATION = 'meshlens.io/health-rate';

/**
 * Parses `code,degraded,failure[,protocol[,direction]];…` (e.g. `5XX,5,20,http;4XX,30,50`).
 * Returns undefined (and the reason) when malformed, so a bad annotation falls back to the defaults.
 */
export function parseToleranceAnnotation(text: string): { tolerances?: Tolerance[]; error?: string } {
  const out: Tolerance[] = [];
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [code, degraded, failure, protocol, direction] = part.split(',').map((x) => x.trim());
    const d = Number(degraded);
    const f = Number(failure);
    if (!code || !Number.isFinite(d) || !Number.isFinite(f) || d < 0 || f < 0)
      return {
        error: `bad tolerance ${JSON.stringify(part)}: expected code,degraded,failure[,protocol[,direction]]`,
      };
    out.push({
      code,
      degraded: d,
      failure: f,
      protocol: protocol || 'http|grpc',
      direction: direction || '.*',
    });
  }
  return out.length ? { tolerances: out } : { error: 'empty tolerance list' };
}

const compiled = new Map<string, RegExp>();
function re(pattern: string): RegExp {
  let r = compiled.get(pattern);
  if (!r) {
    r = new RegExp(`^(?:${pattern})$`);
    compiled.set(pattern, r);
  }
  return r;
}

const matchCache = new Map<string, boolean>();

/** Does a response code (or `-` for no response) match a tolerance code pattern? (memoized) */
export function codeMatches(pattern: string, code: string): boolean {
  const key = `${pattern}\u0000${code}`;
  let hit = matchCache.get(key);
  if (hit === undefined) {
    hit = matchCode(pattern, code);
    if (matchCache.size < 10_000) matchCache.set(key, hit);
  }
  return hit;
}

function matchCode(pattern: string, code: string): boolean {
  if (/[\\^$|[\]()]/.test(pattern)) return re(pattern).test(code);
  if (pattern === '-') return code === '-';
  return re(pattern.replace(/[xX]/g, '\\d')).test(code);
}

export function regexMatches(pattern: string | undefined, value: string): boolean {
  return pattern === undefined || re(pattern).test(value);
}

export interface ToleranceLookup {
  namespace: string;
  kind: 'workload' | 'app' | 'service';
  name: string;
  /** Annotations of the object itself, then of its namespace. */
  objectAnnotations?: Record<string, string>;
  namespaceAnnotations?: Record<string, string>;
}

/** Which tolerances apply: object annotation > namespace annotation > first matching config rule > defaults. */
export function tolerancesFor(lookup: ToleranceLookup, rules: readonly HealthRule[]): Tolerance[] {
  for (const ann of [lookup.objectAnnotations, lookup.namespaceAnnotations]) {
    const text = ann?.[HEALTH_ANNOTATION];
    if (text) {
      const parsed = parseToleranceAnnotation(text);
      if (parsed.tolerances) return parsed.tolerances;
    }
  }
  for (const rule of rules) {
    if (
      regexMatches(rule.namespace, lookup.namespace) &&
      regexMatches(rule.kind, lookup.kind) &&
      regexMatches(rule.name, lookup.name)
    )
      return rule.tolerance;
  }
  return DEFAULT_TOLERANCES;
}
