/**
 * The simulated containers' logs: a ring per container (`namespace/pod/container`), bounded twice — at
 * most `perContainer` lines each and about `total` lines over all containers (large meshes get shorter
 * rings). Lines are kept as records and rendered to text only when read. Followers are woken once per
 * simulation tick (`flush`).
 */
import { LogRing } from './ring';
import type { LogRecord } from './format';

export interface LogStoreOptions {
  /** Lines kept per container (default 1000). */
  perContainer?: number;
  /** Lines kept over all containers, about (default 100,000). */
  total?: number;
}

export const PROXY_CONTAINER = 'istio-proxy';

export class LogStore {
  private readonly rings = new Map<string, LogRing<LogRecord>>();
  private readonly perContainer: number;
  private readonly total: number;
  private capacity: number;
  private readonly waiters = new Set<() => void>();
  /** Followers currently attached (open `follow` streams). */
  followers = 0;

  constructor(options: LogStoreOptions = {}) {
    this.perContainer = options.perContainer ?? 1000;
    this.total = options.total ?? 100_000;
    this.capacity = this.perContainer;
  }

  /** The pods that exist now (`namespace/name` → containers): rings of others are dropped. */
  setPods(pods: ReadonlyMap<string, readonly string[]>): void {
    let containers = 0;
    for (const c of pods.values()) containers += c.length;
    this.capacity = Math.max(
      20,
      Math.min(this.perContainer, Math.floor(this.total / Math.max(1, containers))),
    );
    for (const key of this.rings.keys()) {
      const i = key.lastIndexOf('/');
      if (!pods.has(key.slice(0, i))) this.rings.delete(key);
    }
  }

  write(namespace: string, pod: string, container: string, t: number, record: LogRecord): void {
    const key = `${namespace}/${pod}/${container}`;
    let ring = this.rings.get(key);
    if (!ring) this.rings.set(key, (ring = new LogRing<LogRecord>(this.capacity)));
    ring.append(t, record);
  }

  ring(namespace: string, pod: string, container: string): LogRing<LogRecord> | undefined {
    return this.rings.get(`${namespace}/${pod}/${container}`);
  }

  /** Every container with lines: `[namespace/pod/container, ring]`. */
  all(): IterableIterator<[string, LogRing<LogRecord>]> {
    return this.rings.entries();
  }

  get lines(): number {
    let n = 0;
    for (const r of this.rings.values()) n += r.size;
    return n;
  }

  get containers(): number {
    return this.rings.size;
  }

  /** Resolves at the next flush (new lines may have come), or when `signal` aborts. */
  waitForLines(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  flush(): void {
    for (const w of [...this.waiters]) w();
  }
}
