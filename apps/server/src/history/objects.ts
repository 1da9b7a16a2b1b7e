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
