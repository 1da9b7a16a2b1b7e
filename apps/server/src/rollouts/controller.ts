/**
 * The rollout driver: every tick, the console instance holding the Lease carries each active rollout one
 * transition further (machine.ts) — writes a step through the same intent path as the wizards
 * (applyIntent: builders, validations, ordered writes with rollback), evaluates gates when a step's wait
 * is over, rolls back at once when one fails, carries out pending commands. Other instances stand by and
 * take over when the Lease expires. Writes here use the console's own credentials (see README.md).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { GateResult, Rollout, RoutingIntent } from '@meshlens/contract';
import type { Logger } from 'pino';
import { applyIntent, freshObjects, type IstioRouteDeps } from '../istio/routing';
import { KubeApiError, type KubeObject } from '../istio/kubeClient';
import type { PrometheusClient } from '../prometheus/client';
import { measureGates } from './gates';
import {
  afterEvaluation,
  afterWrite,
  baselineVersions,
  earlierBaselineP95,
  isActive,
  onTick,
  weightsOf,
  type Weights,
} from './machine';
import { leaseElector, type LeaseElector } from './lease';
import type { RolloutStore, Stored } from './store';

/** What a rollout write did, for the change history (wired by whoever keeps it). */
export interface RolloutChange {
  /** Who it is recorded against: the console's driver, on behalf of the user who started the rollout. */
  actor: { kind: 'rollout'; rolloutId: string; startedBy: string; driver: string; command?: string };
  namespace: string;
  service: string;
  intent: RoutingIntent;
  /** The service's VirtualService/DestinationRule before and after the write. */
  before: KubeObject[];
  after: KubeObject[];
  at: string;
}

export interface RolloutControllerDeps {
  /** The intent path with the console's own client. */
  istio: IstioRouteDeps;
  prometheus: PrometheusClient;
  store: RolloutStore;
  logger: Logger;
  /** Lease name in the store's namespace (default meshlens-rollouts). */
  leaseName?: string;
  leaseDurationSeconds: number;
  tickMs: number;
  identity?: string;
  onWrite?: (change: RolloutChange) => void;
  now?: () => number;
  /** Test hook: a gate evaluation's answer, before it is acted on. */
  onEvaluated?: (r: Rollout, results: GateResult[]) => void;
}

export interface RolloutController {
  readonly identity: string;
  readonly lease: LeaseElector;
  start(): void;
  /** Stops driving; gives the Lease up unless `release: false` (as a crashed console would not). */
  stop(options?: { release?: boolean }): Promise<void>;
  /** Runs a tick now (e.g. after a command), if started. */
  kick(): Promise<void>;
  /** The VirtualService weights of the service now. */
  liveWeights(namespace: string, service: string): Promise<Weights | undefined>;
}

const VS_KEY = (namespace: string, name: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  namespace,
  name,
});

/** Subset name → version, from the service's DestinationRule(s). */
export function subsetVersions(objects: KubeObject[], service: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objects) {
    if (o.kind !== 'DestinationRule') continue;
    const spec = o.spec as { host?: string; subsets?: { name: string; labels?: Record<string, string> }[] };
    if (!spec.host || spec.host.split('.')[0] !== service) continue;
    for (const s of spec.subsets ?? []) out[s.name] = s.labels?.version ?? s.name;
  }
  return out;
}

/** The service's VirtualService: the one named after it, else the first whose hosts name it. */
export function serviceVirtualService(objects: KubeObject[], service: string): KubeObject | undefined {
  const vss = objects.filter((o) => o.kind === 'VirtualService');
  return (
    vss.find((o) => o.metadata.name === service) ??
    vss.find((o) =>
      ((o.spec as { hosts?: string[] }).hosts ?? []).some(
        (h) => h === service || h.startsWith(`${service}.`),
      ),
    )
  );
}

export function rolloutController(deps: RolloutControllerDeps): RolloutController {
  const identity = deps.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'rollouts', identity });
  const lease = leaseElector({
    client: deps.istio.client,
    namespace: deps.store.namespace,
    name: deps.leaseName ?? 'meshlens-rollouts',
    identity,
    durationSeconds: deps.leaseDurationSeconds,
    now,
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let again = false;

  const liveWeights = async (namespace: string, service: string) => {
    const objects = await freshObjects(deps.istio.client, namespace);
    return weightsOf(serviceVirtualService(objects, service), subsetVersions(objects, service));
  };

  /** Saves `next` over `from`; on a conflict, keeps a command someone asked for meanwhile. */
  async function save(from: Stored, next: Rollout): Promise<Stored | undefined> {
    let base = from;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await deps.store.update(next, base.resourceVersion);
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 409)) throw err;
        const latest = await deps.store.get(next.id);
        if (!latest) return undefined;
        if (latest.rollout.pending && latest.rollout.pending.at !== from.rollout.pending?.at)
          next = { ...next, pending: latest.rollout.pending };
        base = latest;
      }
    }
    return undefined;
  }

  /** Writes weights through the intent path; the VirtualService's resourceVersion after it. */
  async function writeWeights(r: Rollout, weights: Weights, command?: string): Promise<string | undefined> {
    const intent: RoutingIntent = { trafficShifting: { weights } };
    const mine = (o: KubeObject) =>
      (o.kind === 'VirtualService' || o.kind === 'DestinationRule') && o.metadata.name === r.service;
    const before = (await freshObjects(deps.istio.client, r.namespace)).filter(mine);
    const res = await applyIntent(deps.istio, r.namespace, r.service, intent, false);
    const after = (res.objects as KubeObject[]).filter(mine);
    const vs = after.find((o) => o.kind === 'VirtualService');
    try {
      deps.onWrite?.({
        actor: {
          kind: 'rollout',
          rolloutId: r.id,
          startedBy: r.startedBy,
          driver: identity,
          ...(command ? { command } : {}),
        },
        namespace: r.namespace,
        service: r.service,
        intent,
        before,
        after,
        at: new Date(now()).toISOString(),
      });
    } catch (err) {
      log.warn({ err }, 'onWrite hook failed');
    }
    // An unchanged VirtualService is not rewritten: its version now is the one the rollout stands on.
    return (
      vs?.metadata.resourceVersion ??
      (await deps.istio.client.get(VS_KEY(r.namespace, r.service)))?.metadata.resourceVersion
    );
  }

  /** One rollout, as far as it goes this tick (a step passed is written at once). */
  async function drive(stored: Stored): Promise<void> {
    let cur: Stored | undefined = stored;
    for (let guard = 0; cur && guard < 4 && lease.isLeader(); guard++) {
      const r: Rollout = cur.rollout;
      if (!isActive(r) && !r.pending) return;
      const vs = await deps.istio.client.get(VS_KEY(r.namespace, r.service));
      const action = onTick(r, new Date(now()), vs?.metadata.resourceVersion);
      if (action.kind === 'none') return;
      if (action.kind === 'save') {
        cur = await save(cur, action.next);
        continue;
      }
      if (action.kind === 'write') {
        let next = action.next;
        try {
          const rv = await writeWeights(r, action.weights, r.pending?.command);
          next = afterWrite(next, rv, new Date(now()), identity);
        } catch (err) {
          // Refused (validation, conflict, RBAC of the console): paused, saying why.
          const message = err instanceof Error ? err.message : String(err);
          log.warn({ err, rollout: r.id }, 'rollout write failed');
          next = structuredClone(r);
          delete next.pending;
          next.phase = isActive(r) ? 'paused' : r.phase;
          next.reason = `writing the weights failed: ${message}`;
          next.events.push({ at: new Date(now()).toISOString(), message: next.reason });
        }
        cur = await save(cur, next);
        continue;
      }
      // evaluate
      let results: GateResult[];
      try {
        results = await measureGates(deps.prometheus, {
          namespace: r.namespace,
          service: r.service,
          windowSeconds: action.windowSeconds,
          gates: r.gates,
          target: r.target,
          baselineVersions: baselineVersions(r),
          earlierBaselineP95: earlierBaselineP95(r),
        });
      } catch (err) {
        // Prometheus unreachable: nothing is known; try again next tick (the step holds).
        log.warn({ err, rollout: r.id }, 'gate evaluation failed; retrying');
        return;
      }
      deps.onEvaluated?.(r, results);
      const after = afterEvaluation(r, results, new Date(now()), action.windowSeconds);
      if (after.kind === 'write') {
        let next = after.next;
        try {
          const rv = await writeWeights(r, after.weights, 'rollback');
          next = afterWrite(next, rv, new Date(now()), identity);
        } catch (err) {
          log.error({ err, rollout: r.id }, 'rollback write failed');
          next.reason = `${next.reason ?? ''} — but writing the baseline back failed: ${(err as Error).message}`;
        }
        cur = await save(cur, next);
        return;
      }
      if (after.kind === 'save') cur = await save(cur, after.next);
    }
  }

  async function tick(): Promise<void> {
    try {
      const leader = await lease.tryAcquireOrRenew();
      if (!leader) return;
      const all = await deps.store.list();
      for (const s of all)
        if (isActive(s.rollout) || s.rollout.pending)
          await drive(s).catch((err: unknown) =>
            log.warn({ err, rollout: s.rollout.id }, 'rollout tick failed'),
          );
    } catch (err) {
      log.warn({ err }, 'rollout tick failed');
    }
  }

  const runTick = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await tick();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runTick().finally(schedule);
    }, deps.tickMs);
    timer.unref?.();
  };

  return {
    identity,
    lease,
    liveWeights,
    start() {
      if (!stopped) return;
      stopped = false;
      void runTick().finally(schedule);
    },
    async stop(options = {}) {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      if (options.release !== false) await lease.release().catch(() => undefined);
    },
    async kick() {
      if (!stopped) await runTick();
    },
  };
}

/** One line for the change history: `rollout reviews (r-1): v1 75, v3 25`, with the command if any. */
export function rolloutSummary(c: RolloutChange): string {
  const shifting = (c.intent as { trafficShifting?: { weights?: Record<string, number> } }).trafficShifting;
  const weights = Object.entries(shifting?.weights ?? {})
    .map(([v, w]) => `${v} ${w}`)
    .join(', ');
  const what = c.actor.command ? `${c.actor.command}, ` : '';
  return `rollout ${c.service} (${c.actor.rolloutId}): ${what}${weights}`;
}
