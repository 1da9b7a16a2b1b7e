/**
 * Upstreams that hang, and what a graph may cost. The real demo cluster and a real Prometheus, each behind
 * a loopback relay that can start hanging (valve.ts): while both hang, every route answers within its
 * timeout (data routes 503 naming the upstream, the graph with a warning, /readyz not ready), silent
 * watches are noticed and restarted, and everything comes back when they answer again. A second server,
 * connected directly, shows the graph limits (429 with Retry-After past the per-client computations) and
 * /metrics served on a port of its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorBodySchema, ReadyResponseSchema } from '@meshlens/contract';
import { kubeconfigFor, startDemoCluster } from '@meshlens/demo-cluster';
import { startPrometheus, type PrometheusHandle } from '@meshlens/stack';
import { pino } from 'pino';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS } from '../src/inventory/informers';
import { startServer, type RunningServer } from '../src/server';
import { applyYaml, eventually } from './stackHelpers';
import { startValve, type Valve } from './valve';
import { yamlOf } from './istioStack';

const KUBE_TIMEOUT_MS = 1500;
const WATCH_TIMEOUT_MS = 2000;
const PROM_TIMEOUT_MS = 1500;
const READY_TIMEOUT_MS = 500;
/** Time a request may take beyond its timeout on a busy 2-core machine (no route may wait for more). */
const MARGIN_MS = 2000;

let dir: string;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let prometheus: PrometheusHandle;
let kubeValve: Valve;
let promValve: Valve;
let hungServer: RunningServer;
let directKubeconfig: string;
/** One line per request the demo cluster received. */
const clusterLog: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-upstreams-it-'));
  cluster = await startDemoCluster({ host: '127.0.0.1', port: 0, log: (line) => clusterLog.push(line) });
  directKubeconfig = join(dir, 'kubeconfig');
  await cluster.writeKubeconfig(directKubeconfig);
  await applyYaml(directKubeconfig, 'apiVersion: v1\nkind: Namespace\nmetadata: { name: bookinfo }\n', '');
  await applyYaml(directKubeconfig, yamlOf('bookinfo.yaml'), 'bookinfo');
  prometheus = await startPrometheus({ scrapeTargets: [], dataDir: join(dir, 'prom') });
  const clusterUrl = new URL(cluster.url);
  kubeValve = await startValve({ host: '127.0.0.1', port: Number(clusterUrl.port) });
  promValve = await startValve({ host: '127.0.0.1', port: prometheus.port });
  const relayedKubeconfig = join(dir, 'kubeconfig-relayed');
  writeFileSync(relayedKubeconfig, kubeconfigFor(kubeValve.url('https'), cluster.adminToken, cluster.caCert));
  hungServer = await startServer({
    kubeconfigPath: relayedKubeconfig,
    prometheusUrl: promValve.url(),
    port: 0,
    syncTimeoutMs: 20_000,
    config: {
      kubernetes: { timeoutMs: KUBE_TIMEOUT_MS, watchTimeoutMs: WATCH_TIMEOUT_MS },
      prometheus: { timeoutMs: PROM_TIMEOUT_MS },
      readyTimeoutMs: READY_TIMEOUT_MS,
      graph: { cacheTtlMs: 0 },
    },
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  kubeValve?.resume();
  promValve?.resume();
  await hungServer?.close();
  await kubeValve?.close();
  await promValve?.close();
  await prometheus?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  path: string;
  status: number;
  ms: number;
  text: string;
  headers: Headers;
}

/** One request, timed; the test's own 30 s bound only keeps a hanging product from hanging the test. */
async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  type?: string,
): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${base}${path}`, {
    method,
    // Writes come from the console's own origin, as its page sends them.
    headers: {
      ...(method === 'GET' ? {} : { origin: new URL(base).origin }),
      ...(body !== undefined ? { 'content-type': type ?? 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return {
    path: `${method} ${path}`,
    status: res.status,
    ms: performance.now() - started,
    text,
    headers: res.headers,
  };
}

/** Watch restarts after errors, by kind, from the server's own /metrics. */
const restartsByKind = async (metricsUrl: string) => {
  const text = await (await fetch(metricsUrl)).text();
  return new Map(
    [...text.matchAll(/^meshlens_inventory_watch_restarts_total\{kind="([a-z]+)"\} (\d+)$/gm)].map(
      (m) => [m[1]!, Number(m[2])] as const,
    ),
  );
};
const watchRestarts = async (metricsUrl: string) =>
  [...(await restartsByKind(metricsUrl)).values()].reduce((a, b) => a + b, 0);

const vs = (name: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace: 'bookinfo' },
  spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] },
});

describe('a hung Kubernetes API and a hung Prometheus', () => {
  it(
    'every route answers within its timeout; silent watches restart; all recovers when they answer',
    { timeout: 120_000 },
    async () => {
      const url = hungServer.url;
      // While both answer: ready, and the Istio routes have discovered their kinds.
      await eventually(
        'ready',
        async () => ((await call(url, 'GET', '/readyz')).status === 200 ? true : undefined),
        20_000,
        200,
      );
      expect((await call(url, 'GET', '/api/istio/config?namespaces=bookinfo')).status).toBe(200);
      expect((await call(url, 'GET', '/api/namespaces/bookinfo/istio/virtualservices')).status).toBe(200);
      // Each watch asks the API server to end it after WATCH_TIMEOUT_MS; one that ends so is resumed
      // without counting as a broken watch.
      const namespaceWatches = () =>
        clusterLog.filter((l) => /^GET \/api\/v1\/namespaces\?.*watch=true.*timeoutSeconds=2\b/.test(l))
          .length;
      await eventually(
        'a watch resumed after its timeoutSeconds',
        async () => (namespaceWatches() >= 2 ? true : undefined),
        20_000,
        100,
      );
      expect(await watchRestarts(`${url}/metrics`)).toBe(0);

      kubeValve.hang();
      promValve.hang();
      // Made while the console cannot see the cluster: it must be there once the cluster answers again.
      await applyYaml(directKubeconfig, 'apiVersion: v1\nkind: Namespace\nmetadata: { name: late }\n', '');

      const kube = KUBE_TIMEOUT_MS + MARGIN_MS;
      const ns = '/api/namespaces/bookinfo';
      const routes: [Promise<Answer>, number, number][] = [
        [call(url, 'GET', '/healthz'), 200, MARGIN_MS],
        [call(url, 'GET', '/readyz'), 503, READY_TIMEOUT_MS + MARGIN_MS],
        [call(url, 'GET', '/metrics'), 200, MARGIN_MS],
        [call(url, 'GET', '/api/config'), 200, MARGIN_MS],
        [call(url, 'GET', '/api/namespaces'), 200, MARGIN_MS],
        [call(url, 'GET', '/api/graph?namespaces=bookinfo&duration=77s'), 200, PROM_TIMEOUT_MS + MARGIN_MS],
        [call(url, 'GET', '/api/istio/config?namespaces=bookinfo'), 503, kube],
        [call(url, 'GET', `${ns}/istio/virtualservices`), 503, kube],
        [call(url, 'POST', `${ns}/istio/virtualservices`, vs('hang-test')), 503, kube],
        [call(url, 'GET', `${ns}/istio/virtualservices/hang-test`), 503, kube],
        [call(url, 'PUT', `${ns}/istio/virtualservices/hang-test`, vs('hang-test')), 503, kube],
        [
          call(
            url,
            'PATCH',
            `${ns}/istio/virtualservices/hang-test`,
            { metadata: { labels: { a: 'b' } } },
            'application/merge-patch+json',
          ),
          503,
          kube,
        ],
        [call(url, 'DELETE', `${ns}/istio/virtualservices/hang-test`), 503, kube],
        [
          call(url, 'POST', `${ns}/services/reviews/routing`, { trafficShifting: { v1: 80, v2: 20 } }),
          503,
          kube,
        ],
        [call(url, 'DELETE', `${ns}/services/reviews/routing`), 503, kube],
        [call(url, 'GET', '/', undefined), 0, MARGIN_MS],
      ];
      const answers = await Promise.all(routes.map(([p]) => p));
      answers.forEach((a, i) => {
        const [, status, bound] = routes[i]!;
        const where = `${a.path}: ${a.status} after ${Math.round(a.ms)} ms: ${a.text.slice(0, 300)}`;
        if (status) expect(a.status, where).toBe(status);
        else expect(a.status, where).toBeLessThan(500);
        expect(a.ms, where).toBeLessThan(bound);
        if (status === 503 && !a.path.endsWith('/readyz')) {
          // Waited for the deadline (not refused for some other reason), and says who is slow.
          expect(ErrorBodySchema.parse(JSON.parse(a.text)).error, where).toMatchObject({
            name: 'UnavailableError',
            message: expect.stringMatching(
              new RegExp(`Kubernetes.*did not answer .*within ${KUBE_TIMEOUT_MS} ms`),
            ) as unknown,
          });
          expect(a.ms, where).toBeGreaterThanOrEqual(KUBE_TIMEOUT_MS - 50);
        }
      });
      const ready = ReadyResponseSchema.parse(JSON.parse(answers[1]!.text));
      expect(ready.ready).toBe(false);
      expect(ready.checks.kubernetes).toMatchObject({
        ok: false,
        message: `Kubernetes did not answer within ${READY_TIMEOUT_MS} ms`,
      });
      expect(ready.checks.prometheus).toMatchObject({
        ok: false,
        message: `Prometheus did not answer within ${READY_TIMEOUT_MS} ms`,
      });
      const graph = JSON.parse(answers[5]!.text) as { warnings: { code: string }[]; nodes: unknown[] };
      expect(graph.warnings.map((w) => w.code)).toContain('PrometheusTimeout');
      expect(graph.nodes.length).toBeGreaterThan(0); // the inventory graph, from the cache

      // Most watches are open and silent (a watch being reopened at the hang fails to connect instead):
      // each is given up after WATCH_TIMEOUT_MS + KUBE_TIMEOUT_MS, so every kind restarts.
      await eventually(
        'every watch restarted',
        async () => {
          const restarted = [...(await restartsByKind(`${url}/metrics`)).entries()].filter(([, n]) => n > 0);
          return restarted.length === KINDS.length ? true : undefined;
        },
        WATCH_TIMEOUT_MS + KUBE_TIMEOUT_MS + MARGIN_MS,
        100,
      );
      // Probes while hung do not pile up: each still answers within its bound.
      const again = await Promise.all([1, 2, 3].map(() => call(url, 'GET', '/readyz')));
      for (const a of again) expect(a.ms).toBeLessThan(READY_TIMEOUT_MS + MARGIN_MS);

      kubeValve.resume();
      promValve.resume();
      await eventually(
        'ready again',
        async () => ((await call(url, 'GET', '/readyz')).status === 200 ? true : undefined),
        40_000,
        250,
      );
      const names = await eventually(
        'the namespace made while hung',
        async () => {
          const body = JSON.parse((await call(url, 'GET', '/api/namespaces')).text) as {
            namespaces: { name: string }[];
          };
          const list = body.namespaces.map((n) => n.name);
          return list.includes('late') ? list : undefined;
        },
        40_000,
        250,
      );
      expect(names).toContain('bookinfo');
      expect((await call(url, 'GET', '/api/istio/config?namespaces=bookinfo')).status).toBe(200);
    },
  );
});

describe('graph limits and the metrics port', () => {
  let limited: RunningServer;
  const LIMIT = 20;
  /**
   * PromQL queries of one graph computation with every appender (the API's default): requests, response
   * times and throughput (each sent in two parts at once), TCP.
   */
  const QUERIES = 7;
  beforeAll(async () => {
    limited = await startServer({
      kubeconfigPath: directKubeconfig,
      prometheusUrl: prometheus.url,
      port: 0,
      config: {
        metricsPort: 0,
        prometheus: { timeoutMs: 10_000 },
        graph: {
          cacheTtlMs: 300_000,
          maxComputationsPerClientPerMinute: LIMIT,
          maxDurationSeconds: 3600,
          maxNamespaces: 3,
        },
      },
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  /** PromQL queries the server has sent, by its own metrics (on the metrics port). */
  const queriesSent = async () => {
    const text = await (await fetch(limited.metricsUrl!)).text();
    return [...text.matchAll(/^meshlens_prometheus_queries_total\{outcome="[a-z_]+"\} (\d+)$/gm)].reduce(
      (a, m) => a + Number(m[1]),
      0,
    );
  };

  it('serves /metrics on its own port only', async () => {
    expect(limited.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(limited.metricsUrl!).port).not.toBe(new URL(limited.url).port);
    const metrics = await fetch(limited.metricsUrl!);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('meshlens_prometheus_queries_total');
    const main = await call(limited.url, 'GET', '/metrics');
    expect(main.status).toBe(404);
    expect(ErrorBodySchema.parse(JSON.parse(main.text)).error.message).toMatch(/own port \(metricsPort\)/);
    expect((await fetch(new URL('/api/config', limited.metricsUrl!))).status).toBe(404);
  });

  it(
    '1,000 requests with varied durations cost at most the limit of computations; past it 429 + Retry-After',
    { timeout: 120_000 },
    async () => {
      const before = await queriesSent();
      const answers: Answer[] = [];
      const durations = Array.from({ length: 1000 }, (_, i) => 10 + i);
      for (let i = 0; i < durations.length; i += 25) {
        const batch = durations.slice(i, i + 25);
        answers.push(
          ...(await Promise.all(
            batch.map((d) =>
              call(limited.url, 'GET', `/api/graph?namespaces=bookinfo,default&duration=${d}s`),
            ),
          )),
        );
      }
      const ok = answers.filter((a) => a.status === 200);
      const limitedOut = answers.filter((a) => a.status === 429);
      expect(ok).toHaveLength(LIMIT);
      expect(limitedOut).toHaveLength(1000 - LIMIT);
      for (const a of limitedOut) {
        const retry = Number(a.headers.get('retry-after'));
        expect(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${retry}`).toBe(true);
        expect(ErrorBodySchema.parse(JSON.parse(a.text)).error).toMatchObject({
          name: 'TooManyRequestsError',
          message: expect.stringContaining('graph.maxComputationsPerClientPerMinute') as unknown,
        });
      }
      // QUERIES per computation (every appender; mTLS rides in the requests query), none for the refused ones.
      expect((await queriesSent()) - before).toBe(LIMIT * QUERIES);

      // Past the limit, an answer already computed is still served, whatever the spelling and order of
      // the parameters: the cache key is the parsed query.
      const done = Number(/duration=(\d+)s/.exec(ok[0]!.path)![1]);
      const spelling = done % 60 === 0 ? `${done / 60}m` : String(done); /* seconds without a unit */
      const same = await call(
        limited.url,
        'GET',
        `/api/graph?injectServiceNodes=1&duration=${spelling}&graphType=versionedApp&namespaces=default,bookinfo`,
      );
      expect(same.status, same.text.slice(0, 200)).toBe(200);
      expect(same.text).toBe(ok[0]!.text);
      expect((await queriesSent()) - before).toBe(LIMIT * QUERIES);

      // Another client (another loopback address) has its own allowance.
      const other = new Agent({ localAddress: '127.0.0.2' });
      try {
        const res = await undiciFetch(`${limited.url}/api/graph?namespaces=bookinfo&duration=2000s`, {
          dispatcher: other,
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      } finally {
        await other.close();
      }
      expect((await queriesSent()) - before).toBe(LIMIT * QUERIES + QUERIES);
    },
  );

  it('refuses a duration or a namespace count beyond the configured limits, naming them', async () => {
    const before = await queriesSent();
    const long = await call(limited.url, 'GET', '/api/graph?namespaces=bookinfo&duration=2h');
    expect(long.status).toBe(400);
    expect(ErrorBodySchema.parse(JSON.parse(long.text)).error.message).toBe(
      'duration: at most 3600s on this server (graph.maxDurationSeconds), got 7200s',
    );
    const wide = await call(limited.url, 'GET', '/api/graph?namespaces=a,b,c,d');
    expect(wide.status).toBe(400);
    expect(ErrorBodySchema.parse(JSON.parse(wide.text)).error.message).toBe(
      'namespaces: at most 3 namespaces on this server (graph.maxNamespaces), got 4',
    );
    expect(await queriesSent()).toBe(before);
  });
});
