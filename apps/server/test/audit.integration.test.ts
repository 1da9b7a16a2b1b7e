/**
 * The later read routes as a user of one namespace meets them, and their bad input: against the demo
 * cluster with real RBAC (`reader` may read bookinfo only), mesh-sim's Bookinfo (its ingress gateway in
 * istio-system calls productpage; every request traced) and a real Prometheus. What such a user gets of a
 * caller or callee in a namespace they may not read: its traffic, never its names, as the graph shows it
 * (the service load preview's callers, the metrics grouped by a peer's labels, the trace lists and span
 * statistics).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  entityPath,
  MetricsResponseSchema,
  ServiceLoadResponseSchema,
  SpanStatsResponseSchema,
  TracesResponseSchema,
} from '@meshlens/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server';
import { startLiveStack, type LiveStack } from './liveStack';
import { applyYaml, eventually } from './stackHelpers';

const TOKENS = { admin: 'tok-admin-0123456789', reader: 'tok-reader-0123456789' };
const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: admin-all }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: admin }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: reader, namespace: bookinfo }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: reader }]
`;

let live: LiveStack;

const get = (path: string, token = TOKENS.admin, init: RequestInit = {}) =>
  fetch(`${live.server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'sec-fetch-site': 'same-origin', ...(init.headers ?? {}) },
  });

beforeAll(async () => {
  live = await startLiveStack({
    name: 'audit',
    clusterAuth: {
      tokens: [
        { token: TOKENS.admin, user: 'admin' },
        { token: TOKENS.reader, user: 'reader' },
      ],
    },
    sim: { tracingSampling: 100, logLines: 0 },
    beforeServer: async (kubeconfigPath) => {
      writeFileSync(join(kubeconfigPath, '..', 'index.html'), '<!doctype html><title>x</title>');
      await applyYaml(kubeconfigPath, RBAC, 'bookinfo');
    },
    config: ({ dir, sim }) => ({
      webDir: dir,
      auth: { strategy: 'token' },
      tracing: { url: sim.tracingUrl },
    }),
  });
}, 120_000);

afterAll(async () => {
  await live?.close();
});

/** What an answer must not name for the reader: the gateway's namespace, workload and principal. */
const OTHERS = /istio-system|istio-ingressgateway/;

async function json(path: string, token: string): Promise<unknown> {
  const res = await get(path, token);
  const text = await res.text();
  expect(res.status, `${path}: ${text.slice(0, 300)}`).toBe(200);
  return JSON.parse(text);
}

describe('callers and callees in namespaces the user may not read', () => {
  it("the service load preview: the reader's callers of another namespace are one `no access` caller", async () => {
    const path = '/api/namespaces/bookinfo/services/productpage/load';
    // (once Prometheus has the gateway's calls over the load's rate window)
    await eventually(
      "the gateway among the admin's callers",
      async () => {
        const admin = ServiceLoadResponseSchema.parse(await json(path, TOKENS.admin));
        return admin.sources.some(
          (s) => `${s.namespace}/${s.workload}` === 'istio-system/istio-ingressgateway',
        )
          ? true
          : undefined;
      },
      30_000,
      250,
    );
    const reader = ServiceLoadResponseSchema.parse(await json(path, TOKENS.reader));
    expect(JSON.stringify(reader)).not.toMatch(OTHERS);
    const hidden = reader.sources.find((s) => s.workload === 'no access');
    expect(hidden).toMatchObject({ namespace: 'unknown', app: 'no access' });
    expect(hidden!.rps).toBeGreaterThan(0);
    // the callers still add up to the versions' load
    const sum = (xs: { rps: number }[]) => xs.reduce((n, x) => n + x.rps, 0);
    expect(sum(reader.sources)).toBeCloseTo(sum(reader.versions), 2);
  });

  it('metrics grouped by a peer’s labels: an unreadable peer keeps its traffic, not its names', async () => {
    const base = `${entityPath('bookinfo', 'apps', 'productpage', 'metrics')}?metrics=request_count,request_duration_millis&quantiles=0.95&duration=5m`;
    await eventually(
      "the gateway among the admin's series",
      async () => {
        const admin = MetricsResponseSchema.parse(
          await json(`${base}&byLabels=source_workload_namespace,source_workload`, TOKENS.admin),
        );
        return admin.metrics.request_count?.some((s) => s.labels.source_workload === 'istio-ingressgateway')
          ? true
          : undefined;
      },
      30_000,
      250,
    );
    for (const byLabels of [
      'source_workload_namespace,source_workload',
      'source_workload',
      'source_principal',
      'source_canonical_service,destination_workload',
    ]) {
      const path = `${base}&byLabels=${byLabels}`;
      const reader = MetricsResponseSchema.parse(await json(path, TOKENS.reader));
      expect(JSON.stringify(reader), path).not.toMatch(OTHERS);
      // grouped as asked, nothing more
      expect(reader.byLabels, path).toEqual(byLabels.split(','));
      const requests = reader.metrics.request_count ?? [];
      for (const s of requests)
        expect(Object.keys(s.labels).sort(), path).toEqual(byLabels.split(',').sort());
      const hidden = requests.filter((s) => Object.values(s.labels).includes('no access'));
      expect(hidden, path).toHaveLength(1);
      expect(
        hidden[0]!.values.some((v) => v !== null && v > 0),
        path,
      ).toBe(true);
      if (byLabels.includes('destination_workload'))
        expect(hidden[0]!.labels.destination_workload, 'the readable side keeps its name').toBe(
          'productpage-v1',
        );
    }
  });

  it('trace lists and span statistics: spans of other namespaces named as in one trace (no access)', async () => {
    const traces = entityPath('bookinfo', 'apps', 'productpage', 'traces');
    const admin = await eventually(
      'traces of productpage',
      async () => {
        const t = TracesResponseSchema.parse(await json(`${traces}?limit=5`, TOKENS.admin));
        return t.traces.length > 0 ? t : undefined;
      },
      30_000,
      200,
    );
    expect(admin.traces[0]!.rootService).toBe('istio-ingressgateway.istio-system');
    const reader = TracesResponseSchema.parse(await json(`${traces}?limit=5`, TOKENS.reader));
    expect(reader.traces.length).toBeGreaterThan(0);
    expect(JSON.stringify(reader)).not.toMatch(OTHERS);
    for (const t of reader.traces) {
      expect(t.rootService).toBe('no access');
      expect(t.services).toContain('productpage.bookinfo');
      expect(t.entity?.operation).toMatch(/^productpage\.bookinfo\.svc\./);
    }
    const spans = entityPath('bookinfo', 'apps', 'productpage', 'spans');
    const stats = SpanStatsResponseSchema.parse(await json(`${spans}?limit=5`, TOKENS.reader));
    expect(JSON.stringify(stats)).not.toMatch(OTHERS);
    expect(stats.stats.find((s) => s.direction === 'inbound')?.peer).toBe('no access');
    const adminStats = SpanStatsResponseSchema.parse(await json(`${spans}?limit=5`, TOKENS.admin));
    expect(adminStats.stats.find((s) => s.direction === 'inbound')?.peer).toBe(
      'istio-ingressgateway.istio-system',
    );
  });
});

describe('bad input is a 400 naming it, before any call to the cluster or Prometheus', () => {
  const bad = async (path: string, param: string, message: RegExp) => {
    const res = await get(path, TOKENS.reader);
    const body = (await res.json()) as {
      error: { message: string; details?: { issues?: { param: string }[] } };
    };
    expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(400);
    expect(body.error.message, path).toMatch(message);
    expect(
      body.error.details?.issues?.map((i) => i.param),
      path,
    ).toContain(param);
  };

  it('an unknown query parameter of the load preview', async () => {
    await bad(
      '/api/namespaces/bookinfo/services/productpage/load?namespace=istio-system',
      'namespace',
      /unknown query parameter/,
    );
  });

  it('a namespace filter that is no namespace name (changes, rollouts)', async () => {
    await bad('/api/changes?namespace=bookinfo,%22%7D', 'namespace', /not a namespace name.*"\\"}"/);
    await bad('/api/changes?namespace=..%2fkube-system', 'namespace', /not a namespace name/);
    await bad('/api/rollouts?namespaces=bookinfo,x%20y', 'namespaces', /not a namespace name.*"x y"/);
    await bad(`/api/rollouts?namespaces=${'a'.repeat(64)}`, 'namespaces', /not a namespace name/);
  });

  it('a metrics range of more points than Prometheus answers: the step, with the least that works', async () => {
    await bad(
      `${entityPath('bookinfo', 'apps', 'productpage', 'metrics')}?duration=30d&step=1&metrics=request_count`,
      'step',
      /^step: 2592000s at a step of 1s is more than Prometheus's 11000 points a series: a step of at least 236s$/,
    );
    const ok = await get(
      `${entityPath('bookinfo', 'apps', 'productpage', 'metrics')}?duration=30d&step=236&metrics=request_count`,
      TOKENS.reader,
    );
    expect(ok.status, await ok.clone().text()).toBe(200);
  });
});

describe('guarded rollouts', () => {
  const post = (path: string, body: unknown, token = TOKENS.admin) =>
    get(path, token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** Held at its first step for an hour: the driver writes nothing more while the test runs. */
  const rollout = (target: string) => ({
    target,
    baseline: { v1: 100 },
    steps: [50, 100],
    waitSeconds: 3600,
    gates: { maxErrorPercent: 1, minRequests: 0 },
  });

  it('a user who may not write a namespace learns nothing of its services or rollouts', async () => {
    // an existing service (with versions to name) and a missing one answer alike: 403, naming no version
    for (const path of [
      '/api/namespaces/istio-system/services/istio-ingressgateway/rollouts',
      '/api/namespaces/istio-system/services/nosuch/rollouts',
    ]) {
      const res = await post(path, rollout('nope'), TOKENS.reader);
      const text = await res.text();
      expect(res.status, `${path}: ${text}`).toBe(403);
      expect(text).toMatch(/reader may not update virtualservices in namespace istio-system/);
    }
    for (const path of [
      '/api/namespaces/istio-system/rollouts/nosuch/pause',
      '/api/namespaces/bookinfo/rollouts/nosuch/abort',
    ]) {
      const res = await post(path, {}, TOKENS.reader);
      expect(res.status, path).toBe(403);
    }
    // who may write it is told the id names no rollout
    const missing = await post('/api/namespaces/bookinfo/rollouts/nosuch/abort', {});
    expect(missing.status).toBe(404);
  });

  it('bodies as on the Istio write routes: another media type is a 415, a body of over 1 MB a 413', async () => {
    const path = '/api/namespaces/bookinfo/services/ratings/rollouts';
    const plain = await get(path, TOKENS.admin, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(rollout('v1')),
    });
    expect(plain.status, await plain.clone().text()).toBe(415);
    expect(await plain.text()).toContain('send JSON (application/json) or YAML (application/yaml)');
    // 100 kB: within the 1 MB the answer names, so read (and refused by the schema, naming the field)
    const padded = await post(path, { ...rollout('v1'), pad: 'x'.repeat(100_000) });
    expect(padded.status, await padded.clone().text()).toBe(422);
    expect(await padded.text()).toContain('unknown field pad');
    const huge = await post(path, { ...rollout('v1'), pad: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain('body: larger than the 1 MB limit');
    for (const command of ['pause', 'abort']) {
      const res = await get(`/api/namespaces/bookinfo/rollouts/nosuch/${command}`, TOKENS.admin, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      });
      expect(res.status, command).toBe(415);
    }
    // a command with no body at all (Content-Length: 0) is read as none
    const bare = await get('/api/namespaces/bookinfo/rollouts/nosuch/pause', TOKENS.admin, {
      method: 'POST',
    });
    expect(bare.status, await bare.clone().text()).toBe(404);
  });

  it('concurrent starts on one service make one rollout; the others are a 409 naming it', async () => {
    const answers = await Promise.all(
      [0, 1, 2, 3].map(() => post('/api/namespaces/bookinfo/services/reviews/rollouts', rollout('v3'))),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    const started = (await answers.find((r) => r.status === 201)!.json()) as { id: string };
    for (const r of answers.filter((x) => x.status === 409))
      expect(((await r.json()) as { error: { message: string } }).error.message).toContain(
        `already has an active rollout (${started.id}`,
      );
    const list = (await (await get('/api/rollouts?namespaces=bookinfo')).json()) as {
      rollouts: { id: string; service: string }[];
    };
    expect(list.rollouts.filter((r) => r.service === 'reviews').map((r) => r.id)).toEqual([started.id]);
  });
});

describe("the server's duration bound (graph.maxDurationSeconds)", () => {
  let bounded: RunningServer | undefined;
  afterAll(async () => {
    await bounded?.close();
  });

  it('holds for the detail pages’ node graph and metrics as for the graph and the lists', async () => {
    bounded = await startServer({
      kubeconfigPath: live.kubeconfigPath,
      prometheusUrl: live.prometheus.url,
      port: 0,
      host: '127.0.0.1',
      config: { webDir: live.dir, auth: { strategy: 'token' }, graph: { maxDurationSeconds: 3600 } },
      logger: pino({ level: 'silent' }),
    });
    const at = (path: string) =>
      fetch(`${bounded!.url}${path}`, { headers: { authorization: `Bearer ${TOKENS.reader}` } });
    for (const path of [
      '/api/graph?namespaces=bookinfo&duration=2h',
      `${entityPath('bookinfo', 'apps', 'productpage', 'graph')}?duration=2h`,
      `${entityPath('bookinfo', 'apps', 'productpage', 'metrics')}?duration=2h&metrics=request_count`,
    ]) {
      const res = await at(path);
      const text = await res.text();
      expect(res.status, `${path}: ${text.slice(0, 300)}`).toBe(400);
      expect(text, path).toContain(
        'duration: at most 3600s on this server (graph.maxDurationSeconds), got 7200s',
      );
    }
    const ok = await at(`${entityPath('bookinfo', 'apps', 'productpage', 'graph')}?duration=1h`);
    expect(ok.status, await ok.clone().text()).toBe(200);
  });
});
