/**
 * The change history as ConfigMaps (pure: no I/O). Changes are appended to the newest ConfigMap
 * (`meshlens-changes-000007`), one data key per change (the change's id → its JSON); a ConfigMap holds at
 * most `perConfigMap` changes and `maxBytesPerConfigMap` bytes, then the next one is started; past
 * `maxConfigMaps` the oldest ConfigMap is dropped whole (oldest changes first).
 */
import type { Change } from '@meshlens/contract';

export interface StoreLimits {
  /** Changes per ConfigMap. */
  perConfigMap: number;
  /** ConfigMaps kept; the oldest goes when one more is needed. */
  maxConfigMaps: number;
  /** Bytes of data per ConfigMap (the API server takes at most 1 MiB per object). */
  maxBytesPerConfigMap: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  perConfigMap: 50,
  maxConfigMaps: 20,
  maxBytesPerConfigMap: 512 * 1024,
};

/** Labels of the history's ConfigMaps: `kubectl get configmaps -l meshlens.io/history=changes`. */
export const HISTORY_LABEL = 'meshlens.io/history';
export const HISTORY_LABEL_VALUE = 'changes';
export const HISTORY_SELECTOR = `${HISTORY_LABEL}=${HISTORY_LABEL_VALUE}`;
const NAME_PREFIX = 'meshlens-changes-';

export interface Bucket {
  /** ConfigMap name. */
  name: string;
  seq: number;
  /** Oldest first. */
  changes: Change[];
  bytes: number;
  /** Of the ConfigMap as last read or written; absent until it exists. */
  resourceVersion?: string;
}

export const bucketName = (seq: number) => `${NAME_PREFIX}${String(seq).padStart(6, '0')}`;

const entryBytes = (c: Change) => c.id.length + JSON.stringify(c).length;

/** The change as stored: whole, or without its objects' bodies when it alone would not fit. */
export function fitted(change: Change, limits: StoreLimits): Change {
  if (entryBytes(change) <= limits.maxBytesPerConfigMap) return change;
  return {
    ...change,
    objects: change.objects.map((o) => ({ ...o, before: null, after: null })),
    truncated: true,
  };
}

/** Newest first: by time, then by id. */
export function newestFirst(a: Change, b: Change): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface Plan {
  /** The bucket to write (create when it has no resourceVersion, else replace). */
  write: Bucket;
  /** Buckets to delete (the oldest, past maxConfigMaps). */
  drop: Bucket[];
}

/** The buckets, oldest first; appending mutates them and says what to write. */
export class ChangeStore {
  buckets: Bucket[] = [];

  constructor(readonly limits: StoreLimits = DEFAULT_LIMITS) {}

  /** Adds a change to the newest bucket (or a new one); drops the oldest buckets past the limit. */
  append(input: Change): Plan {
    const change = fitted(input, this.limits);
    const size = entryBytes(change);
    let last = this.buckets.at(-1);
    if (
      !last ||
      last.changes.length >= this.limits.perConfigMap ||
      last.bytes + size > this.limits.maxBytesPerConfigMap
    ) {
      const seq = (last?.seq ?? 0) + 1;
      last = { name: bucketName(seq), seq, changes: [], bytes: 0 };
      this.buckets.push(last);
    }
    last.changes.push(change);
    last.bytes += size;
    const drop: Bucket[] = [];
    while (this.buckets.length > this.limits.maxConfigMaps) drop.push(this.buckets.shift() as Bucket);
    return { write: last, drop };
  }

  /** Every change, newest first. */
  all(): Change[] {
    return this.buckets.flatMap((b) => b.changes).sort(newestFirst);
  }

  get(id: string): Change | undefined {
    for (const b of this.buckets) {
      const c = b.changes.find((x) => x.id === id);
      if (c) return c;
    }
    return undefined;
  }

  /** Replaces the content with the ConfigMaps read from the cluster. */
  load(configMaps: readonly ConfigMapLike[], onBad?: (where: string, err: unknown) => void): void {
    this.buckets = configMaps
      .map((cm) => bucketFrom(cm, onBad))
      .filter((b): b is Bucket => b !== undefined)
      .sort((a, b) => a.seq - b.seq);
  }
}

export interface ConfigMapLike {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  data?: Record<string, string>;
  [k: string]: unknown;
}

/** The bucket as a ConfigMap (its resourceVersion as precondition when it exists). */
export function toConfigMap(bucket: Bucket, namespace: string): ConfigMapLike {
  const data: Record<string, string> = {};
  for (const c of bucket.changes) data[c.id] = JSON.stringify(c);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: bucket.name,
      namespace,
      labels: { [HISTORY_LABEL]: HISTORY_LABEL_VALUE, 'app.kubernetes.io/managed-by': 'meshlens' },
      ...(bucket.resourceVersion ? { resourceVersion: bucket.resourceVersion } : {}),
    },
    data,
  };
}

const isChange = (v: unknown): v is Change => {
  const c = v as Partial<Change> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.id === 'string' &&
    typeof c.at === 'string' &&
    typeof c.summary === 'string' &&
    Array.isArray(c.objects)
  );
};

/** A history ConfigMap as a bucket (undefined when it is not one); entries that do not parse are skipped. */
export function bucketFrom(
  cm: ConfigMapLike,
  onBad?: (where: string, err: unknown) => void,
): Bucket | undefined {
  const name = cm.metadata.name;
  if (!name.startsWith(NAME_PREFIX) || cm.metadata.labels?.[HISTORY_LABEL] !== HISTORY_LABEL_VALUE)
    return undefined;
  const seq = Number(name.slice(NAME_PREFIX.length));
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  const changes: Change[] = [];
  let bytes = 0;
  for (const [key, text] of Object.entries(cm.data ?? {})) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isChange(parsed) || parsed.id !== key) throw new Error('not a change entry');
      changes.push(parsed);
      bytes += entryBytes(parsed);
    } catch (err) {
      onBad?.(`${name}/${key}`, err);
    }
  }
  changes.sort((a, b) => -newestFirst(a, b));
  return {
    name,
    seq,
    changes,
    bytes,
    ...(cm.metadata.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}),
  };
}
