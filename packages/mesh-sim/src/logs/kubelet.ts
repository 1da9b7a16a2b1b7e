/**
 * The kubelet's side of `pods/log`: `GET /containerLogs/{namespace}/{pod}/{container}` with the query the
 * API server passes on (`follow`, `tailLines`, `sinceSeconds`, `sinceTime`, `timestamps`, `limitBytes`,
 * `previous`). The demo cluster validates the request (who may read, which container) and asks the node's
 * kubelet — here mesh-sim, named in the node's `demo-cluster/kubelet` annotation — as kube-apiserver asks
 * a real one. The answer is the container's log text; with `follow` the response stays open and carries
 * each new line until the caller goes away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { renderLine, rfc3339Nano, type LogRecord } from './format';
import type { RingEntry } from './ring';
import type { LogStore } from './store';

export const CONTAINER_LOGS_PREFIX = '/containerLogs/';

export interface LogQuery {
  follow: boolean;
  timestamps: boolean;
  previous: boolean;
  tailLines?: number;
  /** Only lines written at or after this time (ms since the epoch). */
  sinceMs?: number;
  limitBytes?: number;
}

/** Go's strconv.ParseBool, as the API server decodes these flags. */
function parseBool(name: string, v: string | null): boolean {
  if (v === null || v === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new Error(`${name}: ${JSON.stringify(v)} is not a boolean`);
}

function parseInt64(name: string, v: string | null, min: number): number | undefined {
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new Error(`${name}: ${JSON.stringify(v)} is not an integer`);
  const n = Number(v);
  if (n < min) throw new Error(`${name}: must be greater than or equal to ${min}`);
  return n;
}

export function parseLogQuery(q: URLSearchParams, now = Date.now()): LogQuery {
  const sinceSeconds = parseInt64('sinceSeconds', q.get('sinceSeconds'), 1);
  const sinceTime = q.get('sinceTime');
  let sinceMs = sinceSeconds === undefined ? undefined : now - sinceSeconds * 1000;
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new Error(`sinceTime: ${JSON.stringify(sinceTime)} is not an RFC 3339 time`);
    sinceMs = t;
  }
  const tailLines = parseInt64('tailLines', q.get('tailLines'), 0);
  const limitBytes = parseInt64('limitBytes', q.get('limitBytes'), 1);
  return {
    follow: parseBool('follow', q.get('follow')),
    timestamps: parseBool('timestamps', q.get('timestamps')),
    previous: parseBool('previous', q.get('previous')),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

/** The lines a non-follow read returns, and where a follower goes on from. */
export function selectLines<T>(
  entries: RingEntry<T>[],
  q: Pick<LogQuery, 'tailLines' | 'sinceMs'>,
): RingEntry<T>[] {
  let out = q.sinceMs === undefined ? entries : entries.filter((e) => e.t >= q.sinceMs!);
  if (q.tailLines !== undefined) out = q.tailLines === 0 ? [] : out.slice(-q.tailLines);
  return out;
}

const text = (e: RingEntry<LogRecord>, timestamps: boolean) =>
  `${timestamps ? `${rfc3339Nano(e.t)} ` : ''}${renderLine(e.t, e.data)}\n`;

export async function serveContainerLogs(
  store: LogStore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  const parts = url.pathname.slice(CONTAINER_LOGS_PREFIX.length).split('/').map(decodeURIComponent);
  const plain = (status: number, msg: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${msg}\n`);
  };
  if (parts.length !== 3 || parts.some((p) => !p)) {
    plain(404, `no route ${url.pathname}; use /containerLogs/{namespace}/{pod}/{container}`);
    return;
  }
  const [namespace, pod, container] = parts as [string, string, string];
  let q: LogQuery;
  try {
    q = parseLogQuery(url.searchParams);
  } catch (err) {
    plain(400, (err as Error).message);
    return;
  }
  if (q.previous) {
    // Simulated containers never restart: there is no previous instance (the kubelet's message).
    plain(400, `previous terminated container "${container}" in pod "${pod}" not found`);
    return;
  }
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.flushHeaders();

  let budget = q.limitBytes ?? Infinity;
  /** Writes lines within limitBytes (the last one cut at the limit); false once the limit is reached. */
  const write = async (entries: RingEntry<LogRecord>[]): Promise<boolean> => {
    for (const e of entries) {
      if (abort.signal.aborted) return false;
      let chunk = Buffer.from(text(e, q.timestamps));
      if (chunk.length >= budget) chunk = chunk.subarray(0, budget);
      budget -= chunk.length;
      // Back-pressure: a slow reader holds its cursor here; the ring may move past it meanwhile.
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(abort.signal, 'abort')]);
      if (budget <= 0) return false;
    }
    return true;
  };

  const ring = store.ring(namespace, pod, container);
  let cursor = ring?.next ?? 0;
  if (ring && !(await write(selectLines(ring.from(0), q)))) return void res.end();
  if (!q.follow) return void res.end();
  store.followers++;
  try {
    while (!abort.signal.aborted) {
      await store.waitForLines(abort.signal);
      const r = store.ring(namespace, pod, container);
      if (!r) continue;
      const entries = r.from(cursor);
      cursor = r.next;
      if (!(await write(entries))) break;
    }
  } finally {
    store.followers--;
  }
  res.end();
}
