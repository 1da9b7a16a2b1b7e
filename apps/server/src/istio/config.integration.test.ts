/**
 * `GET /api/istio/config` on the real app against the real demo cluster: objects of several kinds in the
 * selected namespaces only, validations with Kiali's codes, read-after-write, 400s naming the parameter,
 * and the number of list calls the API server receives per answer (one per kind, never per namespace).
 */
import { IstioConfigResponseSchema, ErrorBodySchema } from '@meshlens/contract';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS, startIstioStack, type IstioStack, SAME_ORIGIN } from '../../test/istioStack';

const PLURALS =
  /^GET \/apis\/[^/]+\/[^/]+\/(?:namespaces\/[^/]+\/)?(virtualservices|destinationrules|gateways|serviceentries|sidecars|peerauthentications|authorizationpolicies|requestauthentications|envoyfilters|workloadentries)(?:\?|$)/;

let stack: IstioStack;
const lines: string[] = [];
/** List requests of the listed kinds the demo cluster received (watches excluded). */
const lists = () => lines.filter((l) => PLURALS.test(l) && !/[?&]watch=(true|1)/.test(l));

const obj = (apiVersion: string, kind: string, namespace: string, name: string, spec: unknown) => ({
  apiVersion,
  kind,
  metadata: { name, namespace },
  spec,
});
const NET = 'networking.istio.io/v1';
const SEC = 'security.istio.io/v1';

beforeAll(async () => {
  stack = await startIstioStack({ log: (line) => lines.push(line) });
  for (const name of ['team-a', 'team-z'])
    await stack.k8s.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  // Written as "someone else" would (kubectl): the console itself refuses a VirtualService naming a
  // subset that no DestinationRule defines.
  const objects = [
    obj(NET, 'DestinationRule', NS, 'reviews', {
      host: 'reviews',
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    }),
    obj(NET, 'VirtualService', NS, 'reviews', {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v9' } }] }],
    }),
    obj(NET, 'Gateway', 'team-a', 'edge', {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    }),
    obj(NET, 'ServiceEntry', 'team-a', 'payments-api', {
      hosts: ['api.payments.example.com'],
      ports: [{ number: 443, name: 'https', protocol: 'TLS' }],
      resolution: 'DNS',
      location: 'MESH_EXTERNAL',
    }),
    obj(NET, 'Sidecar', 'team-a', 'default', { egress: [{ hosts: ['./*', 'istio-system/*'] }] }),
    obj(SEC, 'AuthorizationPolicy', 'team-a', 'deny-all', {}),
    obj(NET, 'VirtualService', 'team-z', 'hidden', {
      hosts: ['hidden'],
      http: [{ route: [{ destination: { host: 'hidden' } }] }],
    }),
    obj(SEC, 'PeerAuthentication', 'team-z', 'strict', { mtls: { mode: 'STRICT' } }),
  ];
  for (const o of objects) await stack.k8s.create(o);
});
afterAll(async () => {
  await stack?.close();
});

const getConfig = (query: string) => request(stack.app).get(`/api/istio/config?${query}`);

describe('GET /api/istio/config', () => {
  it('lists the objects of every kind in the selected namespaces only, with their validations', async () => {
    const res = await getConfig(`namespaces=team-a,${NS}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = IstioConfigResponseSchema.parse(res.body);
    expect(body.namespaces).toEqual([NS, 'team-a']);
    expect(body.errors).toEqual([]);
    expect(body.kinds.map((k) => k.plural)).toContain('workloadentries');
    expect(body.items.map((o) => `${o.metadata.namespace}/${o.kind}/${o.metadata.name}`)).toEqual([
      `${NS}/DestinationRule/reviews`,
      `${NS}/VirtualService/reviews`,
      'team-a/AuthorizationPolicy/deny-all',
      'team-a/Gateway/edge',
      'team-a/ServiceEntry/payments-api',
      'team-a/Sidecar/default',
    ]);
    expect(body.items.find((o) => o.kind === 'Sidecar')?.spec).toEqual({
      egress: [{ hosts: ['./*', 'istio-system/*'] }],
    });
    // One validation per item, in the same order.
    expect(body.validations.map((v) => `${v.namespace}/${v.kind}/${v.name}`)).toEqual(
      body.items.map((o) => `${o.metadata.namespace}/${o.kind}/${o.metadata.name}`),
    );
    const vs = body.validations.find((v) => v.kind === 'VirtualService');
    expect(vs?.checks).toContainEqual(
      expect.objectContaining({ code: 'KIA1107', path: 'spec/http[0]/route[0]/destination/subset' }),
    );
    expect(body.validations.find((v) => v.kind === 'DestinationRule')?.checks ?? []).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
  });

  it('validates each object as the per-kind list does', async () => {
    const body = IstioConfigResponseSchema.parse((await getConfig(`namespaces=team-a,${NS}`)).body);
    for (const { plural, kind } of body.kinds) {
      for (const ns of [NS, 'team-a']) {
        const one = await request(stack.app).get(`/api/namespaces/${ns}/istio/${plural}`);
        expect(one.status).toBe(200);
        const mine = body.validations.filter((v) => v.kind === kind && v.namespace === ns);
        expect(mine, `${plural} in ${ns}`).toEqual(one.body.validations);
      }
    }
  });

  it('asks the API server for one list per kind, whatever the number of namespaces', async () => {
    lines.length = 0;
    const three = await getConfig(`namespaces=${NS},team-a,team-z`);
    expect(three.status).toBe(200);
    expect(three.body.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toContain('hidden');
    const calls = lists();
    // 10 kinds × 3 namespaces would be 30 namespaced lists: here 10 cluster-wide ones.
    expect(calls).toHaveLength(10);
    expect(calls.filter((l) => l.includes('/namespaces/'))).toEqual([]);
    expect(new Set(calls.map((l) => PLURALS.exec(l)?.[1])).size).toBe(10);

    lines.length = 0;
    const some = await getConfig(`namespaces=${NS},team-a&kinds=gateways,virtualservices`);
    expect(some.status).toBe(200);
    expect(some.body.kinds.map((k: { plural: string }) => k.plural)).toEqual(['virtualservices', 'gateways']);
    expect(some.body.items.map((o: { kind: string }) => o.kind).sort()).toEqual([
      'Gateway',
      'VirtualService',
    ]);
    expect(lists()).toHaveLength(2);

    // One namespace: its own lists (smaller), still one per kind.
    lines.length = 0;
    const one = await getConfig('namespaces=team-z');
    expect(one.body.items.map((o: { metadata: { name: string } }) => o.metadata.name).sort()).toEqual([
      'hidden',
      'strict',
    ]);
    expect(lists()).toHaveLength(10);
    expect(lists().every((l) => l.includes('/namespaces/team-z/'))).toBe(true);
  });

  it('shows an object written through the console on the very next answer', async () => {
    const created = await request(stack.app)
      .post('/api/namespaces/team-a/istio/destinationrules')
      .set(SAME_ORIGIN)
      .send(obj(NET, 'DestinationRule', 'team-a', 'details', { host: `details.${NS}.svc.cluster.local` }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const res = await getConfig('namespaces=team-a&kinds=destinationrules');
    expect(res.body.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual(['details']);
    const deleted = await request(stack.app)
      .delete('/api/namespaces/team-a/istio/destinationrules/details')
      .set(SAME_ORIGIN);
    expect(deleted.status).toBe(200);
    expect((await getConfig('namespaces=team-a&kinds=destinationrules')).body.items).toEqual([]);
  });

  it('400 naming the parameter for a bad or missing namespaces, an unknown kind or parameter', async () => {
    const cases: [string, RegExp][] = [
      ['namespaces=bookinfo,Bad_NS', /^namespaces: not a DNS label .*"Bad_NS"/],
      ['', /^namespaces: required/],
      ['namespaces=', /^namespaces: at least one namespace is required/],
      ['namespaces=a&kinds=widgets', /^kinds: expected a comma list of .*"widgets"/],
      ['namespaces=a&validate=true', /^validate: unknown query parameter/],
    ];
    for (const [query, message] of cases) {
      const res = await getConfig(query);
      expect(res.status, query).toBe(400);
      expect(ErrorBodySchema.parse(res.body).error.message, query).toMatch(message);
    }
  });

  it('leaves out a kind whose CRD the cluster does not have, without an error', async () => {
    await stack.k8s.delete({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'envoyfilters.networking.istio.io' },
    });
    const res = await getConfig(`namespaces=${NS},team-a`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.kinds.map((k: { plural: string }) => k.plural)).not.toContain('envoyfilters');
    expect(res.body.kinds).toHaveLength(9);
    expect(res.body.items).toHaveLength(6);
  });
});
