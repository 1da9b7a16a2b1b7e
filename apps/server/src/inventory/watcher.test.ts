import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KindWatcher, type WatchFn } from './watcher';

const pod = (name: string, resourceVersion: string, namespace = 'shop'): KubernetesObject => ({
  metadata: { name, namespace, resourceVersion },
});
const names = (w: KindWatcher) => w.list().map((o) => o.metadata?.name);

/** A scripted API server: lists return `items` at `rv`; every watch opened is recorded and can be driven. */
function fakeServer() {
  const state = { items: [] as KubernetesObject[], rv: '1', lists: 0 };
  const watches: {
    query: { resourceVersion: string };
    send: (phase: string, obj: unknown) => void;
    end: (err: unknown) => void;
    aborted: boolean;
  }[] = [];
  const errors: unknown[] = [];
  const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
    state.lists += 1;
    return {
      apiVersion: 'v1',
      kind: 'List',
      items: [...state.items],
      metadata: { resourceVersion: state.rv },
    };
  };
  const watch: WatchFn = async (_path, query, onEvent, onDone) => {
    const w = { query, send: onEvent, end: onDone, aborted: false };
    watches.push(w);
    return {
      abort: () => {
        w.aborted = true;
      },
    };
  };
  let changes = 0;
  const watcher = new KindWatcher({
    path: '/api/v1/pods',
    list,
    watch,
    onChange: () => void (changes += 1),
    onError: (err) => void errors.push(err),
  });
  return { state, watches, errors, watcher, changes: () => changes };
}

/** Lets the restarts a done callback fires (`void start()`) run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('KindWatcher', () => {
  it('lists, then watches from the list’s resourceVersion and follows the events', async () => {
    const s = fakeServer();
    s.state.items = [pod('a', '5'), pod('b', '6')];
    s.state.rv = '7';
    await s.watcher.start();
    expect(names(s.watcher)).toEqual(['a', 'b']);
    expect(s.watches.map((w) => w.query.resourceVersion)).toEqual(['7']);
    const w = s.watches[0]!;
    w.send('ADDED', pod('c', '8'));
    w.send('MODIFIED', { ...pod('a', '9'), spec: { x: 1 } });
    w.send('DELETED', pod('b', '10'));
    expect(names(s.watcher)).toEqual(['a', 'c']);
    expect(s.watcher.list().find((o) => o.metadata?.name === 'a')).toMatchObject({ spec: { x: 1 } });
    expect(s.changes()).toBe(4);
  });

  it('watches again from the last resourceVersion it saw when the server ends a watch, without listing', async () => {
    const s = fakeServer();
    await s.watcher.start();
    s.watches[0]!.send('ADDED', pod('a', '12'));
    s.watches[0]!.send('BOOKMARK', { metadata: { resourceVersion: '15' } });
    s.watches[0]!.end(null);
    await settle();
    expect(s.state.lists).toBe(1);
    expect(s.watches.map((w) => w.query.resourceVersion)).toEqual(['1', '15']);
    expect(s.errors).toEqual([]);
  });

  it('lists again after 410 Gone, as an event or as the watch’s error, dropping what was deleted meanwhile', async () => {
    const s = fakeServer();
    s.state.items = [pod('a', '2'), pod('b', '3')];
    await s.watcher.start();
    s.state.items = [pod('b', '20')];
    s.state.rv = '21';
    s.watches[0]!.send('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    s.watches[0]!.end(null);
    await settle();
    expect(s.state.lists).toBe(2);
    expect(names(s.watcher)).toEqual(['b']);
    expect(s.watches.at(-1)!.query.resourceVersion).toBe('21');

    s.state.rv = '30';
    s.watches.at(-1)!.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await settle();
    expect(s.state.lists).toBe(3);
    expect(s.watches.at(-1)!.query.resourceVersion).toBe('30');
    expect(s.errors).toEqual([]);
  });

  it('reports other failures and resumes on start(), listing again only after relist()', async () => {
    const s = fakeServer();
    await s.watcher.start();
    const broken = new Error('ECONNRESET');
    s.watches[0]!.end(broken);
    await settle();
    expect(s.errors).toEqual([broken]);
    expect(s.watches).toHaveLength(1);

    await s.watcher.start();
    expect(s.state.lists).toBe(1);
    expect(s.watches.at(-1)!.query.resourceVersion).toBe('1');

    s.watcher.relist();
    s.state.rv = '40';
    await s.watcher.start();
    expect(s.state.lists).toBe(2);
    expect(s.watches.at(-1)!.query.resourceVersion).toBe('40');
  });

  it('ignores a watch it stopped or replaced, and aborts it', async () => {
    const s = fakeServer();
    await s.watcher.start();
    const first = s.watches[0]!;
    await s.watcher.start();
    expect(first.aborted).toBe(true);
    first.send('ADDED', pod('ghost', '3'));
    first.end(new Error('aborted'));
    expect(names(s.watcher)).toEqual([]);
    expect(s.errors).toEqual([]);

    s.watcher.stop();
    expect(s.watches[1]!.aborted).toBe(true);
    s.watches[1]!.end(null);
    await settle();
    expect(s.watches).toHaveLength(2);
  });
});
