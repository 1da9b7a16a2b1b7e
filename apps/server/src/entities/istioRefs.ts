/**
 * What Istio config says of the entities, from the informer cache: the objects that apply to each
 * service / workload (with their validation), the namespaces' mTLS mode, and validation counts. Derived
 * once per inventory version (the snapshot object) and reused by every request until it changes.
 */
import type { IstioReference } from '@meshlens/contract';
import { validateMesh, type ObjectValidation } from '@meshlens/istio';
import type { RawObject } from '../inventory/derive';
import { resolveHost } from '../inventory/hosts';
import type { InventorySnapshot } from '../inventory/types';
import { meshFrom } from '../istio/checks';
import type { IstioCrds } from '../istio/crds';
import type { Inventory } from '../inventory/informers';

type Dict = Record<string, unknown>;
const asDict = (v: unknown): Dict => (v && typeof v === 'object' ? (v as Dict) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const labelsOf = (v: unknown): Record<string, string> => asDict(v) as Record<string, string>;

/** Kinds whose objects pick workloads with a label selector, and where the selector lives. */
const SELECTING: [string, string, (spec: Dict) => Record<string, string> | undefined][] = [
  ['sidecars', 'Sidecar', (s) => labelsOf(asDict(s.workloadSelector).labels)],
  ['peerauthentications', 'PeerAuthentication', (s) => labelsOf(asDict(s.selector).matchLabels)],
  ['authorizationpolicies', 'AuthorizationPolicy', (s) => labelsOf(asDict(s.selector).matchLabels)],
];

interface Ref {
  kind: string;
  namespace: string;
  name: string;
}
interface Selecting extends Ref {
  selector: Record<string, string>;
  /** Gateways select workloads in every namespace; the others in their own. */
  anyNamespace: boolean;
}

export interface IstioIndex {
  /** VirtualServices and DestinationRules per service FQDN. */
  byHost: Map<string, Ref[]>;
  selecting: Selecting[];
  validation: Map<string, ObjectValidation>;
  /** Per namespace: objects, valid, warnings, errors. */
  counts: Map<string, { objects: number; valid: number; warnings: number; errors: number }>;
  /** PeerAuthentication mode without selector, per namespace. */
  mtls: Map<string, 'STRICT' | 'PERMISSIVE' | 'DISABLE'>;
  /** Service types (ClusterIP, …) by `ns/name`. */
  serviceTypes: Map<string, string>;
}

const refKey = (kind: string, namespace: string, name: string) => `${kind}\u0000${namespace}\u0000${name}`;
const meta = (o: RawObject) => ({ name: o.metadata?.name ?? '', namespace: o.metadata?.namespace ?? '' });

export function buildIstioIndex(inventory: Pick<Inventory, 'list'>, crds: IstioCrds | undefined): IstioIndex {
  const byHost = new Map<string, Ref[]>();
  const addHost = (host: string, ref: Ref) => {
    const list = byHost.get(host) ?? byHost.set(host, []).get(host)!;
    if (!list.some((r) => r.kind === ref.kind && r.namespace === ref.namespace && r.name === ref.name))
      list.push(ref);
  };
  for (const vs of inventory.list('virtualservices')) {
    const ref = { kind: 'VirtualService', ...meta(vs) };
    const spec = asDict(vs.spec);
    for (const h of asArray(spec.hosts))
      if (String(h) !== '*') addHost(resolveHost(String(h), ref.namespace), ref);
    for (const route of [...asArray(spec.http), ...asArray(spec.tcp), ...asArray(spec.tls)])
      for (const d of asArray(asDict(route).route)) {
        const host = asDict(asDict(d).destination).host;
        if (typeof host === 'string') addHost(resolveHost(host, ref.namespace), ref);
      }
  }
  for (const dr of inventory.list('destinationrules')) {
    const ref = { kind: 'DestinationRule', ...meta(dr) };
    const host = asDict(dr.spec).host;
    if (typeof host === 'string') addHost(resolveHost(host, ref.namespace), ref);
  }
  const selecting: Selecting[] = [];
  for (const gw of inventory.list('gateways')) {
    const selector = labelsOf(asDict(gw.spec).selector);
    if (Object.keys(selector).length)
      selecting.push({ kind: 'Gateway', ...meta(gw), selector, anyNamespace: true });
  }
  const mtls = new Map<string, 'STRICT' | 'PERMISSIVE' | 'DISABLE'>();
  for (const [plural, kind, selectorOf] of SELECTING)
    for (const o of inventory.list(plural)) {
      const spec = asDict(o.spec);
      const selector = selectorOf(spec);
      if (selector && Object.keys(selector).length)
        selecting.push({ kind, ...meta(o), selector, anyNamespace: false });
      else if (kind === 'PeerAuthentication') {
        const mode = asDict(spec.mtls).mode;
        if (mode === 'STRICT' || mode === 'PERMISSIVE' || mode === 'DISABLE')
          mtls.set(meta(o).namespace, mode);
      }
    }

  const validation = new Map<string, ObjectValidation>();
  const counts: IstioIndex['counts'] = new Map();
  if (crds) {
    for (const v of validateMesh(meshFrom(inventory), { schemas: crds.schemas })) {
      if (v.kind === 'Service' || v.kind === 'Deployment' || v.kind === 'Namespace') continue;
      validation.set(refKey(v.kind, v.namespace, v.name), v);
      const c = counts.get(v.namespace) ?? { objects: 0, valid: 0, warnings: 0, errors: 0 };
      c.objects += 1;
      if (!v.valid) c.errors += 1;
      else if (v.checks.some((k) => k.severity === 'warning')) c.warnings += 1;
      else c.valid += 1;
      counts.set(v.namespace, c);
    }
  }
  const serviceTypes = new Map<string, string>();
  for (const s of inventory.list('services')) {
    const { name, namespace } = meta(s);
    const type = asDict(s.spec).type;
    serviceTypes.set(`${namespace}/${name}`, typeof type === 'string' ? type : 'ClusterIP');
  }
  return { byHost, selecting, validation, counts, mtls, serviceTypes };
}

const memo = new WeakMap<InventorySnapshot, IstioIndex>();

/** The index of this inventory version (built once per snapshot object). */
export function istioIndexOf(
  snapshot: InventorySnapshot,
  inventory: Pick<Inventory, 'list'>,
  crds: IstioCrds | undefined,
): IstioIndex {
  let index = memo.get(snapshot);
  if (!index) memo.set(snapshot, (index = buildIstioIndex(inventory, crds)));
  return index;
}

export function toReference(index: IstioIndex, r: Ref): IstioReference {
  const v = index.validation.get(refKey(r.kind, r.namespace, r.name));
  return {
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    valid: v ? v.valid : null,
    errors: v ? v.checks.filter((c) => c.severity === 'error').length : 0,
    warnings: v ? v.checks.filter((c) => c.severity === 'warning').length : 0,
  };
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

export function serviceRefs(index: IstioIndex, namespace: string, name: string): Ref[] {
  return index.byHost.get(`${name}.${namespace}.svc.cluster.local`) ?? [];
}

export function workloadRefs(index: IstioIndex, namespace: string, labels: Record<string, string>): Ref[] {
  return index.selecting.filter(
    (s) => (s.anyNamespace || s.namespace === namespace) && selects(s.selector, labels),
  );
}

/** Sorted and without duplicates. */
export function uniqueRefs(refs: Ref[]): Ref[] {
  const seen = new Map<string, Ref>();
  for (const r of refs) seen.set(refKey(r.kind, r.namespace, r.name), r);
  return [...seen.values()].sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
}
