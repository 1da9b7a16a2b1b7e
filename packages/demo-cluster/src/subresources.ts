/** Subresources: status (every kind that has one), scale (deployments, replicasets), namespace finalize. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed, notFound } from './errors';
import { render, send, type HttpContext, type Target } from './http';
import { negotiate, parseObjectBody, readBody, writeOptions } from './negotiate';
import { getScale, putScale } from './scale';
import { resourceKey } from './types';
import { servePodLog } from './logs';

export async function handleSubresource(
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
  const name = t.name ?? '';
  const key = resourceKey(type.group, type.plural);
  if (t.sub === 'status' && (type.hasStatus || type.crd)) {
    if (method === 'GET')
      return send(
        res,
        200,
        render(cluster, t, cluster.get(type, ns, name), negotiate(req.headers.accept), q),
      );
    const raw = await readBody(req);
    const opts = { ...writeOptions(q, method, req.headers['user-agent']), subresource: 'status' };
    const r =
      method === 'PUT'
        ? cluster.update(type, ns, name, parseObjectBody(raw, req.headers['content-type']), opts)
        : method === 'PATCH'
          ? cluster.patch(type, ns, name, req.headers['content-type'] ?? '', raw, opts)
          : undefined;
    if (!r) throw methodNotAllowed('the server does not allow this method on the requested resource');
    return send(res, 200, render(cluster, t, r.object, 'object', q), r.warnings);
  }
  if (t.sub === 'scale' && (key === 'deployments.apps' || key === 'replicasets.apps')) {
    if (method === 'GET') return send(res, 200, getScale(cluster.get(type, ns, name)));
    if (method === 'PUT' || method === 'PATCH') {
      const raw = await readBody(req);
      return send(
        res,
        200,
        putScale(
          cluster,
          type,
          ns,
          name,
          method,
          req.headers['content-type'] ?? '',
          raw,
          writeOptions(q, method),
        ),
      );
    }
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
  if (t.sub === 'log' && type.kind === 'Pod' && method === 'GET')
    return servePodLog(cluster, cluster.get(type, ns, name), q, req, res);
  if (t.sub === 'finalize' && type.kind === 'Namespace') {
    return send(res, 200, cluster.get(type, ns, name));
  }
  throw notFound(`${type.plural}/${t.sub ?? ''}`, type.group, name);
}
