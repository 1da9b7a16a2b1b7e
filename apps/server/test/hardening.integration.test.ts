/**
 * The attacks of issue 11, replayed against the real app on a real listening socket and the real demo
 * cluster (Bookinfo in `bookinfo`): DNS rebinding (a foreign Host), cross-site writes (a foreign Origin),
 * missing security headers, path tricks in namespace and name (`%2e%2e`, `.`, upper case), malformed
 * requests that answered 500, and a rollback that fails too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ErrorBodySchema } from '@meshlens/contract';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS, startIstioStack, type IstioStack } from './istioStack';
import { applyYaml } from './stackHelpers';

let stack: IstioStack;
let server: Server;
let origin: string;
beforeAll(async () => {
  stack = await startIstioStack();
  server = createServer(stack.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await stack?.close();
});

const api = () => request(origin);
const vsUrl = (name = '', ns = NS) => `/api/namespaces/${ns}/istio/virtualservices${name ? `/${name}` : ''}`;
const abortRatings = { faultInjection: { abort: { percentage: 100, httpStatus: 500 } } };
const routingUrl = (service: string, ns = NS) => `/api/namespaces/${ns}/services/${service}/routing`;

function errorOf(res: { body: unknown; status: number }) {
  const parsed = ErrorBodySchema.safeParse(res.body);
  if (!parsed.success) throw new Error(`not an error body (${res.status}): ${JSON.stringify(res.body)}`);
  return parsed.data.error;
}

describe('DNS rebinding: the Host must be one of the console', () => {
  it('refuses a write with a foreign Host and Origin (what a rebinding page sends); nothing is written', async () => {
    const port = new URL(origin).port;
    const res = await api()
      .post(routingUrl('ratings'))
      .set('Host', `attacker.example:${port}`)
      .set('Origin', `http://attacker.example:${port}`)
      .send(abortRatings);
    expect(res.status).toBe(421);
    expect(errorOf(res).message).toMatch(/Host "attacker\.example:\d+" is not a name of this console/);
    expect(await stack.exists('VirtualService', 'ratings')).toBe(false);
  });

  it('refuses a read with a foreign Host too, and a loopback name on another port', async () => {
    const port = Number(new URL(origin).port);
    for (const host of ['attacker.example', `attacker.example:${port}`, `localhost:${port + 1}`]) {
      const res = await api().get('/api/namespaces').set('Host', host);
      expect(res.status, host).toBe(421);
    }
  });

  it('accepts every loopback name with the port the request came in on', async () => {
    const port = new URL(origin).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const res = await api().get('/api/namespaces').set('Host', host);
      expect(res.status, host).toBe(200);
    }
  });

  it('answers probes whatever the Host (the kubelet and Prometheus use the pod IP)', async () => {
    expect((await api().get('/healthz').set('Host', '10.1.2.3:20001')).status).toBe(200);
    expect((await api().get('/metrics').set('Host', '10.1.2.3:20001')).status).toBe(200);
  });
});

describe('cross-site writes: a write needs a same-origin Origin', () => {
  it('refuses a POST from a foreign Origin with 403; nothing is written', async () => {
    const res = await api()
      .post(routingUrl('ratings'))
      .set('Origin', 'http://evil.example')
      .send(abortRatings);
    expect(res.status).toBe(403);
    expect(errorOf(res).message).toMatch(/Origin "http:\/\/evil\.example" is not this console/);
    expect(await stack.exists('VirtualService', 'ratings')).toBe(false);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['Origin: null', { Origin: 'null' }],
    ['neither Origin nor Sec-Fetch-Site nor a bearer token', {}],
  ])('refuses a DELETE with %s', async (_what, headers: Record<string, string>) => {
    const res = await api()
      .delete(`${routingUrl('reviews')}?dryRun=true`)
      .set(headers);
    expect(res.status).toBe(403);
    expect(errorOf(res).name).toBe('NotAllowedError');
  });

  it.each([
    ['its own Origin', () => ({ Origin: origin })],
    ['Sec-Fetch-Site: same-origin', () => ({ 'Sec-Fetch-Site': 'same-origin' })],
    ['a script with a bearer token', () => ({ Authorization: 'Bearer some-token' })],
  ])('accepts a write with %s', async (_what, headers: () => Record<string, string>) => {
    const res = await api()
      .post(`${routingUrl('ratings')}?dryRun=true`)
      .set(headers())
      .send(abortRatings);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('a GET needs no Origin', async () => {
    expect((await api().get(vsUrl()).set('Origin', 'http://evil.example')).status).toBe(200);
  });
});

describe('security headers', () => {
  it('every answer carries a CSP without inline script, no framing, nosniff, no referrer', async () => {
    for (const path of ['/', '/graph', '/api/namespaces', '/api/nothing', '/healthz']) {
      const res = await api().get(path).set('Accept', 'text/html');
      const csp = String(res.headers['content-security-policy']);
      expect(csp, path).toMatch(/frame-ancestors 'none'/);
      expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      expect(csp, path).toMatch(/object-src 'none'/);
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['referrer-policy'], path).toBe('no-referrer');
    }
  });

  it('API answers, errors included, are never cached', async () => {
    for (const path of ['/api/namespaces', '/api/nothing', vsUrl('nope')]) {
      const res = await api().get(path);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
  });
});

describe('namespace and name are DNS-1123 names, checked before any Kubernetes call', () => {
  it.each([
    ['%2e%2e', 'namespace'],
    ['%2E%2E', 'namespace'],
    ['.', 'namespace'],
    ['BOOKINFO', 'namespace'],
    ['book_info', 'namespace'],
    ['a'.repeat(64), 'namespace'],
  ])('GET …/namespaces/%s/istio/virtualservices → 400 naming %s', async (ns, param) => {
    const res = await api().get(`/api/namespaces/${ns}/istio/virtualservices`);
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ name: 'InputError' });
    expect(errorOf(res).message).toMatch(new RegExp(`^${param}: `));
  });

  it.each(['.', '%2e', '..', '%2e%2e', 'Reviews', '-x', 'a..b', 'x'.repeat(254)])(
    'GET …/virtualservices/%s → 400 naming the name',
    async (name) => {
      const res = await api().get(vsUrl(name));
      expect(res.status).toBe(400);
      expect(errorOf(res).message).toMatch(/^name: /);
    },
  );

  it('DELETE …/BOOKINFO/istio/virtualservices/CASE-TEST is refused and bookinfo/case-test stays', async () => {
    await applyYaml(
      stack.kubeconfigPath,
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: case-test }\nspec: { hosts: [details], http: [{ route: [{ destination: { host: details } }] }] }\n',
      NS,
    );
    const res = await api()
      .delete('/api/namespaces/BOOKINFO/istio/virtualservices/CASE-TEST')
      .set('Sec-Fetch-Site', 'same-origin');
    expect(res.status).toBe(400);
    expect(await stack.exists('VirtualService', 'case-test')).toBe(true);
    const lower = await api().delete(vsUrl('CASE-TEST')).set('Sec-Fetch-Site', 'same-origin');
    expect(lower.status).toBe(400);
    expect(errorOf(lower).message).toMatch(/^name: /);
    expect(await stack.exists('VirtualService', 'case-test')).toBe(true);
  });

  it('the service of a routing write is checked too', async () => {
    const res = await api()
      .post(routingUrl('Reviews'))
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ trafficShifting: { v1: 100 } });
    expect(res.status).toBe(400);
    expect(errorOf(res).message).toMatch(/^service: /);
  });
});

describe('malformed requests answer 4xx, never 5xx', () => {
  const write = () => api().post(`${vsUrl()}?dryRun=true`).set('Sec-Fetch-Site', 'same-origin');

  it('bad percent-encoding → 400', async () => {
    for (const path of ['/api/namespaces/%E0%A4%A/istio/virtualservices', `${vsUrl()}/%ZZ`]) {
      const res = await api().get(path);
      expect(res.status, path).toBe(400);
      expect(errorOf(res).name).toBe('InputError');
    }
  });

  it('an unknown Content-Encoding → 415', async () => {
    const res = await write()
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'bogus')
      .send('{}');
    expect(res.status).toBe(415);
    expect(errorOf(res).message).toMatch(/Content-Encoding/);
  });

  it('a body over the limit → 413', async () => {
    const res = await write()
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
  });

  it('JSON nested 2,000 deep → 400 naming the limit, YAML too', async () => {
    const deep = `${'['.repeat(2000)}${']'.repeat(2000)}`;
    const json = await write().set('Content-Type', 'application/json').send(`{"spec":${deep}}`);
    expect(json.status).toBe(400);
    expect(errorOf(json).message).toMatch(/nested deeper than 64/);
    const yaml = await write().set('Content-Type', 'application/yaml').send(`spec: ${deep}\n`);
    expect(yaml.status).toBe(400);
  });

  it.each([
    'application/json-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
    'text/plain',
  ])('PATCH with %s → 415', async (type) => {
    const res = await api()
      .patch(vsUrl('reviews'))
      .set('Sec-Fetch-Site', 'same-origin')
      .set('Content-Type', type)
      .send(type.includes('json') ? '[]' : 'x: 1');
    expect(res.status).toBe(415);
    expect(errorOf(res).message).toMatch(/application\/merge-patch\+json/);
  });

  it('a POST body of an unsupported media type → 415', async () => {
    const res = await write().set('Content-Type', 'text/plain').send('kind: VirtualService');
    expect(res.status).toBe(415);
  });

  it.each([
    ['hosts as a number', { hosts: 5, http: [] }],
    ['http as a string', { hosts: ['details'], http: 'x' }],
    ['a route that is a number', { hosts: ['details'], http: [{ route: 7 }] }],
    ['match as an object', { hosts: ['details'], http: [{ match: { uri: 1 }, route: [] }] }],
    ['gateways with a null', { hosts: ['details'], gateways: [null], http: [] }],
    ['tcp with strings', { hosts: ['details'], tcp: ['a'] }],
  ])('a VirtualService with %s → 422, not 500', async (_what, spec) => {
    const res = await write().send({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'typed' },
      spec,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
  });

  it.each([
    ['subsets as an object', { host: 'details', subsets: { v1: 1 } }],
    ['a subset name as a number', { host: 'details', subsets: [{ name: 1, labels: 'x' }] }],
    ['trafficPolicy as a string', { host: 'details', trafficPolicy: 'tls' }],
    ['host as an array', { host: ['details'] }],
  ])('a DestinationRule with %s → 422, not 500', async (_what, spec) => {
    const res = await api()
      .post(`/api/namespaces/${NS}/istio/destinationrules?dryRun=true`)
      .set('Sec-Fetch-Site', 'same-origin')
      .send({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'typed' },
        spec,
      });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
  });
});

describe('a rollback that fails too', () => {
  it('says what is left changed and how to undo it, never "nothing was left half written"', async () => {
    // meshlens's own rule for reviews with a stale subset (no workload has version v0) and no v3; a
    // VirtualService on v1. Shifting to v1/v3 adds v3 and prunes `old`: the rule is widened (v1, v2, old,
    // v3), the VirtualService moved, then the rule narrowed.
    await applyYaml(
      stack.kubeconfigPath,
      `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, labels: { app.kubernetes.io/managed-by: meshlens } }
spec:
  host: reviews
  subsets:
    - { name: v1, labels: { version: v1 } }
    - { name: v2, labels: { version: v2 } }
    - { name: old, labels: { version: v0 } }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews, subset: v1 } }] }]
`,
      NS,
    );
    const ruleBefore = await stack.read('DestinationRule', 'reviews');
    // Someone else changes the VirtualService right after the rule is widened (the VS write fails with
    // 409), and the rule too (so restoring the rule fails with 409 as well).
    stack.hook.afterWrite = async (o) => {
      if (o.kind !== 'DestinationRule') return;
      stack.hook.afterWrite = undefined;
      for (const kind of ['VirtualService', 'DestinationRule']) {
        const obj = await stack.read(kind, 'reviews');
        obj.metadata.labels = { ...obj.metadata.labels, 'edited-by': 'someone-else' };
        await stack.k8s.replace(obj as KubernetesObject);
      }
    };
    const res = await api()
      .post(routingUrl('reviews'))
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ trafficShifting: { v1: 50, v3: 50 } });
    stack.hook.afterWrite = undefined;
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    const error = errorOf(res);
    expect(error.message).not.toMatch(/[Nn]othing was left half written/);
    expect(error.message).toMatch(/Left changed: DestinationRule bookinfo\/reviews/);
    expect(error.message).toMatch(/to undo: kubectl -n bookinfo apply -f details.leftChanged\[0\].undo/);
    const details = error.details as { leftChanged: { object: string; undo: { spec: unknown } }[] };
    expect(details.leftChanged.map((l) => l.object)).toEqual(['DestinationRule bookinfo/reviews']);
    // What the error says is left changed is what the cluster holds: the widened rule.
    const subsets = (o: { spec?: unknown }) =>
      ((o.spec as { subsets?: { name: string }[] }).subsets ?? []).map((s) => s.name).sort();
    expect(subsets(await stack.read('DestinationRule', 'reviews'))).toEqual(['old', 'v1', 'v2', 'v3']);
    // The undo the error gives is the rule as it was before the change.
    expect(details.leftChanged[0]?.undo.spec).toEqual(ruleBefore.spec);
  });
});
