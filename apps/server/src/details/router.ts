/**
 * `GET /api/namespaces/{ns}/{apps|workloads|services}/{name}[/graph|/metrics]`: the detail pages' API.
 * Facts and Istio objects come from the informer cache (no Kubernetes call per request), health and the
 * node graph from the graph pipeline, range series from the metrics service. The namespace was checked
 * readable before these handlers run (app.ts).
 */
import {
  DETAIL_ROUTES,
  ENTITY_KINDS,
  MetricsQuerySchema,
  NodeGraphQuerySchema,
  type DetailResponse,
  type EntityKind,
  type GraphWarning,
} from '@meshlens/contract';
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { InputError, NotFoundError } from '../errors';
import type { GraphService } from '../graph/graphService';
import { markUnreadable } from '../graph/visibility';
import { parseQuery } from '../http/errors';
import { checkParams } from '../http/params';
import type { RawObject } from '../inventory/derive';
import type { InventorySnapshot } from '../inventory/types';
import type { MetricsService } from '../metrics/service';
import { hideUnreadablePeers, peerNamespaces, withNamespaceLabels } from '../metrics/visibility';
import { entityFacts } from './facts';
import { entityHealth } from './health';
import { istioRefs, REF_KINDS, type RefLists } from './istioRefs';
import { centreId, centreOn, idleNode, nodeGraphQuery } from './nodeGraph';
import type { Validations } from './validations';

export interface DetailsDeps {
  snapshot: () => InventorySnapshot;
  /** Raw objects of one kind from the informer cache (empty when the cache holds none). */
  list: (kind: string) => RawObject[];
  graph: GraphService;
  metrics: MetricsService;
  validations: Validations;
  /** Which of `namespaces` the request's user may read ('all' or a set). */
  readable: (req: Request, namespaces: readonly string[]) => Promise<'all' | ReadonlySet<string>>;
  clientOf: (req: Request) => string;
  /** Longest `duration` a request may ask for (graph.maxDurationSeconds, as on the graph and the lists). */
  maxDurationSeconds?: number;
}

const query = parseQuery;

/** Prometheus's most steps of one series in a range query (its "maximum resolution"). */
const PROMETHEUS_MAX_STEPS = 11_000;

const NO_PARAMETERS = z.strictObject({});
/** Health over Kiali's default window (5 m), from the graph answer the node graph shares by default. */
const HEALTH_GRAPH = NodeGraphQuerySchema.parse({});

const isEntityKind = (k: string): k is EntityKind => (ENTITY_KINDS as readonly string[]).includes(k);
const SINGULAR: Record<EntityKind, string> = { apps: 'app', workloads: 'workload', services: 'service' };

function exists(snap: InventorySnapshot, kind: EntityKind, namespace: string, name: string): boolean {
  if (kind === 'services') return snap.services.some((s) => s.namespace === namespace && s.name === name);
  return snap.workloads.some(
    (w) => w.namespace === namespace && (kind === 'workloads' ? w.name === name : w.app === name),
  );
}

export function detailsRouter(deps: DetailsDeps): Router {
  const router = checkParams(express.Router());
  const checkDuration = (duration: number) => {
    const max = deps.maxDurationSeconds;
    if (max !== undefined && duration > max) {
      const message = `at most ${max}s on this server (graph.maxDurationSeconds), got ${duration}s`;
      throw new InputError(`duration: ${message}`, { issues: [{ param: 'duration', message }] });
    }
  };
  /** The entity of the path, or next('route') for a kind that is not ours (pods, istio, …). */
  const entityOf = (req: Request) => {
    const kind = String(req.params.kind);
    if (!isEntityKind(kind)) return undefined;
    const namespace = String(req.params.namespace);
    const name = String(req.params.name);
    const snap = deps.snapshot();
    if (!exists(snap, kind, namespace, name))
      throw new NotFoundError(`no ${SINGULAR[kind]} ${name} in namespace ${namespace}`);
    return { kind, namespace, name, snap };
  };

  router.get(DETAIL_ROUTES.detail, async (req, res, next) => {
    const e = entityOf(req);
    if (!e) return next();
    query(NO_PARAMETERS, req);
    const facts = entityFacts(
      e.snap,
      { pods: deps.list('pods'), services: deps.list('services') },
      e.kind,
      e.namespace,
      e.name,
    );
    const lists: RefLists = Object.fromEntries(REF_KINDS.map(([plural]) => [plural, deps.list(plural)]));
    const workloads = e.snap.workloads.filter(
      (w) =>
        w.namespace === e.namespace &&
        (facts.kind === 'workloads' ? w.name === e.name : facts.workloads.some((r) => r.name === w.name)),
    );
    const services = facts.kind === 'services' ? [e.name] : facts.services.map((s) => s.name);
    const refs = istioRefs(lists, {
      namespace: e.namespace,
      hosts: new Set(services.map((s) => `${s}.${e.namespace}.svc.cluster.local`)),
      podLabels: workloads.map((w) => w.labels),
    });
    const readable = await deps.readable(req, [...new Set(refs.map((r) => r.namespace))]);
    const visible = refs.filter((r) => readable === 'all' || readable.has(r.namespace));
    const validated = deps.validations.of(visible);
    const graph = await deps.graph.getGraph(
      nodeGraphQuery(e.kind, e.namespace, e.name, HEALTH_GRAPH),
      deps.clientOf(req),
    );
    const health = entityHealth(graph, centreId(e.kind, e.namespace, e.name), workloads);
    const warnings: GraphWarning[] = graph.warnings.filter((w) => w.code !== 'NamespaceNotFound');
    const body: DetailResponse = { ...facts, istio: validated, health, warnings };
    res.json(body);
  });

  router.get(DETAIL_ROUTES.graph, async (req, res, next) => {
    const e = entityOf(req);
    if (!e) return next();
    const q = query(NodeGraphQuerySchema, req);
    checkDuration(q.duration);
    const graph = await deps.graph.getGraph(
      nodeGraphQuery(e.kind, e.namespace, e.name, q),
      deps.clientOf(req),
    );
    const centred = centreOn(
      graph,
      centreId(e.kind, e.namespace, e.name),
      idleNode(e.kind, e.namespace, e.name),
    );
    const others = [...new Set(centred.nodes.map((n) => n.namespace))].filter((ns) => ns !== 'unknown');
    const readable = await deps.readable(req, others);
    res.json(readable === 'all' ? centred : markUnreadable(centred, (ns) => readable.has(ns)));
  });

  router.get(DETAIL_ROUTES.metrics, async (req, res, next) => {
    const e = entityOf(req);
    if (!e) return next();
    const q = query(MetricsQuerySchema, req);
    checkDuration(q.duration);
    if (e.kind === 'services' && q.direction === 'outbound')
      throw new InputError('direction: a service has inbound metrics only (its workloads call out)', {
        issues: [{ param: 'direction', message: 'a service has inbound metrics only' }],
      });
    // Prometheus answers at most 11,000 steps a series: a longer range needs a larger step.
    if (q.step !== undefined && Math.floor(q.duration / q.step) > PROMETHEUS_MAX_STEPS) {
      const least = Math.ceil(q.duration / PROMETHEUS_MAX_STEPS);
      const message = `${q.duration}s at a step of ${q.step}s is more than Prometheus's ${PROMETHEUS_MAX_STEPS} points a series: a step of at least ${least}s`;
      throw new InputError(`step: ${message}`, { issues: [{ param: 'step', message }] });
    }
    const entity = { kind: e.kind, namespace: e.namespace, name: e.name };
    // Grouped by a peer's labels, a series names it: one in a namespace the user may not read is hidden.
    const everyNamespace = e.snap.namespaces.map((n) => n.name);
    const readable = q.byLabels.length ? await deps.readable(req, everyNamespace) : 'all';
    if (readable === 'all') {
      res.json(await deps.metrics.metrics(entity, q));
      return;
    }
    const answer = await deps.metrics.metrics(entity, { ...q, byLabels: withNamespaceLabels(q.byLabels) });
    const peers = await deps.readable(req, peerNamespaces(answer));
    res.json(hideUnreadablePeers(answer, peers, q.byLabels));
  });
  return router;
}
