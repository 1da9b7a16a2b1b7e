import type { Change } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { newestManager, sameContent, stateOf, writerOf } from './history';
import { bucketFrom, ChangeStore, HISTORY_LABEL, toConfigMap, type ConfigMapLike } from './store';

const change = (n: number, extra: Partial<Change> = {}): Change => ({
  id: `c${String(n).padStart(4, '0')}`,
  at: new Date(Date.UTC(2026, 11, 6, 7, 0, n)).toISOString(),
  source: 'console',
  actor: 'alice',
  summary: `change ${n}`,
  namespace: 'bookinfo',
  objects: [
    {
      kind: 'VirtualService',
      namespace: 'bookinfo',
      name: 'reviews',
      before: null,
      after: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'reviews', namespace: 'bookinfo', resourceVersion: String(n) },
        spec: { hosts: ['reviews'] },
      },
    },
  ],
  ...extra,
});

describe('change store', () => {
  it('fills a ConfigMap up to perConfigMap changes, then starts the next', () => {
    const store = new ChangeStore({ perConfigMap: 3, maxConfigMaps: 10, maxBytesPerConfigMap: 1e6 });
    const plans = [1, 2, 3, 4].map((n) => store.append(change(n)));
    expect(plans.map((p) => p.write.name)).toEqual([
      'meshlens-changes-000001',
      'meshlens-changes-000001',
      'meshlens-changes-000001',
      'meshlens-changes-000002',
    ]);
    expect(store.buckets.map((b) => b.changes.length)).toEqual([3, 1]);
    expect(plans.every((p) => p.drop.length === 0)).toBe(true);
  });

  it('drops the oldest ConfigMap whole past maxConfigMaps (oldest changes first)', () => {
    const store = new ChangeStore({ perConfigMap: 2, maxConfigMaps: 2, maxBytesPerConfigMap: 1e6 });
    for (const n of [1, 2, 3, 4]) expect(store.append(change(n)).drop).toEqual([]);
    const plan = store.append(change(5));
    expect(plan.drop.map((b) => b.name)).toEqual(['meshlens-changes-000001']);
    expect(plan.write.name).toBe('meshlens-changes-000003');
    expect(store.all().map((c) => c.id)).toEqual(['c0005', 'c0004', 'c0003']);
    expect(store.get('c0001')).toBeUndefined();
  });

  it('starts a new ConfigMap when the bytes would pass the limit, and keeps a too large change without bodies', () => {
    const one = JSON.stringify(change(1)).length + 5;
    const store = new ChangeStore({ perConfigMap: 100, maxConfigMaps: 10, maxBytesPerConfigMap: one * 2 });
    store.append(change(1));
    store.append(change(2));
    expect(store.append(change(3)).write.name).toBe('meshlens-changes-000002');
    const huge = change(4, { summary: 'x'.repeat(one * 3) });
    const kept = store.append({ ...huge, summary: 'big', intent: { blob: 'y'.repeat(one * 3) } });
    const stored = kept.write.changes.at(-1);
    expect(stored?.truncated).toBe(true);
    expect(stored?.objects[0]).toMatchObject({ kind: 'VirtualService', before: null, after: null });
  });

  it('lists newest first, by time then id, whatever the order appended', () => {
    const store = new ChangeStore();
    store.append(change(3));
    store.append(change(1));
    store.append(change(2, { at: change(3).at, id: 'c9999' }));
    expect(store.all().map((c) => c.id)).toEqual(['c9999', 'c0003', 'c0001']);
  });

  it('round-trips through ConfigMap data, skipping entries that do not parse', () => {
    const store = new ChangeStore({ perConfigMap: 2, maxConfigMaps: 5, maxBytesPerConfigMap: 1e6 });
    for (const n of [1, 2, 3]) store.append(change(n));
    const cms = store.buckets.map((b, i) => ({
      ...toConfigMap(b, 'meshlens'),
      metadata: { ...toConfigMap(b, 'meshlens').metadata, resourceVersion: String(10 + i) },
    }));
    expect(cms[0]?.metadata.labels?.[HISTORY_LABEL]).toBe('changes');
    expect(Object.keys(cms[0]?.data ?? {})).toEqual(['c0001', 'c0002']);
    const bad: string[] = [];
    const broken: ConfigMapLike = {
      ...(cms[1] as ConfigMapLike),
      data: { ...cms[1]?.data, c0077: '{not json', c0078: JSON.stringify(change(79)) },
    };
    const other: ConfigMapLike = { metadata: { name: 'unrelated', labels: {} }, data: { a: 'b' } };
    const again = new ChangeStore();
    again.load([broken, other, cms[0] as ConfigMapLike], (where) => bad.push(where));
    expect(bad.sort()).toEqual(['meshlens-changes-000002/c0077', 'meshlens-changes-000002/c0078']);
    expect(again.all()).toEqual(store.all());
    expect(again.buckets.map((b) => [b.name, b.resourceVersion])).toEqual([
      ['meshlens-changes-000001', '10'],
      ['meshlens-changes-000002', '11'],
    ]);
    // Appending after a reload continues the newest ConfigMap.
    expect(again.append(change(4)).write).toMatchObject({
      name: 'meshlens-changes-000002',
      resourceVersion: '11',
    });
  });

  it('ignores a ConfigMap with the history name but without its label', () => {
    const cm = toConfigMap({ name: 'meshlens-changes-000001', seq: 1, changes: [change(1)], bytes: 0 }, 'x');
    expect(bucketFrom({ ...cm, metadata: { ...cm.metadata, labels: {} } })).toBeUndefined();
  });
});

describe('who changed an object', () => {
  const mf = (...entries: [string, string, string][]) => ({
    metadata: {
      name: 'reviews',
      managedFields: entries.map(([manager, operation, time]) => ({ manager, operation, time })),
    },
  });

  it('takes the newest managedFields entry', () => {
    expect(
      newestManager(
        mf(
          ['kubectl-edit', 'Update', '2026-12-06T07:00:05Z'],
          ['meshlens', 'Update', '2026-12-06T07:00:01Z'],
        ),
      )?.manager,
    ).toBe('kubectl-edit');
  });

  it('tells writes of the same second apart by what changed since the previous event', () => {
    const seen = new Map([['meshlens|Update|', '2026-12-06T07:00:05Z']]);
    const now = mf(
      ['kubectl-edit', 'Update', '2026-12-06T07:00:05Z'],
      ['meshlens', 'Update', '2026-12-06T07:00:05Z'],
    );
    expect(writerOf(now, seen)?.manager).toBe('kubectl-edit');
    const both = mf(
      ['meshlens', 'Update', '2026-12-06T07:00:05Z'],
      ['helm', 'Update', '2026-12-06T07:00:04Z'],
    );
    expect(writerOf(both, new Map([['helm|Update|', '2026-12-06T07:00:04Z']]))?.manager).toBe('meshlens');
  });

  it('keeps what people change, not what the server sets', () => {
    const s = stateOf({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: {
        name: 'r',
        namespace: 'b',
        resourceVersion: '7',
        uid: 'u',
        generation: 2,
        managedFields: [{}],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
      spec: { hosts: ['r'] },
      status: { x: 1 },
    });
    expect(s).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'r', namespace: 'b', resourceVersion: '7' },
      spec: { hosts: ['r'] },
    });
    expect(sameContent(s, { ...s!, metadata: { ...s!.metadata, resourceVersion: '8' } })).toBe(true);
    expect(sameContent(s, { ...s!, spec: { hosts: ['q'] } })).toBe(false);
  });
});
