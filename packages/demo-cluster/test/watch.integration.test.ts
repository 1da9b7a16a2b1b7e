/** Watches over plain HTTP: event order and resourceVersions, resume, selector transitions, timeouts, 410. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '../src/server';
import { waitFor } from './helpers';
import { cm, restClient, type Json } from './rest';

let dc: DemoCluster;
const { api, watch } = restClient(
  () => dc.url,
  () => dc.adminToken,
);

beforeAll(async () => {
  dc = await startDemoCluster({ port: 0 });
  await api('POST', '/api/v1/namespaces', { metadata: { name: 'w' } });
});

afterAll(async () => {
  await dc?.close();
});

type Watch = ReturnType<typeof watch>;

/**
 * The events of `w` up to and including the first one `last` accepts (waited for, bounded). The
 * cluster sends a watch's events in order, so nothing can still arrive before that one: the list is
 * complete, not "what came in within some time".
 */
async function eventsThrough(w: Watch, last: (e: Json) => boolean, what: string): Promise<Json[]> {
  const at = await waitFor(() => w.events.findIndex(last) + 1, what);
  w.close();
  return w.events.slice(0, at);
}

const named = (type: string, name: string) => (e: Json) => e.type === type && e.object.metadata.name === name;
const shown = (events: Json[]) =>
  events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`);
const rv = (r: { body: Json }) => String(r.body.metadata.resourceVersion);

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED with increasing resourceVersions, and resumes from one', async () => {
    const list = await api('GET', '/api/v1/namespaces/w/configmaps');
    const w = watch(
      `/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`,
    );
    const created = await api('POST', '/api/v1/namespaces/w/configmaps', cm('a', {}, { k: '1' }));
    const updated = await api('PUT', '/api/v1/namespaces/w/configmaps/a', {
      ...created.body,
      data: { k: '2' },
    });
    expect((await api('DELETE', '/api/v1/namespaces/w/configmaps/a')).status).toBe(200);
    // The end of the stream: an object written after the changes.
    const end = await api('POST', '/api/v1/namespaces/w/configmaps', cm('end-a'));
    const events = await eventsThrough(w, named('ADDED', 'end-a'), 'the ADDED of end-a');

    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED a',
      'MODIFIED a',
      'DELETED a',
      'ADDED end-a',
    ]);
    const rvs = events.map((e) => String(e.object.metadata.resourceVersion));
    expect([rvs[0], rvs[1], rvs[3]]).toEqual([rv(created), rv(updated), rv(end)]);
    // The deletion's version is not in its answer (a Status): it falls between the update and end-a.
    expect(Number(rvs[2])).toBeGreaterThan(Number(rvs[1]));
    expect(Number(rvs[2])).toBeLessThan(Number(rvs[3]));
    expect(events[1]?.object.data).toEqual({ k: '2' });

    const resumed = watch(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rvs[0]}`);
    expect(shown(await eventsThrough(resumed, named('ADDED', 'end-a'), 'the replayed end-a'))).toEqual(
      shown(events.slice(1)),
    );
  });

  it('sends current objects as ADDED without a resourceVersion, and filters by label with transitions', async () => {
    const sel = await api('POST', '/api/v1/namespaces/w/configmaps', cm('sel', { tier: 'front' }));
    const w = watch('/api/v1/namespaces/w/configmaps?watch=true&labelSelector=tier%3Dfront');
    // Without a resourceVersion the watch starts from now: the changes must come after its first event.
    await waitFor(() => w.events.length >= 1, 'initial ADDED');
    const patch = (tier: string) =>
      api(
        'PATCH',
        '/api/v1/namespaces/w/configmaps/sel',
        { metadata: { labels: { tier } } },
        { 'Content-Type': 'application/merge-patch+json' },
      );
    const toBack = await patch('back');
    const toFront = await patch('front');
    await api('POST', '/api/v1/namespaces/w/configmaps', cm('other', { tier: 'back' }));
    const end = await api('POST', '/api/v1/namespaces/w/configmaps', cm('end-sel', { tier: 'front' }));
    const events = await eventsThrough(w, named('ADDED', 'end-sel'), 'the ADDED of end-sel');
    expect(shown(events)).toEqual([
      `ADDED sel ${rv(sel)}`,
      `DELETED sel ${rv(toBack)}`,
      `ADDED sel ${rv(toFront)}`,
      `ADDED end-sel ${rv(end)}`,
    ]);
  });

  it('replays controller-written events with the resourceVersion each write had', async () => {
    const deployments = '/apis/apps/v1/namespaces/w/deployments';
    const deployment = (name: string, replicas: number) => ({
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'c', image: 'i' }] },
        },
      },
    });
    // A live watch sees each write as it happens: the reference for the replay.
    const before = await api('GET', deployments);
    const live = watch(`${deployments}?watch=true&resourceVersion=${before.body.metadata.resourceVersion}`);
    const d = await api('POST', deployments, deployment('replayed', 2));
    await dc.settled();
    const final = await api('GET', `${deployments}/replayed`);
    expect(final.body.status.readyReplicas).toBe(2);
    await api('POST', deployments, deployment('end-replayed', 0));
    const seen = await eventsThrough(live, named('ADDED', 'end-replayed'), 'the live ADDED of end-replayed');
    const writes = seen.slice(1, -1);
    expect(shown(seen.slice(0, 1))).toEqual([`ADDED replayed ${rv(d)}`]);
    // The controllers wrote the status (at least once), the last write being what GET shows.
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(writes.every(named('MODIFIED', 'replayed'))).toBe(true);
    expect(shown(writes.slice(-1))).toEqual([`MODIFIED replayed ${rv(final)}`]);

    const replay = watch(`${deployments}?watch=true&resourceVersion=${rv(d)}`);
    const replayed = await eventsThrough(replay, named('ADDED', 'end-replayed'), 'the replayed end-replayed');
    expect(shown(replayed)).toEqual(shown(seen.slice(1)));
    expect(replayed.map((e) => e.object.status?.readyReplicas ?? 0)).toEqual(
      seen.slice(1).map((e) => e.object.status?.readyReplicas ?? 0),
    );
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
    const rest = restClient(
      () => small.url,
      () => small.adminToken,
    );
    try {
      for (let i = 0; i < 20; i++)
        await rest.api('POST', '/api/v1/namespaces/default/configmaps', cm(`c${i}`));
      const w = rest.watch('/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2');
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
