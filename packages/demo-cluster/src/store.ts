/**
 * In-memory object store: objects indexed by resource and namespace, one cluster-wide monotonic
 * resourceVersion, and a bounded event history per resource so watches can resume.
 */
import { gone } from './errors';
import type { KObject, WatchEvent, WatchEventType } from './types';

export interface Watcher {
  namespace?: string;
  /** Whether the watcher wants this object (label/field selectors). */
  matches(obj: KObject): boolean;
  send(type: WatchEventType, obj: KObject, rv: number): void;
}

interface StoredEvent extends WatchEvent {
  prev?: KObject;
}

interface Bucket {
  byNs: Map<string, Map<string, KObject>>;
  history: StoredEvent[];
  /** Events with rv <= compactedRv are no longer replayable. */
  compactedRv: number;
  watchers: Set<Watcher>;
  count: number;
}

export type ChangeListener = (key: string, type: WatchEventType, obj: KObject, prev?: KObject) => void;

export class Store {
  private rv = 0;
  private readonly buckets = new Map<string, Bucket>();
  private readonly listeners: ChangeListener[] = [];

  constructor(readonly historyLimit = 5000) {}

  currentRv(): number {
    return this.rv;
  }

  /** Reserves the next resourceVersion (the value a write will carry). */
  nextRv(): number {
    this.rv += 1;
    return this.rv;
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { byNs: new Map(), history: [], compactedRv: 0, watchers: new Set(), count: 0 };
      this.buckets.set(key, b);
    }
    return b;
  }

  get(key: string, namespace: string, name: string): KObject | undefined {
    return this.buckets.get(key)?.byNs.get(namespace)?.get(name);
  }

  count(key: string, namespace?: string): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    return namespace === undefined ? b.count : (b.byNs.get(namespace)?.size ?? 0);
  }

  /** Objects of a resource, in one namespace or all, sorted by namespace then name like the API server. */
  list(key: string, namespace?: string): KObject[] {
    const b = this.buckets.get(key);
    if (!b) return [];
    if (namespace !== undefined) {
      const m = b.byNs.get(namespace);
      return m ? [...m.values()].sort(byName) : [];
    }
    const out: KObject[] = [];
    for (const ns of [...b.byNs.keys()].sort()) {
      const m = b.byNs.get(ns);
      if (m) out.push(...[...m.values()].sort(byName));
    }
    return out;
  }

  namespacesOf(key: string): string[] {
    const b = this.buckets.get(key);
    return b ? [...b.byNs.keys()] : [];
  }

  /** Stores an object whose metadata.resourceVersion is already set, and emits the event. */
  put(key: string, obj: KObject): void {
    const b = this.bucket(key);
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    let m = b.byNs.get(ns);
    if (!m) {
      m = new Map();
      b.byNs.set(ns, m);
    }
    const prev = m.get(name);
    m.set(name, obj);
    if (!prev) b.count += 1;
    this.emit(key, b, prev ? 'MODIFIED' : 'ADDED', obj, prev);
  }

  /** Removes an object; `tombstone` is the object as the DELETED event shows it (new resourceVersion). */
  remove(key: string, tombstone: KObject): KObject | undefined {
    const b = this.buckets.get(key);
    const ns = tombstone.metadata.namespace ?? '';
    const m = b?.byNs.get(ns);
    const prev = m?.get(tombstone.metadata.name ?? '');
    if (!b || !m || !prev) return undefined;
    m.delete(tombstone.metadata.name ?? '');
    if (m.size === 0) b.byNs.delete(ns);
    b.count -= 1;
    this.emit(key, b, 'DELETED', tombstone, prev);
    return prev;
  }

  /** Drops a whole resource (its CRD was deleted); watchers are closed by the caller. */
  dropResource(key: string): Watcher[] {
    const b = this.buckets.get(key);
    this.buckets.delete(key);
    return b ? [...b.watchers] : [];
  }

  private emit(key: string, b: Bucket, type: WatchEventType, obj: KObject, prev?: KObject): void {
    const rv = Number(obj.metadata.resourceVersion);
    const ev: StoredEvent = { type, object: obj, rv, ...(prev ? { prev } : {}) };
    b.history.push(ev);
    if (b.history.length > this.historyLimit * 1.25) {
      const drop = b.history.length - this.historyLimit;
      b.compactedRv = b.history[drop - 1]?.rv ?? b.compactedRv;
      b.history.splice(0, drop);
    }
    for (const w of b.watchers) deliver(w, ev);
    for (const l of this.listeners) l(key, type, obj, prev);
  }

  /**
   * Registers a watcher. With `sinceRv` it first replays the events after that version (410 Gone when they
   * were compacted away); without it the caller sends the current state itself.
   */
  watch(key: string, watcher: Watcher, sinceRv?: number): () => void {
    const b = this.bucket(key);
    if (sinceRv !== undefined) {
      if (sinceRv < b.compactedRv) {
        throw gone(`too old resource version: ${sinceRv} (${b.compactedRv + 1})`);
      }
      for (const ev of b.history) if (ev.rv > sinceRv) deliver(watcher, ev);
    }
    b.watchers.add(watcher);
    return () => b.watchers.delete(watcher);
  }

  /** After loading saved state there is no history: watches must start from now. */
  compactAll(): void {
    for (const b of this.buckets.values()) {
      b.history = [];
      b.compactedRv = this.rv;
    }
  }

  setRv(rv: number): void {
    this.rv = Math.max(this.rv, rv);
  }

  /** Every stored object, for saving state. */
  *all(): Generator<[string, KObject]> {
    for (const [key, b] of this.buckets) {
      for (const m of b.byNs.values()) for (const obj of m.values()) yield [key, obj];
    }
  }
}

function byName(a: KObject, b: KObject): number {
  const x = a.metadata.name ?? '';
  const y = b.metadata.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sends an event to a watcher, turning selector transitions into ADDED/DELETED as the API server does. */
function deliver(w: Watcher, ev: StoredEvent): void {
  const obj = ev.object;
  if (w.namespace !== undefined && (obj.metadata.namespace ?? '') !== w.namespace) return;
  const now = w.matches(obj);
  if (ev.type === 'MODIFIED' && ev.prev) {
    const before = w.matches(ev.prev);
    if (now && before) w.send('MODIFIED', obj, ev.rv);
    else if (now) w.send('ADDED', obj, ev.rv);
    else if (before) w.send('DELETED', obj, ev.rv);
    return;
  }
  if (now) w.send(ev.type, obj, ev.rv);
}
