/**
 * `GET /api/changes`, `GET /api/changes/:id`, `POST /api/changes/:id/revert[?dryRun=true]`: the change
 * history, read only in namespaces the user may read; a revert writes as the requesting user.
 */
import {
  ChangeIdSchema,
  ChangesQuerySchema,
  HISTORY_ROUTES,
  RevertQuerySchema,
  type Change,
  type ChangesResponse,
  type ChangeSummary,
  type RevertResponse,
} from '@meshlens/contract';
import express, { type Request, type Router } from 'express';
import type { Logger } from 'pino';
import type { Auth } from '../auth/index';
import { isReadable } from '../auth/index';
import { InputError, NotFoundError } from '../errors';
import { parseQuery } from '../http/errors';
import type { Inventory } from '../inventory/informers';
import { loadIstioCrds, type IstioCrds } from '../istio/crds';
import type { IstioRouteDeps } from '../istio/routing';
import type { IstioKubeClient } from '../istio/kubeClient';
import { tidy } from '../istio/writer';
import type { History } from './history';
import { objectsOfResults } from './objects';
import { revertChange } from './revert';

export interface HistoryRouterDeps {
  history: History;
  auth: Pick<Auth, 'readable' | 'requireReadable' | 'istioClient' | 'principalOf'>;
  inventory: Pick<Inventory, 'list'>;
  logger: Logger;
  crds?: IstioCrds;
}

/** Who a request acts as, for the history: the signed-in user's name; `anonymous` without sign-in. */
export function actorOf(auth: Pick<Auth, 'principalOf'>, req: Request): string {
  const p = auth.principalOf(req);
  if (!p || p.strategy === 'anonymous') return 'anonymous';
  return p.identity.username || 'unknown';
}

export function summaryOf(c: Change): ChangeSummary {
  return {
    ...c,
    objects: c.objects.map((o) => ({
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      action: o.before === null ? 'create' : o.after === null ? 'delete' : 'update',
    })),
  };
}

const namespacesOf = (c: Change) => [...new Set([c.namespace, ...c.objects.map((o) => o.namespace)])];

function idOf(req: Request): string {
  const parsed = ChangeIdSchema.safeParse(String(req.params.id ?? ''));
  if (!parsed.success) throw new InputError(`id: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function historyRouter(deps: HistoryRouterDeps): Router {
  const { history, auth } = deps;
  const crds = () => deps.crds ?? loadIstioCrds();
  const router = express.Router();

  /** The change, 404 when unknown, 403 when it touches a namespace the user may not read. */
  const readableChange = async (req: Request): Promise<Change> => {
    const id = idOf(req);
    const change = history.get(id);
    if (!change) throw new NotFoundError(`no change ${id} in the history`);
    await auth.requireReadable(req, namespacesOf(change));
    return change;
  };

  router.get(HISTORY_ROUTES.changes, async (req, res) => {
    const q = parseQuery(ChangesQuerySchema, req);
    if (q.namespace) await auth.requireReadable(req, q.namespace);
    const all = history.list();
    const readable = await auth.readable(req, [...new Set(all.flatMap(namespacesOf))]);
    const kind = q.kind?.toLowerCase();
    const kindMatches = (k: string) => {
      if (!kind) return true;
      const found = crds().find(kind);
      return k.toLowerCase() === kind || (found !== undefined && found.kind === k);
    };
    const matched = all.filter(
      (c) =>
        namespacesOf(c).every((ns) => isReadable(readable, ns)) &&
        (!q.namespace || namespacesOf(c).some((ns) => q.namespace?.includes(ns))) &&
        (!q.since || c.at >= q.since) &&
        (!q.author || c.actor === q.author || c.manager === q.author) &&
        (!q.source || c.source === q.source) &&
        c.objects.some((o) => kindMatches(o.kind) && (!q.name || o.name === q.name)),
    );
    const body: ChangesResponse = {
      changes: matched.slice(0, q.limit).map(summaryOf),
      truncated: matched.length > q.limit,
      storage: {
        command: `kubectl -n ${history.storage.namespace} get configmaps -l ${history.storage.selector} -o yaml`,
      },
    };
    res.json(body);
  });

  router.get(HISTORY_ROUTES.change, async (req, res) => {
    res.json(await readableChange(req));
  });

  router.post(HISTORY_ROUTES.revert, async (req, res) => {
    const { dryRun } = parseQuery(RevertQuerySchema, req);
    const change = await readableChange(req);
    const client: IstioKubeClient = auth.istioClient(req);
    const routeDeps: IstioRouteDeps = {
      client,
      inventory: deps.inventory,
      logger: deps.logger,
      crds: crds(),
    };
    const { steps, results } = await revertChange(routeDeps, change, dryRun);
    const recorded =
      dryRun || results.length === 0
        ? undefined
        : await history.record({
            actor: actorOf(auth, req),
            intent: { revert: change.id },
            summary: `revert: ${change.summary}`,
            namespace: change.namespace,
            objects: objectsOfResults(results),
            revertOf: change.id,
          });
    const last = new Map<string, unknown>();
    for (const r of results)
      if (r.step.action !== 'delete')
        last.set(
          `${r.result.kind}/${r.result.metadata.namespace ?? ''}/${r.result.metadata.name}`,
          tidy(r.result),
        );
    const body: RevertResponse = {
      ...(recorded ? { change: recorded } : {}),
      steps: steps.map((s) => ({
        action: s.action,
        kind: s.object.kind,
        namespace: s.object.metadata.namespace ?? change.namespace,
        name: s.object.metadata.name,
      })),
      objects: [...last.values()] as RevertResponse['objects'],
      dryRun,
    };
    res.json(body);
  });
  return router;
}
