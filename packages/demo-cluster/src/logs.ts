/**
 * `GET pods/{name}/log`, as kube-apiserver serves it: the request's options checked the API server's way
 * (PodLogOptions validation, the container required when the pod has several), then the node's kubelet
 * asked for the text and its answer streamed back — with `follow`, a chunked response that stays open
 * until the client or the kubelet goes away.
 *
 * No container runs here, so a node's kubelet is whatever process the node's annotation
 * `demo-cluster/kubelet` names (a loopback `http://HOST:PORT`; mesh-sim sets it on start), asked with the
 * kubelet's own path: `GET /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&sinceSeconds&
 * sinceTime&timestamps&limitBytes&previous`. A node without one has no process writing logs: every
 * container's log is then empty.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApiError, badRequest } from './errors';
import type { Cluster } from './cluster';
import type { KObject } from './types';

export const KUBELET_ANNOTATION = 'demo-cluster/kubelet';
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
const BOOLS = ['follow', 'timestamps', 'previous'] as const;
const INTS = ['tailLines', 'sinceSeconds', 'limitBytes'] as const;

type Containers = { name: string }[];

function names(list: Containers | undefined): string[] {
  return (list ?? []).map((c) => c.name);
}

/** kube-apiserver's validateContainer (pkg/registry/core/pod/strategy.go). */
export function logContainer(pod: KObject, requested: string | null): string {
  const spec = (pod.spec ?? {}) as {
    containers?: Containers;
    initContainers?: Containers;
    ephemeralContainers?: Containers;
  };
  const name = pod.metadata.name ?? '';
  const containers = names(spec.containers);
  const init = names(spec.initContainers);
  const ephemeral = names(spec.ephemeralContainers);
  if (!requested) {
    if (containers.length === 1) return containers[0]!;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
    if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
    if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
    throw badRequest(msg);
  }
  if (![...containers, ...init, ...ephemeral].includes(requested))
    throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** The query decoded and validated as the API server does PodLogOptions; what goes on to the kubelet. */
export function podLogQuery(q: URLSearchParams, podName: string): URLSearchParams {
  const out = new URLSearchParams();
  for (const b of BOOLS) {
    const v = q.get(b);
    if (v === null) continue;
    if (!/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(v))
      throw badRequest(`${b}: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
    out.set(b, /^(1|t|T|TRUE|true|True)$/.test(v) ? 'true' : 'false');
  }
  const ints: Partial<Record<(typeof INTS)[number], number>> = {};
  for (const i of INTS) {
    const v = q.get(i);
    if (v === null) continue;
    if (!/^[-+]?\d+$/.test(v))
      throw badRequest(`${i}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    ints[i] = Number(v);
    out.set(i, String(Number(v)));
  }
  const sinceTime = q.get('sinceTime');
  if (sinceTime !== null) {
    if (Number.isNaN(Date.parse(sinceTime)))
      throw badRequest(`sinceTime: parsing time ${JSON.stringify(sinceTime)} as RFC 3339: invalid`);
    out.set('sinceTime', sinceTime);
  }
  const causes: { field: string; message: string }[] = [];
  const invalid = (field: string, value: number, why: string) =>
    causes.push({ field, message: `Invalid value: ${value}: ${why}` });
  if (ints.tailLines !== undefined && ints.tailLines < 0)
    invalid('tailLines', ints.tailLines, 'must be greater than or equal to 0');
  if (ints.limitBytes !== undefined && ints.limitBytes < 1)
    invalid('limitBytes', ints.limitBytes, 'must be greater than 0');
  if (ints.sinceSeconds !== undefined && sinceTime !== null)
    causes.push({
      field: '<nil>',
      message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  else if (ints.sinceSeconds !== undefined && ints.sinceSeconds < 1)
    invalid('sinceSeconds', ints.sinceSeconds, 'must be greater than 0');
  if (causes.length)
    throw new ApiError(
      422,
      'Invalid',
      `PodLogOptions "${podName}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
      {
        name: podName,
        kind: 'PodLogOptions',
        causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
      },
    );
  return out;
}

/** The kubelet URL of the pod's node, if a process registered as one. */
function kubeletOf(cluster: Cluster, pod: KObject): URL | undefined {
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  const nodes = cluster.registry.byResource('', 'nodes');
  if (!nodeName || !nodes) return undefined;
  let node: KObject;
  try {
    node = cluster.get(nodes, '', nodeName);
  } catch {
    return undefined;
  }
  const raw = node.metadata.annotations?.[KUBELET_ANNOTATION];
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' && LOOPBACK.has(url.hostname) ? url : undefined;
  } catch {
    return undefined;
  }
}

function askKubelet(url: URL, req: IncomingMessage, res: ServerResponse): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const up = httpRequest(url, { method: 'GET' }, resolve);
    up.on('error', (err) => reject(new ApiError(500, 'InternalError', `Get "${url.href}": ${err.message}`)));
    // The client went away (kubectl -f stopped, the console closed the stream): so does the kubelet's.
    const stop = () => up.destroy();
    req.on('close', stop);
    res.on('close', stop);
    up.end();
  });
}

export async function servePodLog(
  cluster: Cluster,
  pod: KObject,
  q: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  const query = podLogQuery(q, name);
  const container = logContainer(pod, q.get('container'));
  if ((pod.status as { phase?: string } | undefined)?.phase === 'Pending')
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
  const kubelet = kubeletOf(cluster, pod);
  if (!kubelet) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '0' });
    return void res.end();
  }
  const url = new URL(
    `/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${query}`,
    kubelet,
  );
  const answer = await askKubelet(url, req, res);
  if (answer.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const c of answer) chunks.push(c as Buffer);
    const msg = Buffer.concat(chunks).toString('utf8').trim() || `the kubelet answered ${answer.statusCode}`;
    throw new ApiError(
      answer.statusCode === 400 ? 400 : 500,
      answer.statusCode === 400 ? 'BadRequest' : 'InternalError',
      msg,
    );
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
  res.flushHeaders();
  answer.pipe(res);
  await new Promise<void>((resolve) => {
    answer.on('end', resolve);
    answer.on('error', () => resolve());
    res.on('close', () => {
      answer.destroy();
      resolve();
    });
  });
}
