import {
  AppsV1Api,
  CoreApi,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  DEFAULT_KUBE_TIMEOUT_MS,
  DEFAULT_WATCH_TIMEOUT_MS,
  guardedWatch,
  KubeTimeoutError,
  makeApiClient,
  WatchStalledError,
} from '../kubeApi';
import { deriveSnapshot, type RawInventory, type RawObject } from './derive';
import { trimObject } from './trim';
import type { InventorySnapshot } from './types';
import { KindWatcher, type WatchFn } from './watcher';

type ListFn = () => Promise<KubernetesListObject<KubernetesObject>>;
/** One page of a list: at most `limit` objects, from `_continue` (the previous page's token). */
type PageFn = (page: {
  limit: number;
  _continue?: string;
}) => Promise<KubernetesListObject<KubernetesObject>>;

/** Objects per list page: a cluster's thousands of pods are read (and trimmed) a page at a time. */
export const LIST_PAGE_SIZE = 500;

interface KindSpec {
  key: string;
  path: string;
  list: (apis: Apis) => PageFn;
  /** Istio CRDs may be missing from a cluster: a 404 then means "none", not a broken inventory. */
  optional?: boolean;
}

interface Apis {
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
}

const custom =
  (group: string, version: string, plural: string) =>
  (apis: Apis): PageFn =>
  (page) =>
    apis.custom.listClusterCustomObject({ group, version, plural, ...page }) as Promise<
      KubernetesListObject<KubernetesObject>
    >;

/** Every kind the inventory watches. */
export const KINDS: KindSpec[] = [
  { key: 'namespaces', path: '/api/v1/namespaces', list: (a) => (p) => a.core.listNamespace(p) },
  {
    key: 'services',
    path: '/api/v1/services',
    list: (a) => (p) => a.core.listServiceForAllNamespaces(p),
  },
  { key: 'pods', path: '/api/v1/pods', list: (a) => (p) => a.core.listPodForAllNamespaces(p) },
  {
    key: 'endpoints',
    path: '/api/v1/endpoints',
    list: (a) => (p) => a.core.listEndpointsForAllNamespaces(p),
  },
  {
    key: 'deployments',
    path: '/apis/apps/v1/deployments',
    list: (a) => (p) => a.apps.listDeploymentForAllNamespaces(p),
  },
  {
    key: 'replicasets',
    path: '/apis/apps/v1/replicasets',
    list: (a) => (p) => a.apps.listReplicaSetForAllNamespaces(p),
  },
  ...(
    [
      ['networking.istio.io', 'virtualservices'],
      ['networking.istio.io', 'destinationrules'],
      ['networking.istio.io', 'gateways'],
      ['networking.istio.io', 'serviceentries'],
      ['networking.istio.io', 'sidecars'],
      ['security.istio.io', 'peerauthentications'],
      ['security.istio.io', 'authorizationpolicies'],
    ] as const
  ).map(([group, plural]) => ({
    key: plural,
    path: `/apis/${group}/v1/${plural}`,
    list: custom(group, 'v1', plural),
    optional: true,
  })),
];

export interface InventoryOptions {
  /** First retry delay after a broken watch, ms (doubles up to maxBackoffMs). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onRestart?: (kind: string) => void;
  /** Objects per list page (default LIST_PAGE_SIZE). */
  pageSize?: number;
  /** Deadline of each list request and of opening each watch, ms (default 10 s). */
  timeoutMs?: number;
  /**
   * `timeoutSeconds` of each watch (default 5 min): the API server ends it and it resumes. A watch silent
   * for longer (plus timeoutMs) is taken as hung and restarted.
   */
  watchTimeoutMs?: number;
  /**
   * Each watch event of an object (not the initial list, nor a relist), untrimmed, before the cache
   * applies it; `previous`: the cached (trimmed) object it replaces. The change history listens here.
   */
  onEvent?: (kind: string, phase: string, obj: unknown, previous: unknown) => void;
}

export interface Inventory {
  snapshot(): InventorySnapshot;
  /** Raw objects of one kind (for detail routes and tests). */
  list(kind: string): RawObject[];
  /** Resolves when every kind has listed once, or after timeoutMs (then `synced` stays false). */
  waitForSync(timeoutMs: number): Promise<boolean>;
  /** A live round trip to the API server (discovery), for /readyz; fails after the request timeout. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface Watched {
  spec: KindSpec;
  watcher: KindWatcher;
  synced: boolean;
  failing: boolean;
  backoffMs: number;
  timer?: NodeJS.Timeout;
  notFound: boolean;
  attemptFailed: boolean;
}

/**
 * The informer cache: one KindWatcher (list, then watch) per kind. A watch that breaks is restarted with
 * exponential backoff; when the API server was unreachable the kind is listed again (relist) on reconnect,
 * so objects changed while we were away are not missed. Reads never call the API server.
 */
export function startInventory(kc: KubeConfig, logger: Logger, options: InventoryOptions = {}): Inventory {
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  const apis: Apis = {
    core: makeApiClient(kc, CoreV1Api, timeoutMs),
    apps: makeApiClient(kc, AppsV1Api, timeoutMs),
    custom: makeApiClient(kc, CustomObjectsApi, timeoutMs),
  };
  const discovery = makeApiClient(kc, CoreApi, timeoutMs);
  const watch = new Watch(kc);
  let version = 0;
  let cached: { version: number; snapshot: InventorySnapshot } | undefined;
  let closed = false;
  const syncWaiters = new Set<() => void>();
  const bump = () => {
    version += 1;
  };

  const watched: Watched[] = KINDS.map((spec) => {
    const entry: Watched = {
      spec,
      synced: false,
      failing: false,
      backoffMs: minBackoff,
      notFound: false,
      attemptFailed: false,
    } as Watched;
    const listPage = spec.list(apis);
    const listFn: ListFn = async () => {
      try {
        const list = await listAllPages(
          listPage,
          (item) => trimObject(spec.key, item),
          options.pageSize ?? LIST_PAGE_SIZE,
        );
        entry.notFound = false;
        return list;
      } catch (err) {
        if (spec.optional && statusOf(err) === 404) {
          // The CRD is not installed: an empty list, checked again on the next restart.
          entry.notFound = true;
          return { apiVersion: 'v1', kind: 'List', items: [], metadata: { resourceVersion: '' } };
        }
        throw err;
      } finally {
        bump();
      }
    };
    // Objects from watch events are trimmed before the cache stores them, like listed ones; a watch
    // that cannot open, or goes silent, ends with an error instead of hanging (kubeApi.ts).
    const guarded = guardedWatch(watch, {
      connectTimeoutMs: timeoutMs,
      watchTimeoutMs: options.watchTimeoutMs ?? DEFAULT_WATCH_TIMEOUT_MS,
      map: (phase, obj) => {
        if (options.onEvent) {
          const m = (obj as { metadata?: { namespace?: string; name?: string } } | undefined)?.metadata;
          const previous = entry.watcher.get(m?.namespace ?? '', m?.name ?? '');
          try {
            options.onEvent(spec.key, phase, obj, previous);
          } catch (err) {
            logger.error({ kind: spec.key, err: String(err) }, 'watch event listener failed');
          }
        }
        return trimObject(spec.key, obj);
      },
    });
    const trimmingWatch: WatchFn = (path, query, onEvent, onDone) =>
      guarded.watch(path, query, (phase: string, obj: unknown) => onEvent(phase, obj), onDone);
    const onError = (err: unknown) => {
      if (closed) return;
      entry.failing = true;
      entry.attemptFailed = true;
      bump();
      const status = statusOf(err);
      // Unreachable, hung or silent: list again on reconnect rather than trust the old resourceVersion.
      const unreachable =
        err instanceof KubeTimeoutError ||
        err instanceof WatchStalledError ||
        (status === undefined && /ECONNREFUSED|ECONNRESET|socket hang up|EHOSTUNREACH/i.test(String(err)));
      if (unreachable || entry.notFound) entry.watcher.relist();
      logger.warn(
        { kind: spec.key, err: String(err), retryInMs: entry.backoffMs },
        'watch broken, restarting',
      );
      options.onRestart?.(spec.key);
      entry.timer = setTimeout(
        () => {
          entry.timer = undefined;
          void begin(entry);
        },
        entry.notFound ? maxBackoff : entry.backoffMs,
      );
      entry.backoffMs = Math.min(entry.backoffMs * 2, maxBackoff);
    };
    entry.watcher = new KindWatcher({
      path: spec.path,
      list: listFn,
      watch: trimmingWatch,
      onChange: bump,
      onError,
    });
    return entry;
  });

  async function begin(entry: Watched): Promise<void> {
    if (closed) return;
    entry.attemptFailed = false;
    try {
      await entry.watcher.start();
      // start() resolves once the list succeeded and the watch request is open, or after reporting an error.
      if (!closed && !entry.attemptFailed) {
        entry.synced = true;
        entry.failing = false;
        entry.backoffMs = minBackoff;
        bump();
        if (watched.every((w) => w.synced)) for (const resolve of syncWaiters) resolve();
      }
    } catch (err) {
      logger.warn({ kind: entry.spec.key, err: String(err) }, 'watch start failed');
    }
  }
  for (const entry of watched) void begin(entry);

  const listOf = (key: string): RawObject[] => {
    const entry = watched.find((w) => w.spec.key === key);
    return entry ? (entry.watcher.list() as RawObject[]) : [];
  };

  return {
    snapshot() {
      if (cached?.version === version) return cached.snapshot;
      const raw: RawInventory = {
        namespaces: listOf('namespaces'),
        services: listOf('services'),
        deployments: listOf('deployments'),
        replicasets: listOf('replicasets'),
        pods: listOf('pods'),
        serviceentries: listOf('serviceentries'),
        virtualservices: listOf('virtualservices'),
        destinationrules: listOf('destinationrules'),
      };
      const snapshot = deriveSnapshot(
        raw,
        watched.every((w) => w.synced),
        watched.filter((w) => w.failing).map((w) => w.spec.key),
      );
      cached = { version, snapshot };
      return snapshot;
    },
    list: listOf,
    waitForSync(timeoutMs) {
      if (watched.every((w) => w.synced)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          syncWaiters.delete(done);
          resolve(watched.every((w) => w.synced));
        };
        const timer = setTimeout(done, timeoutMs);
        syncWaiters.add(done);
      });
    },
    async ping() {
      await discovery.getAPIVersions();
    },
    async close() {
      closed = true;
      for (const w of watched) {
        if (w.timer) clearTimeout(w.timer);
        w.watcher.stop();
      }
    },
  };
}

/**
 * Every page of a list, each trimmed as it arrives, as one list: the watch resumes from the first page's
 * resourceVersion (the snapshot every page of a paginated list is served from).
 */
export async function listAllPages(
  listPage: PageFn,
  trim: (item: KubernetesObject) => KubernetesObject,
  limit = LIST_PAGE_SIZE,
): Promise<KubernetesListObject<KubernetesObject>> {
  const first = await listPage({ limit });
  const items = first.items.map(trim);
  let next = continueOf(first);
  while (next) {
    const page = await listPage({ limit, _continue: next });
    for (const item of page.items) items.push(trim(item));
    next = continueOf(page);
  }
  return { ...first, items, metadata: { ...first.metadata, _continue: undefined } };
}

/** The continue token: `_continue` in client-node's typed lists, `continue` in custom objects' plain JSON. */
function continueOf(list: KubernetesListObject<KubernetesObject>): string | undefined {
  const meta = list.metadata as { _continue?: string; continue?: string } | undefined;
  return meta?._continue || meta?.continue || undefined;
}

function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: number; code?: number | string } | undefined;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.code === 'number') return e.code;
  const m = /HTTP-Code: (\d{3})/.exec(String(err));
  return m ? Number(m[1]) : undefined;
}
