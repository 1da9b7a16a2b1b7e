/**
 * The rollout routes: start (checked as the user), list, read, and the commands pause / resume / abort /
 * promote (asked for as the user; carried out by the driving console, see controller.ts).
 */
import {
  DryRunQuerySchema,
  ROLLOUT_COMMANDS,
  ROLLOUT_ROUTES,
  RolloutListQuerySchema,
  StartRolloutSchema,
  type Rollout,
  type RolloutCommand,
  type RolloutListResponse,
} from '@meshlens/contract';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../errors';
import type { Auth } from '../auth/index';
import { isReadable } from '../auth/index';
import { bodyParsers } from '../http/body';
import { parseQuery } from '../http/errors';
import { checkParams } from '../http/params';
import { validationError, zodCauses } from '../istio/checks';
import { applyIntent, freshObjects, routingFacts, type IstioRouteDeps } from '../istio/routing';
import type { RolloutController } from './controller';
import { serviceVirtualService, subsetVersions } from './controller';
import { commandRefusal, isActive, newRollout, stepWeights, weightsOf } from './machine';
import type { RolloutStore, Stored } from './store';

export interface RolloutRouterDeps {
  /** The intent path (its client: the console's; each request's user client replaces it for checks). */
  istio: IstioRouteDeps;
  store: RolloutStore;
  controller: RolloutController;
  auth: Auth;
  /** How long a command waits for the driving console to carry it out before answering 202. */
  commandWaitMs?: number;
}

const ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const p = (req: Request, key: string) => String(req.params[key] ?? '');

/** `?dryRun=true`, as on the Istio write routes (any other query parameter is a 400 naming it). */
const isDryRun = (req: Request) => parseQuery(DryRunQuerySchema, req).dryRun;

export function rolloutsRouter(deps: RolloutRouterDeps): Router {
  const router = checkParams(express.Router());
  const { auth, store, controller } = deps;
  // As on the Istio write routes: JSON or YAML (another media type 415), 1 MB (413), nesting bounded;
  // a command is often sent with no body at all (Content-Length: 0, no type): nothing to read then.
  const parsers = bodyParsers();
  const json: RequestHandler = (req, res, next) => {
    if (req.headers['content-length'] === '0') return next();
    let i = 0;
    const step = (err?: unknown): void => {
      const parser = parsers[i++];
      if (err !== undefined || !parser) return next(err);
      parser(req, res, step);
    };
    step();
  };
  const username = (req: Request) => auth.principalOf(req)?.identity.username ?? 'unknown';

  /** The user may change the service's routing: an access review, then (by the caller) a dry run. */
  async function requireWriter(req: Request, namespace: string): Promise<void> {
    const principal = auth.principalOf(req);
    if (!principal) throw new NotAllowedError('Sign in first.');
    for (const resource of ['virtualservices', 'destinationrules']) {
      const d = await auth.reviews.canI(principal.credentials, {
        verb: 'update',
        group: 'networking.istio.io',
        resource,
        namespace,
      });
      if (!d.allowed)
        throw new NotAllowedError(
          `${principal.identity.username} may not update ${resource} in namespace ${namespace}: a rollout writes the service's routing`,
          { refusedBy: 'kubernetes', identity: principal.identity },
        );
    }
  }

  /** A dry run of `weights` with the user's own credentials: the cluster says whether they may write it. */
  const dryRunAsUser = (req: Request, namespace: string, service: string, weights: Record<string, number>) =>
    applyIntent(
      { ...deps.istio, client: auth.istioClient(req) },
      namespace,
      service,
      { trafficShifting: { weights } },
      true,
    );

  const withLive = async (r: Rollout): Promise<Rollout> => {
    const live = await controller.liveWeights(r.namespace, r.service).catch(() => undefined);
    return live ? { ...r, live } : r;
  };

  async function load(req: Request): Promise<Stored> {
    const namespace = p(req, 'namespace');
    const id = p(req, 'id');
    if (!ID.test(id)) throw new InputError(`id: ${JSON.stringify(id)} is not a rollout id`);
    const s = await store.get(id);
    if (!s || s.rollout.namespace !== namespace)
      throw new NotFoundError(`no rollout ${id} in namespace ${namespace}`);
    return s;
  }

  /**
   * One start at a time per service on this console: the check for an active rollout and the store's
   * create are one step, so concurrent starts make one rollout (the others a 409).
   */
  const starting = new Map<string, Promise<unknown>>();
  function oneAtATime<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = starting.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    starting.set(key, settled);
    void settled.then(() => {
      if (starting.get(key) === settled) starting.delete(key);
    });
    return next;
  }

  router.post(ROLLOUT_ROUTES.start, json, async (req, res) => {
    const dryRun = isDryRun(req);
    const namespace = p(req, 'namespace');
    const service = p(req, 'service');
    const parsed = StartRolloutSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError('invalid rollout', zodCauses(parsed.error));
    const body = parsed.data;
    // Who may not change the namespace's routing learns nothing of its services (versions, rollouts).
    await requireWriter(req, namespace);
    const facts = routingFacts(deps.istio, namespace, service);
    const known = new Set(facts.versions);
    const unknownVersion = (v: string) =>
      `${v} is not a version of ${namespace}/${service} (it runs ${facts.versions.join(', ') || 'none'})`;
    if (!known.has(body.target))
      throw validationError('invalid rollout', [
        { path: 'target', message: unknownVersion(body.target), code: 'UnknownVersion' },
      ]);
    // The baseline: given, else the weights the service's VirtualService gives now (read as the user).
    let baseline = body.baseline;
    if (!baseline) {
      const objects = await freshObjects(auth.istioClient(req), namespace);
      baseline = weightsOf(serviceVirtualService(objects, service), subsetVersions(objects, service));
      if (!baseline)
        throw validationError('invalid rollout', [
          {
            path: 'baseline',
            message: `${namespace}/${service} has no weighted routing now; give the baseline weights (e.g. {"v1": 100})`,
            code: 'BaselineRequired',
          },
        ]);
    }
    const causes = Object.keys(baseline)
      .filter((v) => !known.has(v))
      .map((v) => ({ path: `baseline/${v}`, message: unknownVersion(v), code: 'UnknownVersion' }));
    if (causes.length) throw validationError('invalid rollout', causes);
    if (Object.entries(baseline).every(([v, w]) => v === body.target || w === 0))
      throw validationError('invalid rollout', [
        {
          path: 'baseline',
          message: `the baseline sends no traffic to any version but ${body.target}: nothing to roll out from`,
          code: 'NoBaseline',
        },
      ]);
    const noneActive = async () => {
      const active = (await store.list()).find(
        (s) => isActive(s.rollout) && s.rollout.namespace === namespace && s.rollout.service === service,
      );
      if (active)
        throw new ConflictError(
          `${namespace}/${service} already has an active rollout (${active.rollout.id}, ${active.rollout.phase}); abort or finish it first`,
          { current: active.rollout },
        );
    };
    await noneActive();
    await dryRunAsUser(req, namespace, service, stepWeights(baseline, body.target, body.steps[0] as number));
    const id = `${service.slice(0, 40)}-${Date.now().toString(36)}`.replace(/-+$/, '');
    const rollout = newRollout({
      id,
      namespace,
      service,
      body,
      baseline,
      by: username(req),
      now: new Date(),
    });
    // ?dryRun=true: every check above made (as the user, with the cluster's dry run), nothing stored
    if (dryRun) {
      res.status(200).json(rollout);
      return;
    }
    const created = await oneAtATime(`${namespace}/${service}`, async () => {
      await noneActive();
      // Across replicas: the service's slot in the cluster (store.ts), taken by one start only.
      if (!(await store.claim(rollout))) {
        await noneActive();
        throw new ConflictError(
          `another console is starting a rollout of ${namespace}/${service} right now; try again in a moment`,
        );
      }
      return store.create(rollout);
    });
    void controller.kick();
    res.status(201).json(await withLive(created.rollout));
  });

  router.get(ROLLOUT_ROUTES.list, async (req, res) => {
    const q = parseQuery(RolloutListQuerySchema, req);
    // namespaces asked for by name must all be readable (403 naming one), as on the other lists
    if (q.namespaces) await auth.requireReadable(req, q.namespaces);
    const all = (await store.list()).filter(
      (s) => !q.namespaces || q.namespaces.includes(s.rollout.namespace),
    );
    const readable = await auth.readable(req, [...new Set(all.map((s) => s.rollout.namespace))]);
    const body: RolloutListResponse = {
      rollouts: all.filter((s) => isReadable(readable, s.rollout.namespace)).map((s) => s.rollout),
      ...(controller.lease.holder() ? { driver: controller.lease.holder() } : {}),
    };
    res.json(body);
  });

  router.get(ROLLOUT_ROUTES.one, async (req, res) => {
    res.json(await withLive((await load(req)).rollout));
  });

  router.post(ROLLOUT_ROUTES.command, json, async (req, res) => {
    const dryRun = isDryRun(req);
    const command = p(req, 'command') as RolloutCommand;
    if (!ROLLOUT_COMMANDS.includes(command))
      throw new NotFoundError(
        `no rollout command ${JSON.stringify(command)} (${ROLLOUT_COMMANDS.join(', ')})`,
      );
    // who may not change the namespace's routing is refused first, whatever rollout the id names (if any)
    await requireWriter(req, p(req, 'namespace'));
    let s = await load(req);
    const r = s.rollout;
    const refusal = commandRefusal(r, command);
    if (refusal) throw new ConflictError(refusal, { current: r });
    if (r.pending)
      throw new ConflictError(`rollout ${r.id} has a ${r.pending.command} waiting to be carried out`, {
        current: r,
      });
    // What the command would write, tried as the user first.
    const weights =
      command === 'abort'
        ? r.baseline
        : command === 'promote'
          ? stepWeights(r.baseline, r.target, 100)
          : command === 'resume'
            ? r.steps[r.current]?.weights
            : undefined;
    if (weights) await dryRunAsUser(req, r.namespace, r.service, weights);
    const pending = { command, by: username(req), at: new Date().toISOString() };
    // ?dryRun=true: the command checked as the user (and its write dry-run), not queued
    if (dryRun) {
      res.status(200).json({ ...r, pending });
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        s = await store.update({ ...s.rollout, pending }, s.resourceVersion);
        break;
      } catch (err) {
        if (attempt >= 3 || (err as { status?: number }).status !== 409) throw err;
        s = await load(req);
        const again = commandRefusal(s.rollout, command);
        if (again) throw new ConflictError(again, { current: s.rollout });
      }
    }
    // The driving console carries it out (this one, if it holds the Lease): wait a little for it.
    void controller.kick();
    const until = Date.now() + (deps.commandWaitMs ?? 8000);
    let latest = s;
    while (Date.now() < until) {
      latest = (await store.get(r.id)) ?? latest;
      if (latest.rollout.pending?.at !== pending.at) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const done = latest.rollout.pending?.at !== pending.at;
    res.status(done ? 200 : 202).json(await withLive(latest.rollout));
  });

  return router;
}
