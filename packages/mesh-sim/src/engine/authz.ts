/**
 * AuthorizationPolicy as the server sidecar's RBAC filter enforces it (HTTP only): a matching DENY policy
 * denies; otherwise, when ALLOW policies select the workload, one of them must match. A denial is a 403
 * with no response flag, on both reporters (TRAFFIC-SEMANTICS.md §8). Supported: selector, action
 * ALLOW/DENY, `from.source` principals/namespaces (and their `not` forms), `to.operation`
 * methods/paths/ports (and `not` forms). `when` conditions, CUSTOM and AUDIT are not modelled (such rules
 * and policies are skipped).
 */
import type { IstioObject } from './inventory';

interface Source {
  principals?: string[];
  notPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
}
interface Operation {
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
  ports?: string[];
  notPorts?: string[];
}
interface Rule {
  from?: { source?: Source }[];
  to?: { operation?: Operation }[];
  when?: unknown[];
}
interface PolicySpec {
  selector?: { matchLabels?: Record<string, string> };
  action?: string;
  rules?: Rule[];
}

export interface AuthzRequest {
  /** SPIFFE principal without the `spiffe://` prefix, or undefined without mTLS. */
  principal?: string;
  /** Source namespace as known from the peer certificate, or undefined without mTLS. */
  namespace?: string;
  method: string;
  path: string;
  port?: number;
}

/** Istio string match: exact, `prefix*`, `*suffix`, or `*`. */
function matches(patterns: string[], value: string | undefined): boolean {
  if (value === undefined) return false;
  return patterns.some((p) =>
    p === '*'
      ? true
      : p.endsWith('*')
        ? value.startsWith(p.slice(0, -1))
        : p.startsWith('*')
          ? value.endsWith(p.slice(1))
          : value === p,
  );
}

function field(values: string[] | undefined, not: string[] | undefined, value: string | undefined): boolean {
  if (values && !matches(values, value)) return false;
  if (not && matches(not, value)) return false;
  return true;
}

function ruleMatches(rule: Rule, req: AuthzRequest): boolean {
  const path = req.path.split('?')[0]!;
  const fromOk =
    !rule.from ||
    rule.from.some(
      ({ source: s = {} }) =>
        field(s.principals, s.notPrincipals, req.principal) &&
        field(s.namespaces, s.notNamespaces, req.namespace),
    );
  const toOk =
    !rule.to ||
    rule.to.some(
      ({ operation: o = {} }) =>
        field(o.methods, o.notMethods, req.method.toUpperCase()) &&
        field(o.paths, o.notPaths, path) &&
        field(o.ports, o.notPorts, req.port === undefined ? undefined : String(req.port)),
    );
  return fromOk && toOk;
}

export class Authorizer {
  constructor(
    private readonly policies: IstioObject[],
    private readonly rootNamespace = 'istio-system',
  ) {}

  /** Policies in force for a workload: its namespace's (selector matching) and the mesh-wide ones. */
  private applicable(namespace: string, labels: Record<string, string>): PolicySpec[] {
    const out: PolicySpec[] = [];
    for (const p of this.policies) {
      const ns = p.metadata.namespace ?? 'default';
      if (ns !== namespace && ns !== this.rootNamespace) continue;
      const spec = (p.spec ?? {}) as PolicySpec;
      const sel = spec.selector?.matchLabels;
      if (sel && Object.entries(sel).some(([k, v]) => labels[k] !== v)) continue;
      out.push(spec);
    }
    return out;
  }

  get empty(): boolean {
    return this.policies.length === 0;
  }

  /** Whether the server sidecar of a workload with these labels denies the request. */
  denies(namespace: string, labels: Record<string, string>, req: AuthzRequest): boolean {
    if (this.policies.length === 0) return false;
    const specs = this.applicable(namespace, labels);
    const usable = (r: Rule) => !r.when || r.when.length === 0;
    const deny = specs.filter((s) => s.action === 'DENY');
    if (deny.some((s) => (s.rules ?? []).filter(usable).some((r) => ruleMatches(r, req)))) return true;
    const allow = specs.filter((s) => (s.action ?? 'ALLOW') === 'ALLOW');
    if (allow.length === 0) return false;
    return !allow.some((s) => (s.rules ?? []).filter(usable).some((r) => ruleMatches(r, req)));
  }
}
