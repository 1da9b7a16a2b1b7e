import { describe, expect, it } from 'vitest';
import { meshConfigFromObjects, sidecarInjected } from './inventory';
import { evaluateHttp } from './evaluate';
import { loadBookinfo } from '../test/fixtures';

describe('meshConfigFromObjects', () => {
  it('turns Bookinfo manifests into services, workloads and Istio config', () => {
    const objects = [
      ...loadBookinfo('bookinfo.yaml'),
      ...loadBookinfo('destination-rule-all.yaml'),
      ...loadBookinfo('virtual-service-reviews-test-v2.yaml'),
      ...loadBookinfo('bookinfo-gateway.yaml'),
    ];
    const m = meshConfigFromObjects(objects);
    expect(m.services.map((s) => s.name).sort()).toEqual(['details', 'productpage', 'ratings', 'reviews']);
    expect(m.services.find((s) => s.name === 'reviews')).toMatchObject({
      ports: [{ port: 9080, name: 'http' }],
      selector: { app: 'reviews' },
    });
    expect(m.workloads?.map((w) => w.name).sort()).toEqual([
      'details-v1',
      'productpage-v1',
      'ratings-v1',
      'reviews-v1',
      'reviews-v2',
      'reviews-v3',
    ]);
    expect(m.workloads?.every((w) => w.sidecar === true)).toBe(true);
    expect([m.virtualServices.length, m.destinationRules.length, m.gateways?.length]).toEqual([2, 4, 1]);
    const o = evaluateHttp(
      m,
      { namespace: 'bookinfo', labels: { app: 'productpage' } },
      { host: 'reviews', path: '/', method: 'GET', headers: { 'end-user': 'jason' } },
      Math.random,
    );
    expect(o).toMatchObject({ kind: 'route', subsetLabels: { version: 'v2' }, clientMtls: true });
  });

  it('reads injection from the pod template and the namespace labels', () => {
    const deploy = (name: string, ns: string, podLabels: Record<string, string> = {}) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: { template: { metadata: { labels: { app: name, ...podLabels } } } },
    });
    const m = meshConfigFromObjects([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'meshed', labels: { 'istio-injection': 'enabled' } },
      },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } },
      deploy('a', 'meshed'),
      deploy('b', 'meshed', { 'sidecar.istio.io/inject': 'false' }),
      deploy('c', 'plain'),
      deploy('d', 'plain', { 'sidecar.istio.io/inject': 'true' }),
    ]);
    expect(Object.fromEntries((m.workloads ?? []).map((w) => [w.name, w.sidecar]))).toEqual({
      a: true,
      b: false,
      c: false,
      d: true,
    });
    expect(sidecarInjected(undefined, undefined)).toBe(true);
    expect(sidecarInjected(undefined, { labels: { 'istio.io/rev': 'canary' } })).toBe(true);
  });
});
