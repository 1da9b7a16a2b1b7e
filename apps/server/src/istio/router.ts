/**
 * The Istio write routes (router factory): routing intents per service, and raw Istio objects.
 * Bodies: JSON (`application/json`; a PATCH also `application/merge-patch+json`) or YAML
 * (`application/yaml`); other media types 415 (see http/body.ts).
 */
import {
  DeleteRoutingQuerySchema,
  DryRunQuerySchema,
  ISTIO_ROUTES,
  IstioConfigQuerySchema,
  IstioObjectQuerySchema,
  RoutingIntentSchema,
} from '@meshlens/contract';
import express, { type Request, type Router } from 'express';
import type { Logger } from 'pino';
import { InputError } from '../errors';
import { bodyParsers } from '../http/body';
import { parseQuery } from '../http/errors';
import { checkParams } from '../http/params';
import type { Inventory } from '../inventory/informers';
import { validationError, zodCauses } from './checks';
import { listConfig } from './config';
import { loadIstioCrds, type IstioCrds } from './crds';
import type { IstioKubeClient } from './kubeClient';
import { createObject, deleteObject, getObject, listObjects, patchObject, replaceObject } from './objects';
import { applyIntent, routingFacts, type IstioRouteDeps } from './routing';
import type { ConsoleWrite } from './writer';

export interface IstioRouterDeps {
  client: IstioKubeClient;
  /** The client with the request's own credentials (auth/); default `client` for every request. */
  clientFor?: (req: Request) => IstioKubeClient;
  /** The informer cache: services, workloads and Istio config of the whole mesh, for validations. */
  inventory: Pick<Inventory, 'list'>;
  logger: Logger;
  /** Default: data/istio/crd-all.gen.yaml, loaded once. */
  crds?: IstioCrds;
  /** Told of each write a request made (not dry runs), once it succeeded (the change history). */
  onWrite?: (req: Request, write: ConsoleWrite) => Promise<void>;
}

const query = parseQuery;

/** The body as data (JSON or YAML, parsed and depth-checked by bodyParsers). */
function bodyOf(req: Request): unknown {
  const b: unknown = req.body;
  if (b === undefined) throw new InputError('body: required (JSON or YAML)');
  return b;
}

const p = (req: Request, key: string) => String(req.params[key] ?? '');

export function istioRouter(input: IstioRouterDeps): Router {
  const { onWrite, ...rest } = input;
  const base: IstioRouteDeps = { ...rest, crds: input.crds ?? loadIstioCrds() };
  // Every :namespace, :service, :kind and :name is checked before a handler runs (400 naming it).
  const router = checkParams(express.Router());
  /** The deps of one request: its user's Kubernetes client. */
  const depsOf = (req: Request): IstioRouteDeps => {
    return {
      ...base,
      ...(input.clientFor ? { client: input.clientFor(req) } : {}),
      onWrite: onWrite ? (w) => onWrite(req, w) : undefined,
    };
  };
  router.use(
    ['/api/namespaces/:namespace/services/:service/routing', '/api/namespaces/:namespace/istio'],
    bodyParsers(),
  );

  router.get(ISTIO_ROUTES.routing, (req, res) => {
    res.json(routingFacts(base, p(req, 'namespace'), p(req, 'service')));
  });
  router.post(ISTIO_ROUTES.routing, async (req, res) => {
    const { dryRun } = query(DryRunQuerySchema, req);
    const parsed = RoutingIntentSchema.safeParse(bodyOf(req));
    if (!parsed.success) throw validationError('invalid routing intent', zodCauses(parsed.error));
    res.json(await applyIntent(depsOf(req), p(req, 'namespace'), p(req, 'service'), parsed.data, dryRun));
  });
  router.delete(ISTIO_ROUTES.routing, async (req, res) => {
    const q = query(DeleteRoutingQuerySchema, req);
    const intent = { deleteRouting: { includeHandWritten: q.includeHandWritten } };
    res.json(await applyIntent(depsOf(req), p(req, 'namespace'), p(req, 'service'), intent, q.dryRun));
  });

  router.get(ISTIO_ROUTES.config, async (req, res) => {
    res.json(await listConfig(depsOf(req), query(IstioConfigQuerySchema, req)));
  });
  router.get(ISTIO_ROUTES.objects, async (req, res) => {
    res.json(await listObjects(depsOf(req), p(req, 'namespace'), p(req, 'kind')));
  });
  router.post(ISTIO_ROUTES.objects, async (req, res) => {
    const { dryRun } = query(DryRunQuerySchema, req);
    const out = await createObject(depsOf(req), p(req, 'namespace'), p(req, 'kind'), bodyOf(req), dryRun);
    res.status(dryRun ? 200 : 201).json(out);
  });
  router.get(ISTIO_ROUTES.object, async (req, res) => {
    res.json(await getObject(depsOf(req), p(req, 'namespace'), p(req, 'kind'), p(req, 'name')));
  });
  router.put(ISTIO_ROUTES.object, async (req, res) => {
    const { dryRun } = query(DryRunQuerySchema, req);
    res.json(
      await replaceObject(
        depsOf(req),
        p(req, 'namespace'),
        p(req, 'kind'),
        p(req, 'name'),
        bodyOf(req),
        dryRun,
      ),
    );
  });
  router.patch(ISTIO_ROUTES.object, async (req, res) => {
    const q = query(IstioObjectQuerySchema, req);
    res.json(
      await patchObject(depsOf(req), p(req, 'namespace'), p(req, 'kind'), p(req, 'name'), bodyOf(req), q),
    );
  });
  router.delete(ISTIO_ROUTES.object, async (req, res) => {
    const q = query(IstioObjectQuerySchema, req);
    res.json(await deleteObject(depsOf(req), p(req, 'namespace'), p(req, 'kind'), p(req, 'name'), q));
  });
  return router;
}
