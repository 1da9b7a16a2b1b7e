import { describe, expect, it } from 'vitest';
import type { Span } from '@meshlens/contract';
import { pathMatcher, tracePath, type PathNode } from './path';

const span = (
  spanId: string,
  parentId: string | null,
  kind: Span['kind'],
  app: string | undefined,
  version?: string,
  namespace = 'bookinfo',
): Span => ({
  spanId,
  parentId,
  service: app ? `${app}.${namespace}` : '',
  ...(app ? { app, namespace } : {}),
  kind,
  operation: spanId,
  startUs: 0,
  durationUs: 1,
  error: false,
  tags: version ? { 'istio.canonical_revision': version } : {},
});

// gateway → productpage v1 → reviews v2 → ratings v1, as Envoy records it: a client span in the caller's
// proxy, the callee's server span under it. A span of a namespace the user may not read has no app.
const spans: Span[] = [
  span('gw-s', null, 'server', 'istio-ingressgateway', undefined, 'istio-system'),
  span('gw-c', 'gw-s', 'client', 'istio-ingressgateway', undefined, 'istio-system'),
  span('pp-s', 'gw-c', 'server', 'productpage', 'v1'),
  span('pp-c', 'pp-s', 'client', 'productpage', 'v1'),
  span('rv-s', 'pp-c', 'server', 'reviews', 'v2'),
  span('rv-c', 'rv-s', 'client', 'reviews', 'v2'),
  span('ra-s', 'rv-c', 'server', 'ratings', 'v1'),
  span('hidden-s', 'rv-c', 'server', undefined),
];

const node = (nodeType: string, app: string, version = '', namespace = 'bookinfo'): PathNode => ({
  nodeType,
  namespace,
  app: nodeType === 'service' ? '' : app,
  version,
  service: nodeType === 'service' ? app : '',
});

describe('tracePath', () => {
  it('has every proxy the trace passed and each call from a client span to its server span', () => {
    const p = tracePath(spans);
    expect(p.stops.map((s) => `${s.app}/${s.version ?? ''}`).sort()).toEqual([
      'istio-ingressgateway/',
      'productpage/v1',
      'ratings/v1',
      'reviews/v2',
    ]);
    expect(p.hops.map((h) => `${h.from.app}>${h.to.app}/${h.to.version ?? ''}`).sort()).toEqual([
      'istio-ingressgateway>productpage/v1',
      'productpage>reviews/v2',
      'reviews>ratings/v1',
    ]);
  });
});

describe('pathMatcher', () => {
  const m = pathMatcher(tracePath(spans));
  const pp = node('versionedApp', 'productpage', 'v1');
  const reviewsSvc = node('service', 'reviews');
  const v1 = node('versionedApp', 'reviews', 'v1');
  const v2 = node('versionedApp', 'reviews', 'v2');

  it('marks the versions the trace went through, and not the others', () => {
    expect(m.node(v2)).toBe(true);
    expect(m.node(v1)).toBe(false);
    expect(m.node(reviewsSvc)).toBe(true);
    expect(m.node(node('versionedApp', 'details', 'v1'))).toBe(false);
    expect(m.node(node('versionedApp', 'reviews', 'v2', 'other'))).toBe(false);
  });

  it('marks the edges of each call: caller to service, service to the version that served it', () => {
    expect(m.edge(pp, reviewsSvc)).toBe(true);
    expect(m.edge(reviewsSvc, v2)).toBe(true);
    expect(m.edge(reviewsSvc, v1)).toBe(false);
    // an app graph without service nodes: the caller straight to the version
    expect(m.edge(pp, v2)).toBe(true);
    expect(m.edge(pp, v1)).toBe(false);
    // both ends on the path, but no call between them in this trace
    expect(m.edge(pp, node('versionedApp', 'ratings', 'v1'))).toBe(false);
    expect(m.edge(node('versionedApp', 'details', 'v1'), node('service', 'ratings'))).toBe(false);
  });
});
