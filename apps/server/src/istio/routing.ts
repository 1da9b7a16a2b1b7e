/**
 * `POST|DELETE /api/namespaces/:namespace/services/:service/routing`: an intent → objects built by
 * @meshlens/istio over the service's current config, checked, and written in a safe order.
 */
import type { RoutingFactsResponse, RoutingIntent, RoutingResponse } from '@meshlens/contract';
import { buildRouting, serviceFacts, subsetChange, type RoutingPlan } from '@meshlens/istio';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { ConflictError } from '../errors';
import type { Inventory } from '../inventory/informers';
import { checkChange, intentToHttp, kubeToHttp, meshFrom, validationError } from './checks';
import type { IstioCrds } from './crds';
import type { IstioKubeClient, KubeObject } from './kubeClient';
import { runSteps, tidy, type ConsoleWrite, type Step } from './writer';

export interface IstioRouteDeps {
  client: IstioKubeClient;
  inventory: Pick<Inventory, 'list'>;
  logger: Logger;
  crds: IstioCrds;
  /** Told of every write made (not dry runs), once it succeeded: the change history records it. */
  onWrite?: (write: ConsoleWrite) => Promise<void>;
}

const NET = 'networking.istio.io/v1';
/** The kinds the routing wizards write (and `DELETE …/routing` deletes). */
export const ROUTING_KINDS = ['VirtualService', 'DestinationRule', 'Gateway'] as const;

/** The namespace's VirtualServices, DestinationRules and Gateways, read now (not from the cache). */
export async function freshObjects(client: IstioKubeClient, namespace: string): Promise<KubeObject[]> {
  try {
    const lists = await Promise.all(ROUTING_KINDS.map((k) => client.list(NET, k, namespace)));
    return lists.flatMap((items, i) =>
      items.map((o) => ({ ...o, apiVersion: o.apiVersion ?? NET, kind: ROUTING_KINDS[i] as string })),
    );
  } catch (err) {
    throw kubeToHttp(err, `list Istio routing config in ${namespace}`);
  }
}

const asKube = (o: unknown) => o as KubeObject;
const idOf = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;

/** 409 when the preview was built on other versions than the current ones. */
function checkBasedOn(intent: RoutingIntent, plan: RoutingPlan): void {
  const pairs = [
    ['virtualService', plan.previous.virtualService],
    ['destinationRule', plan.previous.destinationRule],
    ['gateway', plan.previous.gateway],
  ] as const;
  for (const [field, current] of pairs) {
    const expected = intent.basedOn?.[field];
    if (expected === undefined) continue;
    const now = current?.metadata.resourceVersion ?? '';
    if (expected !== now)
      throw new ConflictError(
        `${field} changed since the preview (based on resourceVersion ${expected || 'none'}, now ${now || 'deleted'}); review it again`,
        { current: current ? tidy(asKube(current)) : null },
      );
  }
}

/** Metadata for an update: the stored object's, with the builder's labels and annotations. */
function updated(built: KubeObject, stored: KubeObject): KubeObject {
  const { managedFields: _m, ...meta } = stored.metadata;
  return {
    ...built,
    metadata: {
      ...meta,
      labels: built.metadata.labels ?? {},
      ...(built.metadata.annotations ? { annotations: built.metadata.annotations } : {}),
      resourceVersion: stored.metadata.resourceVersion,
    },
  } as KubeObject;
}

/** Writes in an order that never leaves a VirtualService naming a missing subset. */
export function planSteps(plan: RoutingPlan, stored: Map<string, KubeObject>): Step[] {
  const write = (o: KubeObject | undefined): Step[] => {
    if (!o) return [];
    const prev = stored.get(idOf(o));
    return prev
      ? [{ action: 'update', object: updated(o, prev), previous: prev }]
      : [{ action: 'create', object: o }];
  };
  const vs = asKube(plan.virtualService);
  const dr = asKube(plan.destinationRule);
  const steps: Step[] = write(asKube(plan.gateway));
  const change = subsetChange(plan.previous.destinationRule, plan.destinationRule);
  if (dr && change.adds && change.removes) {
    // Widen first (old ∪ new subsets), then the VirtualService, then narrow.
    const prev = plan.previous.destinationRule?.spec.subsets ?? [];
    const next = plan.destinationRule?.spec.subsets ?? [];
    const union = [...next, ...prev.filter((p) => !next.some((n) => n.name === p.name))];
    const wide = { ...dr, spec: { ...(dr.spec as object), subsets: union } } as KubeObject;
    // (Only an existing DestinationRule loses subsets, so all three are updates.)
    steps.push(...write(wide), ...write(vs), ...write(dr));
  } else if (dr && change.removes) steps.push(...write(vs), ...write(dr));
  else steps.push(...write(dr), ...write(vs));
  for (const d of plan.deletes) {
    const prev = stored.get(`${d.kind}/${d.name}`);
    if (prev) steps.push({ action: 'delete', object: prev });
  }
  return steps;
}

/** The answer's copy of an object; a dry run's has no identity yet (uid, creation time, generation dropped). */
function preview(o: KubeObject, dryRun: boolean): KubeObject {
  const t = tidy(o);
  if (!dryRun) return t;
  const { uid: _u, creationTimestamp: _c, generation: _g, ...meta } = t.metadata;
  return { ...t, metadata: meta } as KubeObject;
}

/** One line naming an intent: `traffic shifting reviews: v1 80, v2 20`, `delete routing of reviews`. */
export function intentSummary(service: string, intent: RoutingIntent): string {
  if (intent.deleteRouting) return `delete routing of ${service}`;
  const words: Record<string, string> = {
    trafficShifting: 'traffic shifting',
    tcpTrafficShifting: 'TCP traffic shifting',
    requestRouting: 'request routing',
    faultInjection: 'fault injection',
    timeoutsRetries: 'timeouts and retries',
    circuitBreaker: 'circuit breaker',
    gateway: 'gateway',
  };
  const parts = Object.keys(words)
    .filter((k) => (intent as Record<string, unknown>)[k] !== undefined)
    .map((k) =>
      k === 'faultInjection' && intent.faultInjection === null ? 'remove fault injection' : words[k],
    );
  const shift = intent.trafficShifting as
    { weights?: Record<string, number> } | Record<string, number> | undefined;
  const weights =
    shift && typeof shift === 'object'
      ? 'weights' in shift && typeof shift.weights === 'object'
        ? shift.weights
        : (shift as Record<string, unknown>)
      : undefined;
  const split = weights
    ? Object.entries(weights)
        .filter(([, w]) => typeof w === 'number')
        .map(([v, w]) => `${v} ${String(w)}`)
        .join(', ')
    : '';
  return `${parts.join(' + ') || 'routing'} ${service}${split ? `: ${split}` : ''}`;
}

/** Builds, checks and writes (or dry-runs) an intent for one service. */
export async function applyIntent(
  deps: IstioRouteDeps,
  namespace: string,
  service: string,
  intent: RoutingIntent,
  dryRun: boolean,
): Promise<RoutingResponse> {
  const fresh = await freshObjects(deps.client, namespace);
  const mesh = meshFrom(deps.inventory, { namespace, objects: fresh });
  let plan: RoutingPlan;
  try {
    plan = buildRouting(intent, { mesh, namespace, service });
  } catch (err) {
    throw intentToHttp(err);
  }
  checkBasedOn(intent, plan);
  const objects = [plan.gateway, plan.destinationRule, plan.virtualService]
    .filter((o) => o !== undefined)
    .map(asKube);
  // Problems the objects already had do not block the change (they come back marked `existing`).
  const { validations, causes } = checkChange(objects, mesh, deps.crds, fresh);
  if (causes.length > 0) throw validationError('the routing change is invalid', causes);

  const stored = new Map(fresh.map((o) => [idOf(o), o]));
  const steps = planSteps(plan, stored);
  const results = await runSteps(deps.client, steps, { dryRun, logger: deps.logger });
  if (!dryRun && results.length > 0)
    await deps.onWrite?.({ intent, summary: intentSummary(service, intent), namespace, results });
  // The last write of each object is what stands.
  const byId = new Map<string, KubeObject>();
  for (const r of results)
    if (r.step.action !== 'delete') byId.set(idOf(r.result), preview(r.result, dryRun));
  const written = [...byId.values()];
  deps.logger.info(
    { namespace, service, dryRun, steps: steps.map((s) => `${s.action} ${idOf(s.object)}`) },
    'routing change',
  );
  return {
    objects: written,
    steps: steps.map((s) => ({
      action: s.action,
      kind: s.object.kind,
      namespace: s.object.metadata.namespace ?? namespace,
      name: s.object.metadata.name,
    })),
    deleted: plan.deletes.map((d) => ({ kind: d.kind, namespace: d.namespace, name: d.name })),
    kept: plan.kept,
    validations,
    dryRun,
    yaml: written.map((o) => stringify(o)).join('---\n'),
  };
}

/** What the wizards start from: the versions the service's workloads run (from the watched inventory). */
export function routingFacts(
  deps: Pick<IstioRouteDeps, 'inventory'>,
  namespace: string,
  service: string,
): RoutingFactsResponse {
  try {
    const facts = serviceFacts({ mesh: meshFrom(deps.inventory), namespace, service });
    return { namespace, service, versionLabel: facts.versionLabel, versions: facts.versions ?? [] };
  } catch (err) {
    throw intentToHttp(err);
  }
}
