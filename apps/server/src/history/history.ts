/**
 * The change history: what the console wrote (recorded by its routes, or by another component through
 * `record`) and what others changed in the Istio objects the inventory watches (recorded from the watch,
 * with the field manager of the newest `managedFields` entry). Kept in ConfigMaps of the console's
 * namespace (./store.ts), written with the console's own credentials, read back at startup.
 */
import { randomBytes } from 'node:crypto';
import type { Change, ChangedObject, ChangeObjectState } from '@meshlens/contract';
import type { Logger } from 'pino';
import { FIELD_MANAGER, KubeApiError, type IstioKubeClient, type KubeObject } from '../istio/kubeClient';
import {
  ChangeStore,
  DEFAULT_LIMITS,
  HISTORY_SELECTOR,
  toConfigMap,
  type ConfigMapLike,
  type StoreLimits,
} from './store';

/** One object a change touched, as a recorder gives it: null before = created, null after = deleted. */
export interface RecordedObject {
  kind: string;
  namespace: string;
  name: string;
  before: KubeObject | null;
  after: KubeObject | null;
}

export interface RecordInput {
  /** Who: the signed-in user's name (`actorOf(req)`), or the component (`meshlens-rollouts`). */
  actor: string;
  /** The intent as the caller understood it (a routing intent, a rollout step): kept as given. */
  intent?: unknown;
  /** One line shown in the list: `rollout reviews: step 2, v3 25 %`. */
  summary: string;
  /** The namespace the change was made in. */
  namespace: string;
  objects: RecordedObject[];
  /** The change this one reverts. */
  revertOf?: string;
}

/** What another component needs to record its writes (see README.md). */
export interface Recorder {
  /** Records a change the console made (after it succeeded; never for a dry run). Never throws. */
  record(input: RecordInput): Promise<Change>;
}

export interface History extends Recorder {
  /** Reads the ConfigMaps back (at startup). */
  load(): Promise<void>;
  /** Every change, newest first. */
  list(): Change[];
  get(id: string): Change | undefined;
  /**
   * A watch event of the inventory (not its initial list): `previous` is the cached object before the
   * event. Changes by the console's own field manager are not recorded again.
   */
  onWatchEvent(kindKey: string, phase: string, obj: unknown, previous: unknown): void;
  /** Resolves when every record and persist started so far is done (tests, shutdown). */
  idle(): Promise<void>;
  readonly storage: { namespace: string; selector: string };
  close(): void;
}

/** The kinds (inventory keys) whose changes by others are recorded: the Istio objects the console shows. */
export const WATCHED_KINDS: Record<string, string> = {
  virtualservices: 'VirtualService',
  destinationrules: 'DestinationRule',
  gateways: 'Gateway',
  serviceentries: 'ServiceEntry',
  sidecars: 'Sidecar',
  peerauthentications: 'PeerAuthentication',
  authorizationpolicies: 'AuthorizationPolicy',
};

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The object as a change keeps it: identity, labels, annotations and everything but status; server-set
 * metadata (uid, generation, managedFields, timestamps) left out so diffs show what people changed.
 */
export function stateOf(o: unknown): ChangeObjectState | null {
  if (!o || typeof o !== 'object') return null;
  const { metadata, status: _s, ...rest } = o as KubeObject;
  const m = (metadata ?? {}) as KubeObject['metadata'];
  const annotations = m.annotations ? { ...m.annotations } : undefined;
  if (annotations) delete annotations[LAST_APPLIED];
  return {
    ...rest,
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
      ...(m.labels && Object.keys(m.labels).length ? { labels: m.labels } : {}),
      ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
    },
  } as ChangeObjectState;
}

/** The same content (resourceVersion aside). */
export function sameContent(a: ChangeObjectState | null, b: ChangeObjectState | null): boolean {
  const strip = (s: ChangeObjectState | null) => {
    if (!s) return null;
    const { resourceVersion: _rv, ...meta } = s.metadata;
    return JSON.stringify(sortKeys({ ...s, metadata: meta }));
  };
  return strip(a) === strip(b);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

interface ManagedEntry {
  manager?: string;
  operation?: string;
  time?: string;
  subresource?: string;
}

/** The newest entry of `metadata.managedFields` (by time; the last listed of equal times). */
export function newestManager(o: unknown): ManagedEntry | undefined {
  const list = (o as { metadata?: { managedFields?: unknown } } | undefined)?.metadata?.managedFields;
  if (!Array.isArray(list)) return undefined;
  let best: ManagedEntry | undefined;
  for (const e of list as ManagedEntry[]) {
    if (!e || typeof e !== 'object') continue;
    if (!best || (e.time ?? '') >= (best.time ?? '')) best = e;
  }
  return best;
}

const entryKey = (e: ManagedEntry) => `${e.manager ?? ''}|${e.operation ?? ''}|${e.subresource ?? ''}`;

/**
 * Who made this write: among the managedFields entries new or re-timed since `seen` (the entries of the
 * object's previous event), the newest; the newest of all when none is (or the object is seen first).
 * Times have a one-second grain, so the newest alone cannot tell two writes of the same second apart.
 */
export function writerOf(
  o: unknown,
  seen: ReadonlyMap<string, string> | undefined,
): ManagedEntry | undefined {
  const list = (o as { metadata?: { managedFields?: unknown } } | undefined)?.metadata?.managedFields;
  if (!Array.isArray(list)) return undefined;
  const entries = (list as ManagedEntry[]).filter((e) => e && typeof e === 'object');
  const fresh = seen ? entries.filter((e) => seen.get(entryKey(e)) !== (e.time ?? '')) : entries;
  return newestManager({ metadata: { managedFields: fresh.length ? fresh : entries } });
}

const timesOf = (o: unknown): Map<string, string> => {
  const list = (o as { metadata?: { managedFields?: unknown } } | undefined)?.metadata?.managedFields;
  return new Map(
    (Array.isArray(list) ? (list as ManagedEntry[]) : [])
      .filter((e) => e && typeof e === 'object')
      .map((e) => [entryKey(e), e.time ?? '']),
  );
};

/** A change id: time (base 36, so ids sort by time) and a random tail. */
export function newChangeId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(3).toString('hex')}`;
}

export interface HistoryOptions {
  /** The console's own client (ConfigMaps of `namespace`). */
  client: IstioKubeClient;
  namespace: string;
  logger: Logger;
  limits?: StoreLimits;
  now?: () => number;
  /**
   * How long a watched delete waits for the console to say it made it (its record comes after the
   * write's answer; a delete carries no field manager), ms.
   */
  deleteGraceMs?: number;
}

const keyOfObject = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

export function createHistory(options: HistoryOptions): History {
  const { client, namespace, logger } = options;
  const now = options.now ?? Date.now;
  const store = new ChangeStore(options.limits ?? DEFAULT_LIMITS);
  const graceMs = options.deleteGraceMs ?? 3000;
  let chain: Promise<unknown> = Promise.resolve();
  let loaded: Promise<void> | undefined;
  let closed = false;
  /** Deletes the console recorded lately: key → time. */
  const consoleDeletes = new Map<string, number>();
  /** The managedFields times of each watched object's last event: key → entry → time. */
  const managedTimes = new Map<string, Map<string, string>>();
  /** Watched deletes waiting for the grace period: key → timer. */
  const pendingDeletes = new Map<string, NodeJS.Timeout>();

  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };

  const readConfigMaps = async (): Promise<ConfigMapLike[]> =>
    (await client.list('v1', 'ConfigMap', namespace)) as unknown as ConfigMapLike[];

  const reload = async () => {
    store.load(await readConfigMaps(), (where, err) =>
      logger.warn({ where, err: String(err) }, 'change history: an entry that does not parse was skipped'),
    );
  };

  /** Appends and writes the ConfigMap; on a conflict (another replica wrote), reads again and retries. */
  const persist = async (change: Change, attempt = 0): Promise<void> => {
    const plan = store.append(change);
    const cm = toConfigMap(plan.write, namespace) as unknown as KubeObject;
    try {
      const written = plan.write.resourceVersion ? await client.replace(cm) : await client.create(cm);
      plan.write.resourceVersion = written.metadata.resourceVersion;
    } catch (err) {
      const status = err instanceof KubeApiError ? err.status : undefined;
      if ((status === 409 || status === 404) && attempt < 3) {
        await reload();
        if (!store.get(change.id)) return persist(change, attempt + 1);
        return;
      }
      throw err;
    }
    for (const old of plan.drop) {
      try {
        await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: old.name });
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      }
    }
  };

  const add = (change: Change): Promise<Change> =>
    enqueue(async () => {
      await loaded;
      try {
        await persist(change);
      } catch (err) {
        // The console's write stands whatever happens to its record; the record stays in memory.
        logger.error(
          { err: String(err), change: change.id, namespace },
          'change history: could not write the ConfigMap (the change is kept in memory only)',
        );
        if (!store.get(change.id)) store.append(change);
      }
      return change;
    });

  const record = (input: RecordInput): Promise<Change> => {
    const t = now();
    for (const [k, at] of consoleDeletes) if (t - at >= 60_000) consoleDeletes.delete(k);
    for (const o of input.objects) {
      if (o.after !== null) continue;
      const key = keyOfObject(o.kind, o.namespace, o.name);
      const pending = pendingDeletes.get(key);
      // The watch saw this delete first: it was the console's, not someone else's.
      if (pending) {
        clearTimeout(pending);
        pendingDeletes.delete(key);
      } else consoleDeletes.set(key, t);
    }
    const change: Change = {
      id: newChangeId(t),
      at: new Date(t).toISOString(),
      source: 'console',
      actor: input.actor,
      ...(input.intent !== undefined ? { intent: input.intent } : {}),
      summary: input.summary,
      namespace: input.namespace,
      objects: input.objects.map((o): ChangedObject => ({
        kind: o.kind,
        namespace: o.namespace,
        name: o.name,
        before: stateOf(o.before),
        after: stateOf(o.after),
      })),
      ...(input.revertOf ? { revertOf: input.revertOf } : {}),
    };
    return add(change);
  };

  const external = (
    kind: string,
    phase: string,
    obj: KubeObject,
    previous: unknown,
    manager: ManagedEntry | undefined,
  ) => {
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name;
    const before = phase === 'ADDED' ? null : stateOf(phase === 'DELETED' ? obj : previous);
    const after = phase === 'DELETED' ? null : stateOf(obj);
    if (phase === 'MODIFIED' && before && sameContent(before, after)) return; // status or metadata only
    const verb = phase === 'ADDED' ? 'create' : phase === 'DELETED' ? 'delete' : 'edit';
    const by = phase === 'DELETED' ? undefined : manager?.manager;
    const t = now();
    const change: Change = {
      id: newChangeId(t),
      at: new Date(t).toISOString(),
      source: 'external',
      actor: by ?? 'unknown',
      ...(by ? { manager: by } : {}),
      ...(by && manager?.operation ? { operation: manager.operation } : {}),
      summary: `${verb} ${kind} ${ns}/${name}${phase === 'DELETED' && manager?.manager ? ` (last written by ${manager.manager})` : ''}`,
      namespace: ns,
      objects: [{ kind, namespace: ns, name, before, after }],
    };
    void add(change);
  };

  return {
    storage: { namespace, selector: HISTORY_SELECTOR },
    load() {
      loaded ??= reload().catch((err: unknown) => {
        logger.error(
          { err: String(err), namespace },
          'change history: could not read its ConfigMaps; starting with an empty history',
        );
      });
      return loaded;
    },
    record,
    list: () => store.all(),
    get: (id) => store.get(id),
    onWatchEvent(kindKey, phase, raw, previous) {
      const kind = WATCHED_KINDS[kindKey];
      if (!kind || closed || !raw || typeof raw !== 'object') return;
      if (phase !== 'ADDED' && phase !== 'MODIFIED' && phase !== 'DELETED') return;
      const obj = raw as KubeObject;
      if (!obj.metadata?.name) return;
      const key = keyOfObject(kind, obj.metadata.namespace ?? '', obj.metadata.name);
      if (phase !== 'DELETED') {
        const writer = writerOf(obj, managedTimes.get(key));
        managedTimes.set(key, timesOf(obj));
        // The console's own writes are recorded by the console, with who asked and why.
        if (writer?.manager === FIELD_MANAGER) return;
        external(kind, phase, obj, previous, writer);
        return;
      }
      managedTimes.delete(key);
      const mine = consoleDeletes.get(key);
      if (mine !== undefined && now() - mine < 60_000) {
        consoleDeletes.delete(key);
        return;
      }
      // A delete names no manager: wait briefly for the console's own record of it.
      const timer = setTimeout(() => {
        pendingDeletes.delete(key);
        if (!closed) external(kind, phase, obj, previous, newestManager(obj));
      }, graceMs);
      timer.unref();
      pendingDeletes.set(key, timer);
    },
    idle: async () => {
      await loaded;
      await chain;
    },
    close() {
      closed = true;
      for (const t of pendingDeletes.values()) clearTimeout(t);
      pendingDeletes.clear();
    },
  };
}
