/**
 * `GET /api/overview`, `GET /api/{apps|workloads|services}` and `GET /api/namespaces/{ns}/{kind}`: parse,
 * decide which namespaces the user may see, call the entities service, answer.
 */
import {
  ENTITY_KINDS,
  ENTITY_ROUTES,
  EntitiesQuerySchema,
  NamespaceEntitiesQuerySchema,
  type EntityKind,
} from '@meshlens/contract';
import express, { type Request, type Router } from 'express';
import { isReadable, type Auth } from '../auth/index';
import { InputError, NotFoundError } from '../errors';
import { inputErrorFrom } from '../http/errors';
import type { InventorySnapshot } from '../inventory/types';
import type { EntitiesService } from './service';

export interface EntitiesRouterDeps {
  service: EntitiesService;
  inventory: () => InventorySnapshot;
  auth: Pick<Auth, 'readable' | 'requireReadable'>;
  maxDurationSeconds: number;
}

export function entitiesRouter(deps: EntitiesRouterDeps): Router {
  const router = express.Router();

  const checkDuration = (duration: number) => {
    if (duration > deps.maxDurationSeconds)
      throw new InputError(
        `duration: at most ${deps.maxDurationSeconds}s on this server (graph.maxDurationSeconds), got ${duration}s`,
        { issues: [{ param: 'duration', message: `at most ${deps.maxDurationSeconds}s` }] },
      );
  };

  /** Asked explicitly: 403 when one is not readable; absent: every namespace the user may read. */
  async function namespacesFor(req: Request, asked: readonly string[] | undefined): Promise<string[]> {
    const all = deps.inventory().namespaces.map((n) => n.name);
    if (asked) {
      await deps.auth.requireReadable(req, asked);
      const known = new Set(all);
      return asked.filter((n) => known.has(n));
    }
    const readable = await deps.auth.readable(req, all);
    return all.filter((n) => isReadable(readable, n));
  }

  const strip = <T extends { debug?: unknown }>(body: T, debug: boolean): T => {
    if (debug) return body;
    const { debug: _omit, ...rest } = body;
    return rest as T;
  };

  router.get(ENTITY_ROUTES.overview, async (req, res) => {
    const parsed = EntitiesQuerySchema.safeParse(req.query);
    if (!parsed.success) throw inputErrorFrom(parsed.error);
    checkDuration(parsed.data.duration);
    const namespaces = await namespacesFor(req, parsed.data.namespaces);
    const body = await deps.service.overview(namespaces, parsed.data.duration);
    res.json(strip(body, parsed.data.debug));
  });

  for (const kind of ENTITY_KINDS) {
    router.get(ENTITY_ROUTES.list(kind), async (req, res) => {
      const parsed = EntitiesQuerySchema.safeParse(req.query);
      if (!parsed.success) throw inputErrorFrom(parsed.error);
      checkDuration(parsed.data.duration);
      const namespaces = await namespacesFor(req, parsed.data.namespaces);
      res.json(strip(await deps.service.list(kind, namespaces, parsed.data.duration), parsed.data.debug));
    });
  }

  // The namespace itself was checked by app.ts (name 400, not readable 403) before this runs.
  router.get('/api/namespaces/:namespace/:kind', async (req, res, next) => {
    const kind = String(req.params.kind);
    if (!(ENTITY_KINDS as readonly string[]).includes(kind)) return next();
    const parsed = NamespaceEntitiesQuerySchema.safeParse(req.query);
    if (!parsed.success) throw inputErrorFrom(parsed.error);
    checkDuration(parsed.data.duration);
    const namespace = String(req.params.namespace);
    if (!deps.inventory().namespaces.some((n) => n.name === namespace))
      throw new NotFoundError(`namespace ${namespace} not found`);
    const body = await deps.service.list(kind as EntityKind, [namespace], parsed.data.duration);
    res.json(strip(body, parsed.data.debug));
  });

  return router;
}
