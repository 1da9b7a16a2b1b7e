import { IstioConfigResponseSchema, type IstioConfigResponse } from '@meshlens/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchConfig, toConfigList } from './api';

const answer: IstioConfigResponse = IstioConfigResponseSchema.parse({
  namespaces: ['bookinfo', 'team-a'],
  kinds: [
    { plural: 'virtualservices', kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' },
    { plural: 'serviceentries', kind: 'ServiceEntry', apiVersion: 'networking.istio.io/v1' },
  ],
  items: [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'payments', namespace: 'team-a' },
      spec: { hosts: ['api.payments.example.com'] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: { hosts: ['reviews'] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'team-a' },
      spec: { hosts: ['reviews.bookinfo'] },
    },
  ],
  validations: [
    { kind: 'ServiceEntry', namespace: 'team-a', name: 'payments', valid: true, checks: [] },
    { kind: 'VirtualService', namespace: 'team-a', name: 'reviews', valid: true, checks: [] },
    {
      kind: 'VirtualService',
      namespace: 'bookinfo',
      name: 'reviews',
      valid: true,
      checks: [{ code: 'KIA1107', severity: 'warning', message: 'subset not found', path: 'spec/http[0]' }],
    },
  ],
  errors: [{ plural: 'sidecars', kind: 'Sidecar', message: 'sidecars.networking.istio.io is forbidden' }],
});

describe('toConfigList', () => {
  it('gives each row its plural (for the editor link) and its own validation, same name elsewhere apart', () => {
    const list = toConfigList(answer);
    expect(list.items.map((i) => `${i.namespace}/${i.plural}/${i.name}`)).toEqual([
      'bookinfo/virtualservices/reviews',
      'team-a/serviceentries/payments',
      'team-a/virtualservices/reviews',
    ]);
    expect(list.items[0]?.validation?.checks.map((c) => c.code)).toEqual(['KIA1107']);
    expect(list.items[2]?.validation?.checks).toEqual([]);
    expect(list.errors).toEqual(['sidecars: sidecars.networking.istio.io is forbidden']);
  });
});

describe('fetchConfig', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('asks once for every namespace and kind', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(answer), { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    const list = await fetchConfig(['bookinfo', 'team-a', 'travel']);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]).toEqual([
      '/api/istio/config?namespaces=bookinfo%2Cteam-a%2Ctravel',
      expect.anything(),
    ]);
    expect(list.items).toHaveLength(3);
  });
});
