/** JSON merge patch, JSON patch and strategic merge patch (built-in kinds), as the API server applies them. */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { badRequest } from './errors';

type Json = unknown;
type JsonMap = Record<string, Json>;

function isMap(v: Json): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isMap(patch)) return clone(patch);
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 JSON patch; a failing `test` or a bad path is a 422-worthy error reported as BadRequest text. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  try {
    return fastJsonPatch.applyPatch(clone(target), ops as Operation[], true, false).newDocument;
  } catch (e) {
    throw badRequest(
      `the server rejected our request due to an error in our request: ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

/** Merge keys of the built-in kinds' lists (patchMergeKey in the Kubernetes API types). */
function mergeKeyFor(field: string, path: string[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'schedulingGates':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'ports':
      return path.some((p) => p.endsWith('ontainers')) ? 'containerPort' : 'port';
    case 'conditions':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    default:
      return undefined;
  }
}

/** Primitive lists with patchStrategy=merge. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

/** Strategic merge patch for built-in kinds, with the `$patch`, `$setElementOrder`, `$retainKeys` and
 *  `$deleteFromPrimitiveList` directives that kubectl sends. */
export function strategicMergePatch(target: Json, patch: Json): Json {
  return smpMap(isMap(target) ? target : {}, isMap(patch) ? patch : {}, []);
}

function smpMap(target: JsonMap, patch: JsonMap, path: string[]): Json {
  const directive = patch.$patch;
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (directive === 'delete') return undefined;
  const out: JsonMap = { ...target };
  const orders: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders.push([k.slice('$setElementOrder/'.length), v]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v)) {
      out[k] = smpList(k, Array.isArray(cur) ? cur : [], v, [...path, k]);
    } else if (isMap(v)) {
      const merged = smpMap(isMap(cur) ? cur : {}, v, [...path, k]);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  for (const [field, order] of orders) {
    const list = out[field];
    const key = mergeKeyFor(field, [...path, field]);
    if (Array.isArray(list)) out[field] = applyOrder(list, order, key);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}

function smpList(field: string, target: Json[], patch: Json[], path: string[]): Json[] {
  if (patch.some((e) => isMap(e) && e.$patch === 'replace')) {
    return patch.filter((e) => !(isMap(e) && e.$patch === 'replace')).map(stripDirectives);
  }
  const key = mergeKeyFor(field, path);
  if (key === undefined) {
    if (MERGED_PRIMITIVE_LISTS.has(field)) return [...target, ...patch.filter((x) => !target.includes(x))];
    return patch.map(stripDirectives);
  }
  const out: Json[] = [...target];
  for (const item of patch) {
    if (!isMap(item)) continue;
    const idx = item[key] === undefined ? -1 : out.findIndex((t) => isMap(t) && t[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      out[idx] = smpMap(out[idx] as JsonMap, item, path);
    } else {
      out.push(stripDirectives(item));
    }
  }
  return out;
}

function applyOrder(list: Json[], order: Json[], key: string | undefined): Json[] {
  const idOf = (x: Json): Json => (key && isMap(x) ? x[key] : x);
  const rank = new Map<Json, number>();
  order.forEach((o, i) => rank.set(idOf(o), i));
  return list
    .map((x, i) => ({ x, i, r: rank.get(idOf(x)) }))
    .sort((a, b) => (a.r ?? Infinity) - (b.r ?? Infinity) || a.i - b.i)
    .map((e) => e.x);
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

/**
 * Server-side apply, simplified: the applied configuration is merged into the live object (lists of
 * built-in kinds by merge key), and fields this manager applied last time but no longer sets are removed.
 */
export function serverSideApply(
  live: Json,
  applied: JsonMap,
  previous: JsonMap | undefined,
  strategic = true,
): Json {
  let base = live;
  if (previous) base = removeDropped(live, previous, applied);
  // Custom resources: lists are atomic (no merge keys known), so they are replaced like a merge patch.
  return strategic ? strategicMergePatch(base, applied) : mergePatch(base, applied);
}

function removeDropped(live: Json, prev: Json, next: Json): Json {
  if (!isMap(live) || !isMap(prev)) return live;
  const out: JsonMap = { ...live };
  for (const [k, pv] of Object.entries(prev)) {
    const nv = isMap(next) ? next[k] : undefined;
    if (nv === undefined) delete out[k];
    else if (isMap(pv) && isMap(nv)) out[k] = removeDropped(out[k], pv, nv);
  }
  return out;
}
