import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  ErrorBodySchema,
  GRAPH_GZIP_BODY,
  GraphResponseSchema,
  NamespacesResponseSchema,
  ReadyResponseSchema,
  ServerConfigResponseSchema,
} from '@meshlens/contract';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type KubeAccess } from './app';
import { parseConfig } from './config';
import { deriveSnapshot, type RawInventory } from './inventory/derive';
import { istioKubeClient } from './istio/kubeClient';
import { createPrometheusClient } from './prometheus/client';
import { unreachableKubeConfig, unreachablePrometheus } from '../test/stackHelpers';

const raw = (
  await import('./graph/__golden__/fixtures/bookinfo-handcrafted/inventory.json', { with: { type: 'json' } })
).default as unknown as RawInventory;
const snapshot = deriveSnapshot(raw, true);
const kube: KubeAccess = { snapshot: () => snapshot, ping: async () => undefined };
// Nothing listens on port 9 of loopback: Prometheus is down for these HTTP-boundary tests.
const deadPrometheus = unreachablePrometheus();
const logger = pino({ level: 'silent' });

/** The SPA folders the tests make, removed at the end. */
const webDirs: string[] = [];
afterAll(() => {
  for (const dir of webDirs) rmSync(dir, { recursive: true, force: true });
});

function makeApp(config: Record<string, unknown> = {}) {
  const webDir = mkdtempSync(join(tmpdir(), 'meshlens-web-'));
  webDirs.push(webDir);
  writeFileSync(
    join(webDir, 'index.html'),
    '<!doctype html><html><head><title>x</title></head><body>app</body></html>',
  );
  writeFileSync(join(webDir, 'app.js'), 'console.log(1)');
  return createApp({ kube, prometheus: deadPrometheus, config: parseConfig({ webDir, ...config }), logger });
}

describe('GET /api/graph input validation', () => {
  const app = makeApp();
  it.each([
    ['graphType=galaxy&namespaces=bookinfo', 'graphType'],
    ['namespaces=bookinfo&duration=-5m', 'duration'],
    ['namespaces=bookinfo&duration=1000d', 'duration'],
    ['namespaces=Not_A_Label', 'namespaces'],
    ['graphType=app', 'namespaces'],
    ['namespaces=bookinfo&responseTime=p42', 'responseTime'],
    ['namespaces=bookinfo&protocols=udp', 'protocols'],
    ['namespaces=bookinfo&queryTime=yesterday', 'queryTime'],
    ['namespaces=bookinfo&boxBy=cluster', 'boxBy'],
    ['namespaces=bookinfo&colour=red', 'colour'],
  ])('?%s → 400 naming %s', async (qs, param) => {
    const res = await request(app).get(`/api/graph?${qs}`);
    expect(res.status).toBe(400);
    const body = ErrorBodySchema.parse(res.body);
    expect(body.error.name).toBe('InputError');
    expect(body.error.message.startsWith(`${param}:`) || body.error.message.includes(`; ${param}:`)).toBe(
      true,
    );
    expect(body.error.details).toMatchObject({
      issues: expect.arrayContaining([expect.objectContaining({ param })]),
    });
  });

  it('?appenders with an unknown step → 400 naming the parameter and the step', async () => {
    const res = await request(app).get('/api/graph?namespaces=bookinfo&appenders=responseTime,deadNode');
    expect(res.status).toBe(400);
    const body = ErrorBodySchema.parse(res.body);
    expect(body.error.message).toMatch(/^appenders: unknown appender "deadNode"/);
  });

  it('answers unknown API routes with a 404 in the same error shape', async () => {
    const res = await request(app).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(ErrorBodySchema.parse(res.body).error).toMatchObject({
      name: 'NotFoundError',
      message: 'no route GET /api/nothing-here',
    });
  });
});

describe('a known path with a method it does not serve', () => {
  const app = makeApp();
  // Past the Origin check of writes (http/origin.ts), as the console's own page.
  const sent = (method: 'delete' | 'post' | 'put' | 'patch' | 'options', path: string) =>
    request(app)[method](path).set('Sec-Fetch-Site', 'same-origin');

  it.each([
    ['delete', '/api/graph', 'GET, HEAD'],
    ['post', '/api/namespaces', 'GET, HEAD'],
    ['put', '/api/config', 'GET, HEAD'],
    ['put', '/api/graph/', 'GET, HEAD'],
    ['delete', '/api/namespaces/bookinfo/pods/reviews-v1-abc/logs', 'GET, HEAD'],
    ['patch', '/api/auth/login', 'POST'],
    ['post', '/healthz', 'GET, HEAD'],
  ] as const)('%s %s → 405, Allow: %s, in the one error shape', async (method, path, allow) => {
    const res = await sent(method, path);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(ErrorBodySchema.parse(res.body).error).toEqual({
      name: 'MethodNotAllowedError',
      message: `${method.toUpperCase()} is not served on ${path}; it takes ${allow}`,
      details: { allowed: allow.split(', ') },
    });
  });

  it('reads the methods from the routes themselves: a path with several gets them all', async () => {
    // The Istio routes, served with a Kubernetes API nobody answers (a 405 never asks it). The 405 comes
    // before the routes' own checks: these writes carry no JSON body, which the routes would refuse (415).
    const kc = unreachableKubeConfig();
    const writes = createApp({
      kube,
      prometheus: deadPrometheus,
      config: parseConfig({}),
      logger,
      istio: { client: istioKubeClient(kc), inventory: { list: () => [] } },
    });
    for (const [method, path, allow] of [
      ['post', '/api/namespaces/bookinfo/istio/virtualservices/reviews', 'DELETE, GET, HEAD, PATCH, PUT'],
      ['put', '/api/namespaces/bookinfo/services/reviews/routing', 'DELETE, GET, HEAD, POST'],
      ['delete', '/api/namespaces/bookinfo/istio/virtualservices', 'GET, HEAD, POST'],
    ] as const) {
      const res = await request(writes)[method](path).set('Sec-Fetch-Site', 'same-origin');
      expect(res.status, path).toBe(405);
      expect(res.headers.allow, path).toBe(allow);
    }
    expect((await request(app).get('/api/auth/can-i')).headers.allow).toBe('POST');
  });

  it('leaves unknown paths, and what only a guard covers, at 404', async () => {
    for (const path of [
      '/api/nothing-here',
      '/api/namespaces/bookinfo/services/reviews/nothing',
      '/api/graphs',
    ])
      expect((await sent('delete', path)).status, path).toBe(404);
  });

  it('answers OPTIONS with Allow on every known path, as Express does for the routes of mounted routers', async () => {
    for (const [path, allow] of [
      ['/api/graph', 'GET, HEAD'],
      ['/api/namespaces/bookinfo/pods/reviews-v1-abc/logs', 'GET, HEAD'],
      ['/api/auth/login', 'POST'],
    ]) {
      const res = await sent('options', path!);
      expect(res.status, path).toBe(200);
      expect(res.headers.allow, path).toBe(allow);
    }
    expect((await sent('options', '/api/nothing-here')).status).toBe(404);
  });

  it('keeps HEAD of a GET route as Express answers it', async () => {
    const res = await request(app).head('/api/config');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text ?? '').toBe('');
  });

  it('answers under a base path too', async () => {
    const based = makeApp({ basePath: '/meshlens' });
    const res = await request(based).delete('/meshlens/api/graph').set('Sec-Fetch-Site', 'same-origin');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('comes after the sign-in and Origin checks: they answer first and tell nothing of the paths', async () => {
    const guarded = makeApp({ auth: { strategy: 'token' } });
    for (const path of ['/api/graph', '/api/nothing-here']) {
      const res = await request(guarded).delete(path).set('Sec-Fetch-Site', 'same-origin');
      expect(res.status, path).toBe(401);
      expect(res.headers.allow, path).toBeUndefined();
    }
    // A cross-site write is refused whatever its path.
    const foreign = await request(app).delete('/api/graph').set('Origin', 'http://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.allow).toBeUndefined();
  });
});

describe('graph without Prometheus', () => {
  it('gives the inventory graph and a warning, not an error', async () => {
    const app = makeApp();
    const res = await request(app).get('/api/graph?namespaces=bookinfo&graphType=workload&debug=true');
    expect(res.status).toBe(200);
    const g = GraphResponseSchema.parse(res.body);
    expect(g.warnings.map((w) => w.code)).toContain('PrometheusUnavailable');
    expect(g.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining([
        'wl:bookinfo/productpage-v1',
        'svc:bookinfo/reviews',
        'wl:bookinfo/reviews-v3',
      ]),
    );
    expect(g.nodes.every((n) => n.isIdle)).toBe(true);
    // mTLS rides in the requests query (issue 13: the default graph in 2 queries, 4 with every appender).
    expect(g.debug?.queries.map((q) => q.name)).toEqual(['requests', 'responseTime', 'throughput', 'tcp']);
    expect(g.debug?.queries.every((q) => q.error)).toBe(true);
  });

  it('sends the answer gzipped to clients that accept it, plain JSON to the others', async () => {
    const app = makeApp();
    const url = '/api/graph?namespaces=bookinfo&graphType=app';
    const zipped = await request(app).get(url).set('Accept-Encoding', 'gzip, deflate, br');
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/i);
    const plain = await request(app).get(url).set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(GraphResponseSchema.parse(JSON.parse(plain.text))).toEqual(GraphResponseSchema.parse(zipped.body));
  });

  it('sends the gzip bytes as the body to a client that prefers GRAPH_GZIP_BODY, JSON to the others', async () => {
    const app = makeApp();
    const url = '/api/graph?namespaces=bookinfo&graphType=app';
    const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
      const stream = res as unknown as NodeJS.ReadableStream;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => done(null, Buffer.concat(chunks)));
    };
    const zipped = await request(app)
      .get(url)
      .set('Accept', `${GRAPH_GZIP_BODY}, application/json;q=0.9`)
      .set('Accept-Encoding', 'identity')
      .buffer(true)
      .parse(binary);
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-type']).toBe(GRAPH_GZIP_BODY);
    expect(zipped.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers.vary).toMatch(/\bAccept\b/);
    expect(zipped.headers['cache-control']).toMatch(/no-transform/);
    const body = zipped.body as Buffer;
    expect([body[0], body[1]]).toEqual([0x1f, 0x8b]); // the gzip magic
    const inflated = GraphResponseSchema.parse(JSON.parse(gunzipSync(body).toString('utf8')));
    // any other Accept gets JSON (a browser's, curl's, none)
    for (const accept of [
      '*/*',
      'application/json',
      'text/html,*/*;q=0.8',
      `application/json, ${GRAPH_GZIP_BODY};q=0.5`,
    ]) {
      const plain = await request(app).get(url).set('Accept', accept).set('Accept-Encoding', 'identity');
      expect(plain.headers['content-type'], accept).toMatch(/^application\/json/);
      expect(GraphResponseSchema.parse(JSON.parse(plain.text))).toEqual(inflated);
    }
    // bad input is still a JSON error, whatever the client prefers
    const bad = await request(app).get('/api/graph?graphType=nope').set('Accept', GRAPH_GZIP_BODY);
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/json/);
  });

  it('shares one computation between concurrent identical requests (and reports a slow Prometheus)', async () => {
    // A socket that accepts and never answers: Prometheus hanging until our timeout.
    const sockets: Socket[] = [];
    const hole = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    const port = (hole.address() as AddressInfo).port;
    // 3 s: the whole burst must reach the app before the computation gives up, also on 2 busy cores.
    const slow = createPrometheusClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 3000 });
    const app = createApp({
      kube,
      prometheus: slow,
      config: parseConfig({ graph: { heapSoftLimitMb: 0 } }),
      logger,
    });
    // The burst must reach the app within the Prometheus timeout, also on a busy machine: one
    // listening server (supertest would start one per request), the code warmed up first on another app
    // (a cold first graph blocks the event loop for a while), and no heap trimming (a full GC would).
    const warm = createApp({ kube, prometheus: slow, config: parseConfig({}), logger });
    expect((await request(warm).get('/api/graph?namespaces=bookinfo&graphType=app')).status).toBe(200);
    const server = createHttpServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = request(server);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => agent.get('/api/graph?namespaces=bookinfo&graphType=app')),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const metrics = (await request(app).get('/metrics')).text;
    expect(metrics).toMatch(/meshlens_graph_requests_total\{answer="computed"\} 1\n/);
    expect(metrics).toMatch(/meshlens_graph_requests_total\{answer="shared"\} 19\n/);
    expect(results[0]!.body.warnings.map((w: { code: string }) => w.code)).toContain('PrometheusTimeout');
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => hole.close(resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('system routes', () => {
  const app = makeApp();
  it('healthz is 200, readyz reports each dependency and is 503 when Prometheus is down', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    const body = ReadyResponseSchema.parse(res.body);
    expect(body.checks.kubernetes.ok).toBe(true);
    expect(body.checks.prometheus).toMatchObject({ ok: false });
    expect(body.checks.prometheus.message).toMatch(/unreachable/);
  });

  it('serves config and namespaces in the contract shape', async () => {
    const config = ServerConfigResponseSchema.parse((await request(app).get('/api/config')).body);
    expect(config).toMatchObject({ basePath: '', refreshIntervalMs: 15_000, durationSeconds: 300 });
    const ns = NamespacesResponseSchema.parse((await request(app).get('/api/namespaces')).body);
    expect(ns.namespaces.find((n) => n.name === 'bookinfo')).toMatchObject({ injection: true });
  });

  it('offers only the durations the graph accepts (graph.maxDurationSeconds)', async () => {
    const limited = makeApp({ graph: { maxDurationSeconds: 3600 } });
    const config = ServerConfigResponseSchema.parse((await request(limited).get('/api/config')).body);
    expect(config.durationsSeconds).toEqual([30, 60, 300, 600, 1800, 3600]);
  });

  it('exposes its own metrics', async () => {
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('meshlens_prometheus_queries_total');
  });
});

describe('SPA under a base path', () => {
  const app = makeApp({ basePath: '/meshlens/' });
  it('serves the API, assets and index.html with <base href> and runtime config under the prefix', async () => {
    expect((await request(app).get('/meshlens/api/config')).body.basePath).toBe('/meshlens');
    expect((await request(app).get('/meshlens/app.js')).text).toBe('console.log(1)');
    for (const path of ['/meshlens/', '/meshlens/graph/bookinfo']) {
      const res = await request(app).get(path).set('accept', 'text/html');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<base href="/meshlens/">');
      expect(res.text).toContain(
        '<script type="application/json" id="meshlens-config">{"basePath":"/meshlens","version":"0.1.0"}</script>',
      );
    }
    expect((await request(app).get('/')).headers.location).toBe('/meshlens/');
    expect((await request(app).get('/readyz')).status).toBe(503);
  });

  it('serves /index.html opened directly with the same <base href> and runtime config as the root', async () => {
    const root = await request(app).get('/meshlens/').set('accept', 'text/html');
    // A browser's Accept, and none at all (curl, a link checker): never the raw file.
    for (const accept of ['text/html', '*/*', undefined]) {
      const req = request(app).get('/meshlens/index.html');
      const res = await (accept ? req.set('accept', accept) : req);
      expect(res.status, String(accept)).toBe(200);
      expect(res.headers['content-type'], String(accept)).toMatch(/^text\/html/);
      expect(res.headers['cache-control'], String(accept)).toBe('no-cache');
      expect(res.text, String(accept)).toBe(root.text);
    }
    expect(root.text).toContain(
      '<script type="application/json" id="meshlens-config">{"basePath":"/meshlens","version":"0.1.0"}</script>',
    );
  });
});
