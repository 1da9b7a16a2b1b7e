/** Watches over plain HTTP: event order and resourceVersions, resume, selector transitions, timeouts, 410. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '../src/server';
import { waitFor } from './helpers';
import { cm, restClient } from './rest';

let dc: DemoCluster;
const { api, watch } = restClient(() => dc.url);

beforeAll(async () => {
  dc = await startDemoCluster({ port: 0 });
  await api('POST', '/api/v1/namespaces', { metadata: { name: 'w' } });
});

afterAll(async () => {
  await dc?.close();
});

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED with increasing resourceVersions, and resumes from one', async () => {
    const list = await api('GET', '/api/v1/namespaces/w/configmaps');
    const w = watch(
      `/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`,
    );
    await new Promise((r) => setTimeout(r, 50));
    const created = await api('POST', '/api/v1/namespaces/w/configmaps', cm('a', {}, { k: '1' }));
    await api('PUT', '/api/v1/namespaces/w/configmaps/a', { ...created.body, data: { k: '2' } });
    await api('DELETE', '/api/v1/namespaces/w/configmaps/a');
    await waitFor(() => w.events.length >= 3, 'three events');
    w.close();
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs[0]).toBeLessThan(rvs[1] ?? 0);
    expect(rvs[1]).toBeLessThan(rvs[2] ?? 0);
    expect(w.events[1]?.object.data).toEqual({ k: '2' });

    const resumed = watch(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rvs[0]}`);
    await waitFor(() => resumed.events.length >= 2, 'replayed events');
    resumed.close();
    expect(resumed.events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
  });

  it('sends current objects as ADDED without a resourceVersion, and filters by label with transitions', async () => {
    await api('POST', '/api/v1/namespaces/w/configmaps', cm('sel', { tier: 'front' }));
    const w = watch('/api/v1/namespaces/w/configmaps?watch=true&labelSelector=tier%3Dfront');
    await waitFor(() => w.events.length >= 1, 'initial ADDED');
    await api(
      'PATCH',
      '/api/v1/namespaces/w/configmaps/sel',
      { metadata: { labels: { tier: 'back' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    await api(
      'PATCH',
      '/api/v1/namespaces/w/configmaps/sel',
      { metadata: { labels: { tier: 'front' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    await api('POST', '/api/v1/namespaces/w/configmaps', cm('other', { tier: 'back' }));
    await waitFor(() => w.events.length >= 3, 'transition events');
    await new Promise((r) => setTimeout(r, 50));
    w.close();
    expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED sel',
      'DELETED sel',
      'ADDED sel',
    ]);
  });

  it('replays controller-written events with the resourceVersion each write had', async () => {
    const d = await api('POST', '/apis/apps/v1/namespaces/w/deployments', {
      metadata: { name: 'replayed' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'replayed' } },
        template: {
          metadata: { labels: { app: 'replayed' } },
          spec: { containers: [{ name: 'c', image: 'i' }] },
        },
      },
    });
    await dc.settled();
    const w = watch(
      `/apis/apps/v1/namespaces/w/deployments?watch=true&resourceVersion=${d.body.metadata.resourceVersion}`,
    );
    await waitFor(() => w.events.length >= 1, 'replayed status updates');
    await new Promise((r) => setTimeout(r, 50));
    w.close();
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs.length).toBeGreaterThanOrEqual(1);
    expect(new Set(rvs).size).toBe(rvs.length);
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(w.events.at(-1)?.object.status.readyReplicas).toBe(2);
  });

  it('ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const w = watch('/api/v1/namespaces/w/secrets?watch=true&timeoutSeconds=1');
    await w.ended;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('answers a too old resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const small = await startDemoCluster({ port: 0, istioCrds: false, historyLimit: 5 });
    try {
      for (let i = 0; i < 20; i++)
        await api('POST', '/api/v1/namespaces/default/configmaps', cm(`c${i}`), {}, small.url);
      const w = watch('/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2', small.url);
      await w.ended;
      expect(w.events).toHaveLength(1);
      expect(w.events[0]).toMatchObject({
        type: 'ERROR',
        object: { kind: 'Status', code: 410, reason: 'Expired' },
      });
      expect(w.events[0]?.object.message).toContain('too old resource version');
    } finally {
      await small.close();
    }
  });
});
