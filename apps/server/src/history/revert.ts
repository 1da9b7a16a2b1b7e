/**
 * Reverting a change: each object it touched is written back to its state before the change, through the
 * same checks as the Istio routes (CRD schema, semantic validations, no VirtualService left naming a
 * missing subset, the cluster's own dry run) and the same ordered writes with undo (istio/writer.ts). A
 * 409 when an object moved on since the change (its resourceVersion is no longer the one the change left).
 */
import type { Change, ChangeObjectState, RevertConflictDetails, ValidationCause } from '@meshlens/contract';
import { namespaceOf } from '@meshlens/istio';
import type { MeshConfig } from '@meshlens/istio';
import { ConflictError } from '../errors';
import {
  checkChange,
  danglingSubsets,
  kubeToHttp,
  meshFrom,
  meshWith,
  validationError,
} from '../istio/checks';
import type { KubeObject } from '../istio/kubeClient';
import { freshObjects, type IstioRouteDeps } from '../istio/routing';
import { forCreate, runSteps, tidy, type Step, type StepResult } from '../istio/writer';
import { stateOf } from './history';

export interface RevertPlan {
  steps: Step[];
  results: StepResult[];
}

type Subsets = { name: string }[];
const subsetsOf = (o: KubeObject | ChangeObjectState | null | undefined): Subsets =>
  ((o?.spec as { subsets?: Subsets } | undefined)?.subsets ?? []).filter((s) => typeof s?.name === 'string');

/** The mesh without these objects (deleted by the revert). */
function without(mesh: MeshConfig, deleted: KubeObject[]): MeshConfig {
  const gone = (kind: string) => (o: { metadata: { name: string; namespace?: string } }) =>
    !deleted.some(
      (d) =>
        d.kind === kind && d.metadata.name === o.metadata.name && d.metadata.namespace === namespaceOf(o),
    );
  return {
    ...mesh,
    virtualServices: mesh.virtualServices.filter(gone('VirtualService')),
    destinationRules: mesh.destinationRules.filter(gone('DestinationRule')),
    serviceEntries: mesh.serviceEntries.filter(gone('ServiceEntry')),
    peerAuthentications: mesh.peerAuthentications.filter(gone('PeerAuthentication')),
    ...(mesh.gateways ? { gateways: mesh.gateways.filter(gone('Gateway')) } : {}),
  };
}

/** `before` written over `current`: before's content with current's identity and resourceVersion. */
function restored(before: ChangeObjectState, current: KubeObject): KubeObject {
  const { managedFields: _m, labels: _l, annotations: _a, ...meta } = current.metadata;
  const b = forCreate(before as unknown as KubeObject);
  return {
    ...b,
    metadata: {
      ...meta,
      ...(before.metadata.labels ? { labels: before.metadata.labels as Record<string, string> } : {}),
      ...(before.metadata.annotations
        ? { annotations: before.metadata.annotations as Record<string, string> }
        : {}),
      resourceVersion: current.metadata.resourceVersion,
    },
  } as KubeObject;
}

/** Checks and writes (or dry-runs) the before states of `change`'s objects. */
export async function revertChange(
  deps: IstioRouteDeps,
  change: Change,
  dryRun: boolean,
): Promise<RevertPlan> {
  if (change.truncated)
    throw validationError(`change ${change.id} cannot be reverted`, [
      {
        path: 'objects',
        message: 'its objects were too large to keep in the history, so their earlier state is not known',
        code: 'Truncated',
      },
    ]);
  const targets = change.objects.filter((o) => o.before !== null || o.after !== null);
  // Where each object stands now.
  const currents = await Promise.all(
    targets.map(async (o) => {
      const apiVersion = (o.after ?? o.before)?.apiVersion ?? 'networking.istio.io/v1';
      try {
        return await deps.client.get({ apiVersion, kind: o.kind, namespace: o.namespace, name: o.name });
      } catch (err) {
        throw kubeToHttp(err, `read ${o.kind} ${o.namespace}/${o.name}`);
      }
    }),
  );
  const conflicts: RevertConflictDetails['conflicts'] = [];
  targets.forEach((o, i) => {
    const now = currents[i];
    const expectedRv = o.after?.metadata.resourceVersion;
    const moved = o.after === null ? now !== undefined : !now || now.metadata.resourceVersion !== expectedRv;
    if (moved)
      conflicts.push({
        kind: o.kind,
        namespace: o.namespace,
        name: o.name,
        expected: o.after,
        current: now ? stateOf(now) : null,
      });
  });
  if (conflicts.length > 0) {
    const first = conflicts[0] as RevertConflictDetails['conflicts'][number];
    const what = conflicts.map((c) => `${c.kind} ${c.namespace}/${c.name}`).join(', ');
    throw new ConflictError(
      `${what} changed since change ${change.id} (${first.current ? `now at resourceVersion ${first.current.metadata.resourceVersion ?? '?'}` : 'deleted since'}); reverting would overwrite that later change`,
      { current: first.current, conflicts } satisfies RevertConflictDetails,
    );
  }

  // Steps in the writer's safe order: Gateways first; subsets added before a VirtualService names them
  // and removed after it stops naming them; Gateways deleted last.
  const phases: Step[][] = [[], [], [], [], []];
  const finals: KubeObject[] = [];
  const stored: KubeObject[] = [];
  const deleted: KubeObject[] = [];
  targets.forEach((o, i) => {
    const now = currents[i];
    if (o.before === null) {
      if (!now) return;
      deleted.push(now);
      const phase = o.kind === 'Gateway' ? 4 : o.kind === 'DestinationRule' ? 3 : 2;
      phases[phase]?.push({ action: 'delete', object: now });
      return;
    }
    if (!now) {
      const created = forCreate(o.before as unknown as KubeObject);
      finals.push(created);
      const phase = o.kind === 'Gateway' ? 0 : o.kind === 'DestinationRule' ? 1 : 2;
      phases[phase]?.push({ action: 'create', object: created });
      return;
    }
    const target = restored(o.before, now);
    finals.push(target);
    stored.push(tidy(now));
    if (o.kind === 'Gateway') phases[0]?.push({ action: 'update', object: target, previous: now });
    else if (o.kind !== 'DestinationRule')
      phases[2]?.push({ action: 'update', object: target, previous: now });
    else {
      const have = subsetsOf(now);
      const want = subsetsOf(target);
      const adds = want.some((s) => !have.some((h) => h.name === s.name));
      const removes = have.some((h) => !want.some((s) => s.name === h.name));
      if (adds && removes) {
        // Widen (wanted ∪ current) before the VirtualServices move, narrow after.
        const union = [...want, ...have.filter((h) => !want.some((s) => s.name === h.name))];
        const wide = { ...target, spec: { ...(target.spec as object), subsets: union } } as KubeObject;
        phases[1]?.push({ action: 'update', object: wide, previous: now });
        phases[3]?.push({ action: 'update', object: target, previous: now });
      } else phases[adds ? 1 : 3]?.push({ action: 'update', object: target, previous: now });
    }
  });
  const steps = phases.flat();

  const fresh = await freshObjects(deps.client, change.namespace);
  const mesh = meshFrom(deps.inventory, { namespace: change.namespace, objects: fresh });
  const afterDeletes = without(mesh, deleted);
  const causes: ValidationCause[] = finals.length
    ? checkChange(finals, afterDeletes, deps.crds, stored).causes
    : [];
  if (causes.length === 0) {
    const changedRules = [...finals, ...deleted].filter((o) => o.kind === 'DestinationRule');
    if (changedRules.length)
      causes.push(...danglingSubsets(mesh, meshWith(afterDeletes, finals), changedRules, deps.crds));
  }
  if (causes.length > 0) throw validationError(`reverting change ${change.id} is invalid`, causes);

  const results = await runSteps(deps.client, steps, { dryRun, logger: deps.logger });
  return { steps, results };
}
