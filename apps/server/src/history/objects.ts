/** A console write's steps as the objects of a change: each object's first state and its last. */
import type { KubeObject } from '../istio/kubeClient';
import type { StepResult } from '../istio/writer';
import type { RecordedObject } from './history';

export function objectsOfResults(results: readonly StepResult[]): RecordedObject[] {
  const byId = new Map<string, RecordedObject>();
  for (const { step, result } of results) {
    const o = step.object;
    const namespace = o.metadata.namespace ?? 'default';
    const id = `${o.kind}/${namespace}/${o.metadata.name}`;
    const before: KubeObject | null =
      step.action === 'create' ? null : step.action === 'update' ? step.previous : step.object;
    const after: KubeObject | null = step.action === 'delete' ? null : result;
    const seen = byId.get(id);
    // An object written twice (a DestinationRule widened, then narrowed): its first before, its last after.
    if (seen) seen.after = after;
    else byId.set(id, { kind: o.kind, namespace, name: o.metadata.name, before, after });
  }
  return [...byId.values()];
}

/**
 * Objects as they stood before and after a write (another component's record, e.g. a rollout step): one
 * entry per object whose state changed, null before = created, null after = deleted.
 */
export function objectsOfStates(
  before: readonly KubeObject[],
  after: readonly KubeObject[],
): RecordedObject[] {
  const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
  const was = new Map(before.map((o) => [key(o), o]));
  const now = new Map(after.map((o) => [key(o), o]));
  const out: RecordedObject[] = [];
  for (const k of new Set([...was.keys(), ...now.keys()])) {
    const b = was.get(k) ?? null;
    const a = now.get(k) ?? null;
    const o = (a ?? b)!;
    // unchanged: the same version (an object the write left alone)
    if (b && a && b.metadata.resourceVersion === a.metadata.resourceVersion) continue;
    out.push({
      kind: o.kind,
      namespace: o.metadata.namespace ?? 'default',
      name: o.metadata.name,
      before: b,
      after: a,
    });
  }
  return out;
}
