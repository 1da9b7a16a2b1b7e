/**
 * Validates every Istio object of a mesh snapshot (or one object in its context), adding the checks that
 * compare objects with each other: KIA1106 (several VirtualServices for one host on a shared binding) and
 * KIA0201 (the same host+subset in two DestinationRules), and Gateway selectors (KIA0302).
 */
import type { DestinationRule, Gateway, IstioConfigObject, VirtualService } from '../model';
import type { ObjectValidation, ValidationCheck, ValidationInput, ValidationOptions } from './types';
import { makeCheck } from './types';
import {
  hostsIntersect,
  isExportedTo,
  labelsMatch,
  namespaceOf,
  objectKey,
  resolveConfigHost,
} from '../hosts';
import { virtualServiceGateways } from '../virtualService';
import { meshIndex } from '../meshIndex';
import { validateVirtualService } from './virtualService';
import { validateDestinationRule } from './destinationRule';
import { schemaChecks } from './schema';
import { validatePeerAuthentication } from './peerAuthentication';

function visibleTogether(
  a: { spec?: { exportTo?: string[] } } & { metadata: { namespace?: string; name: string } },
  b: typeof a,
) {
  const na = namespaceOf(a);
  const nb = namespaceOf(b);
  if (na === nb) return true;
  // Some namespace sees both: the simple cases are public rules, or one exported to the other's namespace.
  return isExportedTo(a.spec?.exportTo, na, nb) || isExportedTo(b.spec?.exportTo, nb, na);
}

interface HostRef {
  vs: number;
  host: number;
  pattern: string;
}

/** Pairs of (VirtualService, host) whose host patterns overlap, found through buckets, not all pairs. */
function overlappingHosts(hosts: string[][]): [HostRef, HostRef][] {
  const exact = new Map<string, HostRef[]>();
  const wild: HostRef[] = [];
  hosts.forEach((list, vs) =>
    list.forEach((pattern, host) => {
      const ref = { vs, host, pattern };
      if (pattern.includes('*')) wild.push(ref);
      else {
        const bucket = exact.get(pattern);
        if (bucket) bucket.push(ref);
        else exact.set(pattern, [ref]);
      }
    }),
  );
  const pairs: [HostRef, HostRef][] = [];
  for (const bucket of exact.values()) {
    for (let i = 0; i < bucket.length; i++) {
      for (let j = i + 1; j < bucket.length; j++) pairs.push([bucket[i] as HostRef, bucket[j] as HostRef]);
    }
  }
  const exactRefs = [...exact.values()].flat();
  wild.forEach((w, i) => {
    for (const e of exactRefs) if (hostsIntersect(w.pattern, e.pattern)) pairs.push([w, e]);
    for (let j = i + 1; j < wild.length; j++) {
      const o = wild[j] as HostRef;
      if (hostsIntersect(w.pattern, o.pattern)) pairs.push([w, o]);
    }
  });
  return pairs.filter(([a, b]) => a.vs !== b.vs);
}

function duplicateVirtualServices(
  all: VirtualService[],
  domain: string,
): Map<VirtualService, ValidationCheck[]> {
  const out = new Map<VirtualService, ValidationCheck[]>();
  const hosts = all.map((vs) =>
    (vs.spec?.hosts ?? []).map((h) => resolveConfigHost(h, namespaceOf(vs), domain)),
  );
  const gws = all.map((vs) => new Set(virtualServiceGateways(vs)));
  for (const [ra, rb] of overlappingHosts(hosts)) {
    const va = all[ra.vs] as VirtualService;
    const vb = all[rb.vs] as VirtualService;
    if (![...(gws[ra.vs] ?? [])].some((g) => gws[rb.vs]?.has(g))) continue;
    if (!visibleTogether(va, vb)) continue;
    push(
      out,
      va,
      makeCheck('KIA1106', `spec/hosts[${ra.host}]`, `${ra.pattern} is also in ${objectKey(vb)}`),
    );
    push(
      out,
      vb,
      makeCheck('KIA1106', `spec/hosts[${rb.host}]`, `${rb.pattern} is also in ${objectKey(va)}`),
    );
  }
  return out;
}

function duplicateSubsets(all: DestinationRule[], domain: string): Map<DestinationRule, ValidationCheck[]> {
  const out = new Map<DestinationRule, ValidationCheck[]>();
  const byHost = new Map<string, DestinationRule[]>();
  for (const dr of all) {
    if (!dr.spec?.host || Object.keys(dr.spec.workloadSelector?.matchLabels ?? {}).length > 0) continue;
    const host = resolveConfigHost(dr.spec.host, namespaceOf(dr), domain);
    const bucket = byHost.get(host);
    if (bucket) bucket.push(dr);
    else byHost.set(host, [dr]);
  }
  for (const plain of byHost.values()) {
    for (let a = 0; a < plain.length; a++) {
      for (let b = a + 1; b < plain.length; b++) {
        const da = plain[a] as DestinationRule;
        const db = plain[b] as DestinationRule;
        if (!visibleTogether(da, db)) continue;
        const sa = da.spec.subsets ?? [];
        const sb = db.spec.subsets ?? [];
        if (sa.length === 0 && sb.length === 0) {
          push(out, da, makeCheck('KIA0201', 'spec/host', `also ${objectKey(db)}`));
          push(out, db, makeCheck('KIA0201', 'spec/host', `also ${objectKey(da)}`));
          continue;
        }
        sa.forEach((s, i) => {
          const j = sb.findIndex((t) => t.name === s.name);
          if (j < 0) return;
          push(
            out,
            da,
            makeCheck('KIA0201', `spec/subsets[${i}]/name`, `${s.name} also in ${objectKey(db)}`),
          );
          push(
            out,
            db,
            makeCheck('KIA0201', `spec/subsets[${j}]/name`, `${s.name} also in ${objectKey(da)}`),
          );
        });
      }
    }
  }
  return out;
}

function push<K>(map: Map<K, ValidationCheck[]>, key: K, c: ValidationCheck): void {
  const list = map.get(key);
  if (list) list.push(c);
  else map.set(key, [c]);
}

function validateGateway(gw: Gateway, input: ValidationInput): ValidationCheck[] {
  const selector = gw.spec?.selector;
  if (!input.workloads || !selector || Object.keys(selector).length === 0) return [];
  return input.workloads.some((w) => labelsMatch(selector, w.labels))
    ? []
    : [makeCheck('KIA0302', 'spec/selector')];
}

function result(
  obj: IstioConfigObject,
  checks: ValidationCheck[],
  options: ValidationOptions,
): ObjectValidation {
  const ignore = new Set(options.ignore ?? []);
  const kept = checks.filter((c) => !ignore.has(c.code));
  return {
    kind: obj.kind,
    namespace: namespaceOf(obj),
    name: obj.metadata.name,
    valid: !kept.some((c) => c.severity === 'error'),
    checks: kept,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The shape every check relies on: metadata with a string name (and namespace), spec an object. With
 * the CRD schema's acceptance, what the per-kind checks may be given.
 */
export function wellFormed(o: unknown): boolean {
  if (!isRecord(o) || !isRecord(o.metadata) || typeof o.metadata.name !== 'string') return false;
  const ns = o.metadata.namespace;
  return (ns === undefined || typeof ns === 'string') && (o.spec === undefined || isRecord(o.spec));
}

const MALFORMED = (path = '') => makeCheck('ML0002', path);

const MESH_LISTS = [
  'virtualServices',
  'destinationRules',
  'gateways',
  'peerAuthentications',
  'serviceEntries',
] as const;

/** The input with only the objects `keep` accepts in its Istio lists. */
function filtered(input: ValidationInput, keep: (o: IstioConfigObject) => boolean): ValidationInput {
  const out: Record<string, unknown> = { ...input };
  for (const key of MESH_LISTS) {
    const list = input[key] as IstioConfigObject[] | undefined;
    if (Array.isArray(list)) out[key] = list.filter(keep);
    else if (list !== undefined) out[key] = [];
  }
  return out as unknown as ValidationInput;
}

const objectsOf = (input: ValidationInput): IstioConfigObject[] =>
  MESH_LISTS.flatMap((key) => {
    const list = input[key] as unknown;
    return Array.isArray(list) ? (list as IstioConfigObject[]) : [];
  });

/** A result for an object whose identity may itself be malformed. */
function refusedResult(
  obj: unknown,
  checks: ValidationCheck[],
  options: ValidationOptions,
): ObjectValidation {
  const o = (isRecord(obj) ? obj : {}) as Partial<IstioConfigObject> & { metadata?: unknown };
  const meta: Record<string, unknown> = isRecord(o.metadata) ? o.metadata : {};
  const ignore = new Set(options.ignore ?? []);
  const kept = checks.filter((c) => !ignore.has(c.code));
  return {
    kind: typeof o.kind === 'string' ? o.kind : '',
    namespace: typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : 'default',
    name: typeof meta.name === 'string' ? meta.name : '',
    valid: !kept.some((c) => c.severity === 'error'),
    checks: kept,
  };
}

/**
 * Every VirtualService, DestinationRule, Gateway, PeerAuthentication and ServiceEntry of the input.
 *
 * Never throws, whatever the JSON shape of the objects. The semantic checks run only on objects the CRD
 * schema accepts (`options.schemas`; the others get their schema checks alone and are not seen by the
 * checks of their neighbours) and that are well formed (metadata.name a string, spec an object; else
 * ML0002). Without schemas, an object whose checks still fail to read it gets ML0002 and leaves the
 * mesh-wide checks (see checkedMesh).
 */
export function validateMesh(input: ValidationInput, options: ValidationOptions = {}): ObjectValidation[] {
  const refused = new Map<unknown, ValidationCheck[]>();
  const clean = filtered(input, (o) => {
    if (!wellFormed(o)) {
      refused.set(o, [MALFORMED()]);
      return false;
    }
    const schema = schemaChecks(o, options);
    if (schema.some((c) => c.severity === 'error')) {
      refused.set(o, schema);
      return false;
    }
    return true;
  });
  const out = checkedMesh(clean, options);
  for (const [o, checks] of refused) out.push(refusedResult(o, checks, options));
  return out;
}

/**
 * The checks of well-formed, schema-valid objects. Should a check still fail to read an object (only
 * possible without schemas), each object is checked alone; those that fail alone are malformed (ML0002)
 * and the rest are checked together again; if that fails too, the results of each alone stand.
 */
function checkedMesh(input: ValidationInput, options: ValidationOptions): ObjectValidation[] {
  try {
    return validateWellFormed(input, options);
  } catch {
    const alone = new Map<IstioConfigObject, ObjectValidation | undefined>();
    for (const o of objectsOf(input)) {
      try {
        const single = validateWellFormed(
          filtered(input, (x) => x === o),
          options,
        );
        alone.set(
          o,
          single.find((v) => v.kind === o.kind && v.name === o.metadata.name),
        );
      } catch {
        alone.set(o, undefined);
      }
    }
    const bad = [...alone].filter(([, v]) => v === undefined).map(([o]) => o);
    const results = bad.map((o) => refusedResult(o, [MALFORMED()], options));
    try {
      return [
        ...validateWellFormed(
          filtered(input, (o) => !bad.includes(o)),
          options,
        ),
        ...results,
      ];
    } catch {
      return [...[...alone.values()].filter((v): v is ObjectValidation => v !== undefined), ...results];
    }
  }
}

/** validateMesh on input known to be well formed (and schema-valid when schemas are given). */
export function validateWellFormed(
  input: ValidationInput,
  options: ValidationOptions = {},
): ObjectValidation[] {
  const domain = meshIndex(input).domain;
  const vsDup = duplicateVirtualServices(input.virtualServices ?? [], domain);
  const drDup = duplicateSubsets(input.destinationRules ?? [], domain);
  const out: ObjectValidation[] = [];
  for (const vs of input.virtualServices ?? []) {
    out.push(
      result(
        vs,
        [
          ...schemaChecks(vs, options),
          ...validateVirtualService(vs, input, options),
          ...(vsDup.get(vs) ?? []),
        ],
        options,
      ),
    );
  }
  for (const dr of input.destinationRules ?? []) {
    out.push(
      result(
        dr,
        [
          ...schemaChecks(dr, options),
          ...validateDestinationRule(dr, input, options),
          ...(drDup.get(dr) ?? []),
        ],
        options,
      ),
    );
  }
  for (const gw of input.gateways ?? [])
    out.push(result(gw, [...schemaChecks(gw, options), ...validateGateway(gw, input)], options));
  for (const pa of input.peerAuthentications ?? []) {
    out.push(result(pa, [...schemaChecks(pa, options), ...validatePeerAuthentication(pa, input)], options));
  }
  for (const se of input.serviceEntries ?? []) out.push(result(se, schemaChecks(se, options), options));
  return out;
}

const identity = (o: unknown) => {
  const r = refusedResult(o, [], {});
  return `${r.kind}\u0000${r.namespace}\u0000${r.name}`;
};
const sameObject = (a: IstioConfigObject, b: IstioConfigObject) => identity(a) === identity(b);

/** The input with `obj` added, replacing the object of the same kind, namespace and name. */
export function withObject(input: ValidationInput, obj: IstioConfigObject): ValidationInput {
  const replace = <T extends IstioConfigObject>(list: T[] | undefined, kind: string): T[] => {
    const rest = (list ?? []).filter((o) => !sameObject(o, obj));
    return obj.kind === kind ? [...rest, obj as T] : rest;
  };
  return {
    ...input,
    virtualServices: replace(input.virtualServices, 'VirtualService'),
    destinationRules: replace(input.destinationRules, 'DestinationRule'),
    peerAuthentications: replace(input.peerAuthentications, 'PeerAuthentication'),
    serviceEntries: replace(input.serviceEntries, 'ServiceEntry'),
    ...(input.gateways || obj.kind === 'Gateway' ? { gateways: replace(input.gateways, 'Gateway') } : {}),
  };
}

/** Validates one object as it would stand in the mesh (e.g. before writing it): the server's and editor's entry point. */
export function validateObject(
  obj: IstioConfigObject,
  input: ValidationInput,
  options: ValidationOptions = {},
): ObjectValidation {
  const all = validateMesh(withObject(input, obj), options);
  const me = refusedResult(obj, [], options);
  const mine = all.find((v) => v.kind === me.kind && v.name === me.name && v.namespace === me.namespace);
  return mine ?? me;
}
