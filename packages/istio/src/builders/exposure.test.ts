/** Exposure through a Gateway, and delete routing, over Bookinfo. */
import { describe, expect, it } from 'vitest';
import type { VirtualService } from '../model';
import { evaluateHttp } from '../evaluate';
import { mulberry32 } from '../random';
import { withObject } from '../validation/mesh';
import { bookinfoMesh, get, type K8sObject } from '../../test/fixtures';
import { ingressWorkload } from '../../test/validationFixtures';
import { applied, build, expectValid, intentErrorOf } from '../../test/builderFixtures';

describe('gateway', () => {
  const withIngress = (files: string[]) => {
    const m = bookinfoMesh(files);
    return { ...m, workloads: [...(m.workloads ?? []), ingressWorkload] };
  };

  it("the Gateway wizard's defaults (create, host '*', keep routing the mesh) are accepted", () => {
    const mesh = withIngress([]);
    const plan = build(
      { gateway: { create: { port: 80, hosts: ['*'] }, includeMesh: true } },
      mesh,
      'details',
    );
    expect(plan.gateway?.spec.servers?.[0]?.hosts).toEqual(['*']);
    expect(plan.virtualService?.spec).toMatchObject({
      hosts: ['details'],
      gateways: ['bookinfo/details-gateway', 'mesh'],
    });
    expectValid(mesh, plan);
  });

  it('creates a Gateway and binds the VirtualService to it and to the mesh', () => {
    const mesh = withIngress([]);
    const plan = build(
      { trafficShifting: { v1: 100 }, gateway: { create: { port: 8080, hosts: ['reviews.example.com'] } } },
      mesh,
    );
    expect(plan.gateway?.metadata).toMatchObject({
      name: 'reviews-gateway',
      labels: { 'meshlens.io/wizard': 'gateway' },
    });
    expect(plan.gateway?.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 8080, name: 'http-8080', protocol: 'HTTP' }, hosts: ['reviews.example.com'] },
      ],
    });
    expect(plan.virtualService?.spec.gateways).toEqual(['bookinfo/reviews-gateway', 'mesh']);
    expect(plan.virtualService?.spec.hosts).toEqual(['reviews', 'reviews.example.com']);
    const after = expectValid(mesh, plan);
    const atGateway = evaluateHttp(
      after,
      { namespace: 'istio-system', labels: ingressWorkload.labels, gateways: ['bookinfo/reviews-gateway'] },
      get('reviews.example.com', '/'),
      mulberry32(3),
    );
    expect(atGateway.kind === 'route' && atGateway.destination.subset).toBe('v1');
  });

  it('attaches to bookinfo-gateway; keeps * out of a mesh-bound VirtualService; refuses a missing gateway', () => {
    const mesh = withIngress(['bookinfo-gateway.yaml']);
    const plan = build(
      { gateway: { attach: { namespace: 'bookinfo', name: 'bookinfo-gateway' }, includeMesh: false } },
      mesh,
      'productpage',
    );
    expect(plan.virtualService?.spec.gateways).toEqual(['bookinfo/bookinfo-gateway']);
    expect(plan.virtualService?.spec.hosts).toEqual(['productpage', '*']);
    expectValid(mesh, plan);
    // Keeping the mesh's routing (the default), the gateway's '*' stays out of the VirtualService's hosts:
    // bound to the mesh too, it would capture the traffic to every service.
    const both = build(
      { gateway: { attach: { namespace: 'bookinfo', name: 'bookinfo-gateway' } } },
      mesh,
      'productpage',
    );
    expect(both.virtualService?.spec.gateways).toEqual(['bookinfo/bookinfo-gateway', 'mesh']);
    expect(both.virtualService?.spec.hosts).toEqual(['productpage']);
    const afterBoth = expectValid(mesh, both);
    const viaGateway = evaluateHttp(
      afterBoth,
      { namespace: 'istio-system', labels: ingressWorkload.labels, gateways: ['bookinfo/bookinfo-gateway'] },
      get('productpage.bookinfo.svc.cluster.local', '/productpage'),
      mulberry32(3),
    );
    expect(viaGateway.kind === 'route' && viaGateway.destination.host).toBe(
      'productpage.bookinfo.svc.cluster.local',
    );
    // Asked for explicitly, '*' with the mesh is refused, in the words of the form.
    const wild = intentErrorOf(() =>
      build(
        { gateway: { attach: { namespace: 'bookinfo', name: 'bookinfo-gateway' }, hosts: ['*'] } },
        mesh,
        'productpage',
      ),
    );
    expect(wild.causes[0]).toMatchObject({ path: 'gateway/hosts', code: 'ML2003' });
    expect(wild.causes[0]?.message).not.toMatch(/includeMesh|gateway\.hosts/);
    const missing = intentErrorOf(() =>
      build({ gateway: { attach: { namespace: 'bookinfo', name: 'nope' } } }, mesh),
    );
    expect(missing.causes[0]).toMatchObject({ path: 'gateway/attach', code: 'KIA1102' });
  });
});

describe('delete routing', () => {
  it('deletes meshlens objects (VirtualService first) and reports hand-written ones', () => {
    const base = bookinfoMesh(['virtual-service-ratings-test-abort.yaml', 'destination-rule-all.yaml']);
    const mesh = withObject(
      base,
      build({ trafficShifting: { v1: 80, v2: 20 } }, base).virtualService as VirtualService,
    );
    const dr = build({ trafficShifting: { v1: 80, v2: 20 } }, base).destinationRule;
    expect(dr).toBeUndefined(); // the hand-written rule already had the subsets
    const reviews = build({ deleteRouting: {} }, mesh);
    expect(reviews.deletes.map((d) => `${d.kind} ${d.name}`)).toEqual(['VirtualService reviews']);
    expect(reviews.kept.map((k) => `${k.kind} ${k.name}`)).toEqual(['DestinationRule reviews']);

    const owned = bookinfoMesh([]);
    const built = build({ trafficShifting: { v1: 80, v2: 20 } }, owned);
    const after = applied(owned, built);
    const del = build({ deleteRouting: {} }, after);
    expect(del.deletes.map((d) => `${d.kind} ${d.name}`)).toEqual([
      'VirtualService reviews',
      'DestinationRule reviews',
    ]);

    const ratings = build({ deleteRouting: {} }, mesh, 'ratings');
    expect(ratings.deletes).toEqual([]);
    expect(ratings.kept.map((k) => k.kind).sort()).toEqual(['DestinationRule', 'VirtualService']);
    expect(ratings.kept.every((k) => k.handWritten === true)).toBe(true);
    const forced = build({ deleteRouting: { includeHandWritten: true } }, mesh, 'ratings');
    expect(forced.deletes.map((d) => d.kind)).toEqual(['VirtualService', 'DestinationRule']);
  });

  it('keeps a DestinationRule whose subsets another VirtualService still uses', () => {
    const owned = bookinfoMesh([]);
    const after = applied(owned, build({ trafficShifting: { v1: 80, v2: 20 } }, owned));
    const other: K8sObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews-from-front', namespace: 'front' },
      spec: {
        hosts: ['reviews.bookinfo.svc.cluster.local'],
        http: [{ route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' } }] }],
      },
    };
    const del = build({ deleteRouting: {} }, withObject(after, other as unknown as VirtualService));
    expect(del.deletes.map((d) => d.kind)).toEqual(['VirtualService']);
    expect(del.kept[0]?.reason).toContain('front/reviews-from-front');
    expect(del.kept[0]?.handWritten).toBeUndefined();
  });
});
