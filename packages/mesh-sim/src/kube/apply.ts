/**
 * Creates a scenario's objects through the Kubernetes API: create, or replace when an object of that name
 * exists with different content; unchanged objects are left alone, so a restart is idempotent.
 */
import {
  ApiException,
  KubernetesObjectApi,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { KubeObject } from '../scenario/load';

export interface ApplyResult {
  created: number;
  replaced: number;
  unchanged: number;
}

const CONCURRENCY = 16;

const isCode = (err: unknown, code: number) =>
  err instanceof ApiException ? err.code === code : (err as { code?: number })?.code === code;

/** Is everything we set in `want` equal in `have` (the server may add defaults)? */
function covers(have: unknown, want: unknown): boolean {
  if (Array.isArray(want))
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(have[i], w));
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object') return false;
    return Object.entries(want).every(([k, w]) => covers((have as Record<string, unknown>)[k], w));
  }
  return have === want || (typeof want === 'number' && String(want) === String(have));
}

async function applyOne(api: KubernetesObjectApi, obj: KubeObject, result: ApplyResult): Promise<void> {
  const o = obj as unknown as KubernetesObject;
  try {
    await api.create(o);
    result.created++;
    return;
  } catch (err) {
    if (!isCode(err, 409)) throw describe(err, obj);
  }
  const existing = (await api.read(o as never)) as unknown as Record<string, unknown>;
  const want = obj as unknown as Record<string, unknown>;
  const { metadata: _m, apiVersion: _a, kind: _k, ...wantRest } = want;
  const { metadata: _hm, apiVersion: _ha, kind: _hk, status: _st, ...haveRest } = existing;
  const haveLabels = (existing.metadata as { labels?: Record<string, string> }).labels ?? {};
  if (covers(haveRest, wantRest) && covers(haveLabels, obj.metadata.labels ?? {})) {
    result.unchanged++;
    return;
  }
  const resourceVersion = (existing.metadata as { resourceVersion?: string }).resourceVersion;
  try {
    await api.replace({
      ...obj,
      metadata: { ...obj.metadata, resourceVersion },
    } as unknown as KubernetesObject);
    result.replaced++;
  } catch (err) {
    throw describe(err, obj);
  }
}

function describe(err: unknown, obj: KubeObject): Error {
  const body = err instanceof ApiException ? (err.body as { message?: string } | string) : undefined;
  const message = typeof body === 'string' ? body : (body?.message ?? (err as Error).message);
  return new Error(
    `cannot apply ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}: ${message}`,
  );
}

/** Applies objects in order: namespaces first, then everything else a few at a time. */
export async function applyObjects(kc: KubeConfig, objects: KubeObject[]): Promise<ApplyResult> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const result: ApplyResult = { created: 0, replaced: 0, unchanged: 0 };
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  const rest = objects.filter((o) => o.kind !== 'Namespace');
  for (const ns of namespaces) await applyOne(api, ns, result);
  let next = 0;
  const worker = async () => {
    while (next < rest.length) {
      const o = rest[next++]!;
      await applyOne(api, o, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rest.length) }, worker));
  return result;
}
