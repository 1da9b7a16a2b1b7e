import { expect, test } from '@playwright/test';
import { bookinfoObjects, Kube } from '../support/kube';
import type { KubeObject } from '../support/kube';
import { resetIstioConfig } from '../support/mesh';

/**
 * The ground every other spec stands on: resetIstioConfig puts the cluster's Istio config back as the
 * scenario created it, whatever was added, changed or deleted, of any kind and in any namespace.
 */
const names = async (kube: Kube) => {
  const out: string[] = [];
  for (const kind of await kube.istioKinds())
    for (const o of await kube.list(kind)) out.push(`${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
  return out.sort();
};

test.afterAll(async () => {
  await resetIstioConfig();
});

test('resetIstioConfig removes what was added, restores what was changed or deleted', async () => {
  const kube = new Kube();
  await resetIstioConfig();
  const scenario = await names(kube);
  expect(scenario).toEqual(['Gateway bookinfo/bookinfo-gateway', 'VirtualService bookinfo/bookinfo']);

  // added: routing in bookinfo, and a mesh-wide policy in istio-system
  for (const dr of bookinfoObjects('destination-rule-all.yaml')) await kube.apply(dr, 'bookinfo');
  for (const vs of bookinfoObjects('virtual-service-all-v1.yaml')) await kube.apply(vs, 'bookinfo');
  const strictMtls: KubeObject = {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default' },
    spec: { mtls: { mode: 'STRICT' } },
  };
  await kube.apply(strictMtls, 'istio-system');
  // changed: the gateway's VirtualService sends everything to details; deleted: the Gateway
  const [gateway, entry] = bookinfoObjects('bookinfo-gateway.yaml') as [KubeObject, KubeObject];
  const spec = entry.spec as { http: { route: { destination: { host: string } }[] }[] };
  await kube.apply(
    {
      ...entry,
      spec: { ...spec, http: [{ route: [{ destination: { host: 'details', port: { number: 9080 } } }] }] },
    },
    'bookinfo',
  );
  await kube.delete(gateway, 'bookinfo');
  expect(await names(kube)).toContain('PeerAuthentication istio-system/default');
  expect(await names(kube)).not.toContain('Gateway bookinfo/bookinfo-gateway');

  await resetIstioConfig();
  expect(await names(kube)).toEqual(scenario);
  const [vsKind] = (await kube.istioKinds()).filter((k) => k.kind === 'VirtualService');
  const [restored] = (await kube.list(vsKind!, 'bookinfo')).filter((o) => o.metadata.name === 'bookinfo');
  expect(restored?.spec).toEqual(entry.spec);
});
