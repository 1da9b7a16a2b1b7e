import { describe, expect, it } from 'vitest';
import { generateScenario } from '../src/scenario/generated';
import { loadScenario, parseScenario, parseScenarioYaml, ScenarioError } from '../src/scenario/load';
import { scenarioObjects } from '../src/scenario/manifests';
import { sample } from './helpers';

const minimal = `
name: tiny
namespaces: [{ name: shop }]
workloads:
  - { name: web-v1, namespace: shop, app: web, calls: [{ to: api, port: 8080 }] }
entry: [{ workload: shop/web-v1, rate: 1 }]
`;

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).issues;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario parsing', () => {
  it('accepts a minimal scenario and fills defaults', () => {
    const s = parseScenarioYaml(minimal);
    expect(s.workloads[0]).toMatchObject({ replicas: 1, errorRate: 0, latency: { median: 10, p99: 50 } });
    expect(s.workloads[0]!.calls[0]).toMatchObject({ perRequest: 1, method: 'GET', forwardHeaders: true });
    expect(s.namespaces[0]!.injection).toBe(true);
  });

  it('names the path of every invalid field', () => {
    const issues = issuesOf(() =>
      parseScenario({
        name: 'bad',
        namespaces: [{ name: 'Shop' }],
        workloads: [
          {
            name: 'web',
            namespace: 'shop',
            app: 'web',
            errorRate: 2,
            latency: { median: 50, p99: 10 },
            calls: [{ to: 'api', port: 'http' }],
          },
        ],
        entry: [{ workload: 'web', rate: -1 }],
      }),
    );
    const text = issues.join('\n');
    expect(text).toMatch(/^namespaces\[0\]\.name: must be a DNS label/m);
    expect(text).toMatch(/^workloads\[0\]\.errorRate: /m);
    expect(text).toMatch(/^workloads\[0\]\.latency\.p99: p99 must be >= median/m);
    expect(text).toMatch(/^workloads\[0\]\.calls\[0\]\.port: /m);
    expect(text).toMatch(/^entry\[0\]\.workload: must be namespace\/name/m);
    expect(text).toMatch(/^entry\[0\]\.rate: /m);
  });

  it('rejects unknown keys and dangling references', () => {
    expect(issuesOf(() => parseScenarioYaml(minimal.replace('app: web,', 'app: web, colour: red,')))).toEqual(
      [expect.stringMatching(/^workloads\[0\]: Unrecognized key: "colour"/)],
    );
    const dangling = minimal
      .replace('workload: shop/web-v1', 'workload: shop/nope')
      .replace('namespace: shop,', 'namespace: store,');
    const issues = issuesOf(() => parseScenarioYaml(dangling));
    expect(issues).toContain('workloads[0].namespace: namespace "store" is not declared in namespaces');
    expect(issues).toContain('entry[0].workload: no workload named "shop/nope" in workloads');
  });

  it('reports YAML syntax errors and unknown scenario names', () => {
    expect(() => parseScenarioYaml('name: [unclosed')).toThrow(/not valid YAML/);
    expect(() => loadScenario('no-such-scenario')).toThrow(
      /cannot read scenario "no-such-scenario" \(built-ins: bookinfo, travels, multicluster, generated\)/,
    );
  });
});

describe('built-in scenarios', () => {
  it('bookinfo applies bookinfo.yaml unchanged in namespace bookinfo, plus the gateway', () => {
    const objects = scenarioObjects(loadScenario('bookinfo'));
    const original = sample('bookinfo.yaml');
    for (const o of original) expect(objects).toContainEqual(o);
    const names = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(names).toContain('Namespace//bookinfo');
    expect(names).toContain('Deployment/istio-system/istio-ingressgateway');
    expect(names).toContain('Service/istio-system/istio-ingressgateway');
    expect(names).toContain('Gateway/bookinfo/bookinfo-gateway');
    expect(names).toContain('VirtualService/bookinfo/bookinfo');
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'bookinfo')!;
    expect(ns.metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    // No second copy of what bookinfo.yaml already defines.
    expect(names.filter((n) => n === 'Deployment/bookinfo/reviews-v2')).toHaveLength(1);
  });

  it('travels: 3+ meshed namespaces, 15+ services, http/grpc/tcp, a ServiceEntry and an unmeshed caller', () => {
    const s = loadScenario('travels');
    const objects = scenarioObjects(s);
    const meshed = s.namespaces.filter((n) => n.injection && n.name !== 'istio-system');
    expect(meshed.length).toBeGreaterThanOrEqual(3);
    expect(objects.filter((o) => o.kind === 'Service').length).toBeGreaterThanOrEqual(15);
    const protocols = new Set(s.services.flatMap((svc) => svc.ports.map((p) => p.protocol)));
    expect([...protocols].sort()).toEqual(['grpc', 'http', 'tcp']);
    const se = objects.find((o) => o.kind === 'ServiceEntry')!;
    expect((se.spec as { location: string }).location).toBe('MESH_EXTERNAL');
    const unmeshed = s.namespaces.filter((n) => !n.injection).map((n) => n.name);
    expect(
      s.entry.some(
        (e) =>
          unmeshed.includes(e.workload.split('/')[0]!) && e.workload !== 'istio-system/istio-ingressgateway',
      ),
    ).toBe(true);
  });

  it('generated: N services over K namespaces, about 5 edges each, the same for the same seed', () => {
    const a = generateScenario({ services: 200, namespaces: 8, seed: 3 });
    const b = generateScenario({ services: 200, namespaces: 8, seed: 3 });
    const c = generateScenario({ services: 200, namespaces: 8, seed: 4 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const s = parseScenario(a);
    expect(s.services.filter((x) => x.namespace.startsWith('ns-'))).toHaveLength(200);
    expect(new Set(s.services.map((x) => x.namespace)).size).toBe(9); // 8 + istio-system
    const edges = new Set(
      s.workloads
        .flatMap((w) => w.calls.map((call) => `${w.app}>${call.to}`))
        .filter((e) => e.startsWith('svc-')),
    );
    expect(edges.size).toBeGreaterThan(200 * 4.5);
    expect(edges.size).toBeLessThanOrEqual(200 * 5);
  });
});
