import { describe, expect, it } from 'vitest';
import {
  codeRates,
  combine,
  DEFAULT_TOLERANCES,
  missingSidecar,
  requestHealth,
  tolerancesFor,
  trafficHealth,
  verdictText,
  workloadHealth,
  type Verdict,
} from './index';

describe('workload states (Kiali)', () => {
  it.each([
    [{ name: 'w', desired: 0, available: 0 }, 'NotReady', ['w: scaled to 0']],
    [{ name: 'w', desired: 3, available: 0 }, 'Failure', ['w: no pod available of 3']],
    [{ name: 'w', desired: 3, available: 2 }, 'Degraded', ['w: 2 of 3 pods available']],
    [{ name: 'w', desired: 3, available: 3 }, 'NoTraffic', []],
    // Without a replica count (bare pods, …) the pods' readiness decides.
    [{ name: 'w', pods: 2, podsReady: 0 }, 'Failure', ['w: none of 2 pods ready']],
    [{ name: 'w', pods: 1, podsReady: 0 }, 'Failure', ['w: none of 1 pod ready']],
    [{ name: 'w', pods: 3, podsReady: 1 }, 'Degraded', ['w: 1 of 3 pods ready']],
    [{ name: 'w', pods: 3, podsReady: 3 }, 'NoTraffic', []],
    [{ name: 'w' }, 'NoTraffic', []],
  ])('%j → %s', (w, status, reasons) => {
    expect(workloadHealth(w)).toEqual({ status, reasons });
  });

  it('says when pods run without a sidecar, but not for gateways, and never changes the status for it', () => {
    const w = { name: 'legacy', desired: 2, available: 2, pods: 2, podsWithSidecar: 1 };
    expect(missingSidecar(w)).toBe('legacy: 1 of 2 pods without an istio-proxy sidecar (outside the mesh)');
    expect(workloadHealth(w).status).toBe('NoTraffic');
    expect(missingSidecar({ ...w, podsWithSidecar: 2 })).toBeUndefined();
    expect(missingSidecar({ ...w, podsWithSidecar: 0, isGateway: true })).toBeUndefined();
  });
});

describe('combine', () => {
  const v = (status: Verdict['status'], ...reasons: string[]): Verdict => ({ status, reasons });
  it('keeps the worst status, Failure > Degraded > NotReady > Healthy > NoTraffic', () => {
    expect(combine(v('Healthy'), v('Degraded', 'a'), v('NotReady', 'b')).status).toBe('Degraded');
    expect(combine(v('NoTraffic'), v('NotReady', 'b')).status).toBe('NotReady');
    expect(combine(v('Failure', 'x'), v('Degraded', 'y')).status).toBe('Failure');
    expect(combine(v('NoTraffic'), v('Healthy')).status).toBe('Healthy');
    expect(combine().status).toBe('NoTraffic');
  });
  it('carries the reasons of every verdict of that status, first one first', () => {
    expect(combine(v('Degraded', 'req'), v('Healthy'), v('Degraded', 'pods')).reasons).toEqual([
      'req',
      'pods',
    ]);
    expect(verdictText(combine(v('Failure', 'no pod'), v('Degraded', 'x')))).toBe('Failure: no pod');
    expect(verdictText(v('Healthy'))).toBe('Healthy');
  });
});

describe('request health: the Kiali tolerance table, overrides and directions', () => {
  it('grades the boundary values of each default tolerance', () => {
    const grade = (http: Record<string, number>, grpc: Record<string, number> = {}) =>
      requestHealth(codeRates(http, grpc), DEFAULT_TOLERANCES, 'inbound').status;
    expect(grade({ '200': 100 })).toBe('Healthy');
    expect(grade({ '200': 999, '500': 1 })).toBe('Degraded'); // any 5xx
    expect(grade({ '200': 90.01, '500': 9.99 })).toBe('Degraded');
    expect(grade({ '200': 90, '500': 10 })).toBe('Failure'); // 5xx at 10 %
    expect(grade({ '200': 90.01, '404': 9.99 })).toBe('Healthy'); // 4xx below 10 %
    expect(grade({ '200': 80.01, '404': 19.99 })).toBe('Degraded');
    expect(grade({ '200': 80, '404': 20 })).toBe('Failure');
    expect(grade({}, { '0': 90, '2': 10 })).toBe('Failure');
    expect(grade({}, { '0': 100 })).toBe('Healthy');
    expect(grade({ '0': 0 })).toBe('NoTraffic');
  });

  it('applies a namespace annotation override, and a config rule limited to one direction', () => {
    const lenient = tolerancesFor(
      {
        namespace: 'shop',
        kind: 'service',
        name: 'cart',
        namespaceAnnotations: { 'meshlens.io/health-rate': '5XX,20,50' },
      },
      [],
    );
    const rates = codeRates({ '200': 85, '503': 15 });
    expect(requestHealth(rates, DEFAULT_TOLERANCES, 'inbound').status).toBe('Failure');
    expect(requestHealth(rates, lenient, 'inbound').status).toBe('Healthy');
    const inboundOnly = tolerancesFor({ namespace: 'shop', kind: 'service', name: 'cart' }, [
      {
        kind: 'service',
        tolerance: [{ code: '5XX', degraded: 1, failure: 5, protocol: 'http', direction: 'inbound' }],
      },
    ]);
    expect(requestHealth(rates, inboundOnly, 'inbound').reasons).toEqual([
      'HTTP server errors (5xx): 15 % of inbound requests, failure at 5 %',
    ]);
    expect(requestHealth(rates, inboundOnly, 'outbound').status).toBe('Healthy');
  });

  it('grades an entity on inbound requests when it has some, else outbound, and TCP-only as Healthy', () => {
    const bad = codeRates({ '200': 50, '500': 50 });
    const good = codeRates({ '200': 10 });
    expect(trafficHealth({ inbound: good, outbound: bad }, DEFAULT_TOLERANCES).status).toBe('Healthy');
    expect(trafficHealth({ outbound: bad }, DEFAULT_TOLERANCES).reasons[0]).toMatch(/of outbound requests/);
    expect(trafficHealth({ tcpBytesPerSecond: 100 }, DEFAULT_TOLERANCES).status).toBe('Healthy');
    expect(trafficHealth({}, DEFAULT_TOLERANCES).status).toBe('NoTraffic');
  });
});
