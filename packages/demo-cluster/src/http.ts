/** The HTTP front: routes Kubernetes REST paths to discovery, CRUD, subresources and watch. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cluster, WriteResult } from './cluster';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery';
import { ApiError, badRequest, methodNotAllowed, resourceNotFound } from './errors';
import { negotiate, parseObjectBody, readBody, readRawBody, writeOptions, type Rendering } from './negotiate';
import { openApiV2, openApiV3Doc, openApiV3Root } from './openapi';
import { fieldEquals, parseFieldSelector, parseLabelSelector } from './selectors';
import { toTable } from './table';
import { objectJson, RawJson } from './json';
import type { KObject, ResourceType } from './types';
import { serveWatch } from './watch';
import { handleSubresource } from './subresources';

export interface HttpContext {
  cluster: Cluster;
  serverAddress: () => string;
  /** Registers a cleanup for long-running responses (watches) so close() can end them. */
  track: (fn: () => void) => void;
  log?: (line: string) => void;
  /** Authentication and authorization: runs `serve` as the request's user, or throws 401/403. */
  guard?: (req: IncomingMessage, serve: () => Promise<void>) => Promise<void>;
  /** Serves targets the generic handlers do not (access reviews, TokenRequest); false when not one. */
  extension?: (t: Target, method: string, req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface Target {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  sub?: string;
}

export function send(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = body instanceof RawJson ? body.text : JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  const err =
    e instanceof ApiError
      ? e
      : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
  if (!res.headersSent) send(res, err.code, err.toStatus());
  else if (!res.writableEnded) res.end();
}

/** Splits /api/v1/... and /apis/g/v/... into a resource target, or undefined for discovery paths. */
function resolveTarget(
  cluster: Cluster,
  group: string,
  version: string,
  rest: string[],
  path: string,
): Target {
  const find = (plural: string): ResourceType => {
    const t = cluster.registry.lookup(group, version, plural);
    if (!t) throw resourceNotFound(path);
    return t;
  };
  const [a, b, c, d, e, ...more] = rest;
  if (more.length > 0 || a === undefined) throw resourceNotFound(path);
  if (a === 'namespaces' && b !== undefined && c !== undefined) {
    const nsType = cluster.registry.lookup(group, version, c);
    if (nsType?.namespaced)
      return { type: nsType, version, namespace: b, ...(d ? { name: d } : {}), ...(e ? { sub: e } : {}) };
    if (group === '' && d === undefined) return { type: find('namespaces'), version, name: b, sub: c };
    throw resourceNotFound(path);
  }
  const t = find(a);
  if (d !== undefined) throw resourceNotFound(path);
  return { type: t, version, ...(b ? { name: b } : {}), ...(c ? { sub: c } : {}) };
}

function listKindMeta(
  cluster: Cluster,
  t: ResourceType,
  version: string,
  items: KObject[],
  meta: Record<string, unknown>,
): RawJson {
  const head = JSON.stringify({
    kind: t.listKind,
    apiVersion: t.group ? `${t.group}/${version}` : version,
    metadata: meta,
  });
  const body = items.map((o) => objectJson(cluster.present(o, t, version))).join(',');
  return new RawJson(`${head.slice(0, -1)},"items":[${body}]}`);
}

export function render(
  cluster: Cluster,
  t: Target,
  obj: KObject,
  rendering: Rendering,
  q: URLSearchParams,
): unknown {
  const o = cluster.present(obj, t.type, t.version);
  if (rendering === 'table')
    return toTable(
      t.type,
      t.version,
      [o],
      { resourceVersion: o.metadata.resourceVersion },
      q.get('includeObject') ?? 'Metadata',
    );
  if (rendering === 'metadata')
    return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  return o;
}

export function createHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const serve = () => handle(ctx, req, res);
    (ctx.guard ? ctx.guard(req, serve) : serve()).catch((e: unknown) => sendError(res, e));
  };
}

async function handle(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const q = url.searchParams;
  const method = req.method ?? 'GET';
  const { cluster } = ctx;
  ctx.log?.(`${method} ${req.url ?? ''}`);

  if (method === 'GET') {
    if (path === '/version') return send(res, 200, versionInfo());
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('ok');
    }
    if (path === '/api') return send(res, 200, apiVersions(ctx.serverAddress()));
    if (path === '/apis') return send(res, 200, apiGroupList(cluster.registry));
    if (path === '/openapi/v2') {
      const doc = openApiV2((req.headers.accept ?? '').includes('protobuf'));
      res.writeHead(200, { 'Content-Type': doc.contentType, 'Content-Length': String(doc.body.length) });
      return void res.end(doc.body);
    }
    if (path === '/openapi/v3') return send(res, 200, openApiV3Root(cluster.registry));
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiV3Doc(cluster.registry, path.slice('/openapi/v3/'.length));
      return doc ? send(res, 200, doc) : sendError(res, resourceNotFound(path));
    }
  }
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw badRequest(`malformed path: ${path}`);
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1] ?? '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 2) {
    group = parts[1] ?? '';
    if (parts.length === 2) {
      const doc = method === 'GET' ? apiGroup(cluster.registry, group) : undefined;
      return doc ? send(res, 200, doc) : sendError(res, resourceNotFound(path));
    }
    version = parts[2] ?? '';
    rest = parts.slice(3);
  } else {
    return sendError(res, resourceNotFound(path));
  }
  if (rest.length === 0) {
    const doc = method === 'GET' ? apiResourceList(cluster.registry, group, version) : undefined;
    return doc ? send(res, 200, doc) : sendError(res, resourceNotFound(path));
  }
  const target = resolveTarget(cluster, group, version, rest, path);
  await handleResource(ctx, target, method, q, req, res);
}

async function handleResource(
  ctx: HttpContext,
  t: Target,
  method: string,
  q: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { cluster } = ctx;
  const type = t.type;
  const ns = t.namespace ?? '';
  const rendering = negotiate(req.headers.accept);
  if (ctx.extension && (await ctx.extension(t, method, req, res))) return;
  if (t.sub !== undefined) return handleSubresource(ctx, t, method, q, req, res);

  if (t.name === undefined) {
    if (method === 'GET') {
      const labels = parseLabelSelector(q.get('labelSelector'));
      const fields = parseFieldSelector(q.get('fieldSelector'), type.kind);
      if (q.get('watch') === 'true' || q.get('watch') === '1') {
        const timeout = q.get('timeoutSeconds');
        return serveWatch(
          cluster,
          {
            type,
            version: t.version,
            ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
            labels,
            fields,
            ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion') ?? '' } : {}),
            ...(timeout ? { timeoutSeconds: Number(timeout) } : {}),
            bookmarks: q.get('allowWatchBookmarks') === 'true',
            rendering,
            includeObject: q.get('includeObject') ?? 'Metadata',
          },
          req,
          res,
          ctx.track,
        );
      }
      const nsFromField = fieldEquals(fields, 'metadata.namespace');
      let items = cluster.list(
        type,
        t.namespace ?? (type.namespaced ? nsFromField : undefined),
        labels,
        fields,
      );
      const rv = String(cluster.store.currentRv());
      const meta: Record<string, unknown> = { resourceVersion: rv };
      const limit = Number(q.get('limit') ?? 0);
      const cont = q.get('continue');
      if (cont) {
        let after: string;
        try {
          after = (JSON.parse(Buffer.from(cont, 'base64').toString('utf8')) as { after: string }).after;
        } catch {
          throw badRequest('continue key is not valid');
        }
        items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}` > after);
      }
      if (limit > 0 && items.length > limit) {
        const last = items[limit - 1];
        meta.continue = Buffer.from(
          JSON.stringify({ after: `${last?.metadata.namespace ?? ''}/${last?.metadata.name ?? ''}` }),
        ).toString('base64');
        meta.remainingItemCount = items.length - limit;
        items = items.slice(0, limit);
      }
      if (rendering === 'table')
        return send(
          res,
          200,
          toTable(
            type,
            t.version,
            items.map((o) => cluster.present(o, type, t.version)),
            meta,
            q.get('includeObject') ?? 'Metadata',
          ),
        );
      if (rendering === 'metadata') {
        return send(res, 200, {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: meta,
          items: items.map((o) => ({
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: o.metadata,
          })),
        });
      }
      return send(res, 200, listKindMeta(cluster, type, t.version, items, meta));
    }
    if (method === 'POST') {
      if (type.namespaced && t.namespace === undefined)
        throw methodNotAllowed(`the server does not allow this method on the requested resource`);
      const body = parseObjectBody(await readRawBody(req), req.headers['content-type']);
      const r = cluster.create(type, ns, body, writeOptions(q, method, req.headers['user-agent']));
      return send(res, 201, render(cluster, t, r.object, 'object', q), r.warnings);
    }
    if (method === 'DELETE') {
      if (!type.verbs.includes('deletecollection')) {
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      }
      const opts = writeOptions(q);
      const labels = parseLabelSelector(q.get('labelSelector'));
      const fields = parseFieldSelector(q.get('fieldSelector'), type.kind);
      const raw = await readBody(req);
      const body = raw.trim() ? parseObjectBody(raw, 'application/json') : undefined;
      const deleted = cluster.list(type, type.namespaced ? t.namespace : undefined, labels, fields).map((o) =>
        cluster.delete(type, o.metadata.namespace ?? '', o.metadata.name ?? '', {
          dryRun: !!opts.dryRun,
          body,
        }),
      );
      return send(
        res,
        200,
        listKindMeta(cluster, type, t.version, deleted, {
          resourceVersion: String(cluster.store.currentRv()),
        }),
      );
    }
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }

  const name = t.name;
  if (type.namespaced && t.namespace === undefined) throw resourceNotFound(`${type.plural}/${name}`);
  switch (method) {
    case 'GET':
      return send(res, 200, render(cluster, t, cluster.get(type, ns, name), rendering, q));
    case 'PUT': {
      const body = parseObjectBody(await readRawBody(req), req.headers['content-type']);
      const r = cluster.update(type, ns, name, body, writeOptions(q, method, req.headers['user-agent']));
      return send(res, 200, render(cluster, t, r.object, 'object', q), r.warnings);
    }
    case 'PATCH': {
      const raw = await readBody(req);
      const r: WriteResult = cluster.patch(
        type,
        ns,
        name,
        req.headers['content-type'] ?? '',
        raw,
        writeOptions(q, method, req.headers['user-agent']),
      );
      return send(res, r.created ? 201 : 200, render(cluster, t, r.object, 'object', q), r.warnings);
    }
    case 'DELETE': {
      const raw = await readBody(req);
      const body = raw.trim() ? parseObjectBody(raw, 'application/json') : undefined;
      const opts = writeOptions(q);
      const gone = cluster.delete(type, ns, name, { dryRun: !!opts.dryRun, body });
      if (type.kind === 'Pod' || type.kind === 'Namespace') {
        const shown = type.kind === 'Namespace' ? { ...gone, status: { phase: 'Terminating' } } : gone;
        return send(res, 200, render(cluster, t, shown, 'object', q));
      }
      return send(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group: type.group || undefined, kind: type.plural, uid: gone.metadata.uid },
      });
    }
    default:
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}
