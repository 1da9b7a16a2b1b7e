import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

/** Client-node's `Watch.watch`, or a wrapper of it (the inventory trims the objects of each event). */
export type WatchFn = (
  path: string,
  query: { resourceVersion: string },
  onEvent: (phase: string, obj: unknown) => void,
  onDone: (err: unknown) => void,
) => Promise<{ abort(): void }>;

export interface KindWatcherOptions {
  /** The collection's URL path, e.g. `/api/v1/pods`. */
  path: string;
  /** The whole collection (all pages), with the resourceVersion to watch from. */
  list: () => Promise<KubernetesListObject<KubernetesObject>>;
  watch: WatchFn;
  /** The cache changed (a list replaced it, or an event changed one object). */
  onChange: () => void;
  /** A list or watch failed (410 Gone excepted, which relists at once): the owner decides when to start again. */
  onError: (err: unknown) => void;
}

type Status = { code?: unknown; statusCode?: unknown };
const gone = (err: unknown) => {
  const e = err as Status | null | undefined;
  return e?.statusCode === 410 || e?.code === 410;
};

/**
 * One kind's cache, kept by list then watch (the informer pattern) on client-node's public `Watch`: it
 * lists when it has no resourceVersion to resume from, watches from the last resourceVersion it saw (in
 * the list or in an event), watches again when the server ends a watch, and lists again after 410 Gone
 * or when told to (`relist()`). Any other failure goes to `onError`; `start()` resumes.
 */
export class KindWatcher {
  /** namespace → name → object, the order ListWatch kept. */
  private objects = new Map<string, Map<string, KubernetesObject>>();
  private resourceVersion = '';
  private request: { abort(): void } | undefined;
  /** Bumped by every start and stop: callbacks of an older watch are ignored. */
  private generation = 0;
  private stopped = false;

  constructor(private readonly options: KindWatcherOptions) {}

  /** Lists if needed, then opens the watch; resolves once it is open, or after reporting an error. */
  async start(): Promise<void> {
    this.stopped = false;
    this.abort();
    const generation = this.generation;
    const current = () => generation === this.generation && !this.stopped;
    if (!this.resourceVersion) {
      let list: KubernetesListObject<KubernetesObject>;
      try {
        list = await this.options.list();
      } catch (err) {
        if (current()) this.options.onError(err);
        return;
      }
      if (!current()) return;
      this.replace(list.items);
      this.resourceVersion = list.metadata?.resourceVersion ?? '';
      this.options.onChange();
    }
    const request = await this.options.watch(
      this.options.path,
      { resourceVersion: this.resourceVersion },
      (phase, obj) => {
        if (current()) this.event(phase, obj as KubernetesObject);
      },
      (err) => {
        if (!current()) return;
        this.generation += 1;
        this.request = undefined;
        if (gone(err)) this.resourceVersion = '';
        if (err && !gone(err)) this.options.onError(err);
        else void this.start();
      },
    );
    // Superseded (stopped, restarted, or already ended) while it opened: aborting an ended one is a no-op.
    if (current()) this.request = request;
    else request.abort();
  }

  /** Closes the watch; `start()` resumes from the last resourceVersion. */
  stop(): void {
    this.stopped = true;
    this.abort();
  }

  /** Makes the next `start()` list the collection again instead of resuming the watch. */
  relist(): void {
    this.resourceVersion = '';
  }

  /** The cached object, if any. */
  get(namespace: string, name: string): KubernetesObject | undefined {
    return this.objects.get(namespace)?.get(name);
  }

  list(): KubernetesObject[] {
    const all: KubernetesObject[] = [];
    for (const names of this.objects.values()) all.push(...names.values());
    return all;
  }

  private abort(): void {
    this.generation += 1;
    this.request?.abort();
    this.request = undefined;
  }

  private event(phase: string, obj: KubernetesObject): void {
    if (phase === 'ERROR') {
      // A Status object, not a resource: 410 means our resourceVersion is too old; the server then ends
      // the watch, and the done callback lists again.
      if (gone(obj)) this.resourceVersion = '';
      return;
    }
    if (phase === 'ADDED' || phase === 'MODIFIED') {
      this.put(obj);
      this.options.onChange();
    } else if (phase === 'DELETED') {
      this.objects.get(obj.metadata?.namespace ?? '')?.delete(obj.metadata?.name ?? '');
      this.options.onChange();
    }
    this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
  }

  private replace(items: KubernetesObject[]): void {
    this.objects = new Map();
    for (const item of items) this.put(item);
  }

  private put(obj: KubernetesObject): void {
    const namespace = obj.metadata?.namespace ?? '';
    let names = this.objects.get(namespace);
    if (!names) this.objects.set(namespace, (names = new Map()));
    names.set(obj.metadata?.name ?? '', obj);
  }
}
