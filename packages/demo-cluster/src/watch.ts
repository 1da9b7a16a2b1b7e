/** `?watch=true`: newline-delimited JSON events, resumable from a resourceVersion, 410 Gone when too old. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cluster } from './cluster';
import { ApiError } from './errors';
import type { Rendering } from './negotiate';
import type { FieldRequirement, Selector } from './selectors';
import { matchesFields, matchesLabels } from './selectors';
import { toTable } from './table';
import { objectJson } from './json';
import type { KObject, ResourceType, WatchEventType } from './types';

export interface WatchRequest {
  type: ResourceType;
  version: string;
  namespace?: string;
  labels: Selector;
  fields: FieldRequirement[];
  resourceVersion?: string;
  timeoutSeconds?: number;
  bookmarks: boolean;
  rendering: Rendering;
  includeObject: string;
}

const BOOKMARK_INTERVAL_MS = 10_000;

export function serveWatch(
  cluster: Cluster,
  w: WatchRequest,
  req: IncomingMessage,
  res: ServerResponse,
  onClose: (fn: () => void) => void,
): void {
  const key = cluster.keyOf(w.type);
  let first = true;
  const render = (obj: KObject): unknown => {
    const o = cluster.present(obj, w.type, w.version);
    if (w.rendering === 'table') {
      const table = toTable(
        w.type,
        w.version,
        [o],
        { resourceVersion: o.metadata.resourceVersion },
        w.includeObject,
      );
      if (!first) delete table.columnDefinitions;
      first = false;
      return table;
    }
    if (w.rendering === 'metadata')
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    return o;
  };
  const write = (type: WatchEventType, object: unknown): void => {
    if (res.writableEnded) return;
    const text =
      w.rendering === 'object' && object && (object as KObject).metadata
        ? objectJson(object as KObject)
        : JSON.stringify(object);
    res.write(`{"type":${JSON.stringify(type)},"object":${text}}\n`);
  };
  const matches = (o: KObject): boolean =>
    matchesLabels(w.labels, o.metadata.labels) && matchesFields(w.fields, o);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let unsubscribe = (): void => {};
  let timer: NodeJS.Timeout | undefined;
  let bookmark: NodeJS.Timeout | undefined;
  const finish = (): void => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (bookmark) clearInterval(bookmark);
    if (!res.writableEnded) res.end();
  };
  req.on('close', finish);
  onClose(finish);

  const watcher = {
    ...(w.type.namespaced && w.namespace !== undefined ? { namespace: w.namespace } : {}),
    matches,
    send: (type: WatchEventType, obj: KObject) => write(type, render(obj)),
  };
  const rv = w.resourceVersion;
  try {
    if (rv === undefined || rv === '' || rv === '0') {
      for (const o of cluster.list(w.type, w.type.namespaced ? w.namespace : undefined, w.labels, w.fields))
        write('ADDED', render(o));
      unsubscribe = cluster.store.watch(key, watcher);
    } else {
      const n = Number(rv);
      if (!Number.isFinite(n)) throw new ApiError(400, 'BadRequest', `invalid resource version: ${rv}`);
      unsubscribe = cluster.store.watch(key, watcher, n);
    }
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', String(e));
    write('ERROR', err.toStatus());
    finish();
    return;
  }
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0)
    timer = setTimeout(finish, w.timeoutSeconds * 1000);
  if (w.bookmarks) {
    bookmark = setInterval(() => {
      write('BOOKMARK', {
        kind: w.type.kind,
        apiVersion: w.type.group ? `${w.type.group}/${w.version}` : w.version,
        metadata: { resourceVersion: String(cluster.store.currentRv()) },
      });
    }, BOOKMARK_INTERVAL_MS);
    bookmark.unref();
  }
}
