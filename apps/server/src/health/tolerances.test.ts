import { describe, expect, it } from 'vitest';
import { codeMatches, DEFAULT_TOLERANCES, parseToleranceAnnotation, tolerancesFor } from './tolerances';
import { requestHealth as evaluateRequests } from './request';
import { workloadHealth as workloadVerdict } from './workload';

describe('tolerances', () => {
  it('matches codes with X as a digit, regexes, and - for no response', () => {
    expect(codeMatches('5XX', '503')).toBe(true);
    expect(codeMatches('5XX', '403')).toBe(false);
    expect(codeMatches('5XX', '5030')).toBe(false);
    expect(codeMatches('^[1-9]$|^1[0-6]$', '14')).toBe(true);
    expect(codeMatches('^[1-9]$|^1[0-6]$', '0')).toBe(false);
    expect(codeMatches('-', '-')).toBe(true);
  });

  it('parses the meshlens.io/health-rate annotation and rejects garbage', () => {
    expect(parseToleranceAnnotation('5XX,5,20,http;4XX,30,50').tolerances).toEqual([
      { code: '5XX', degraded: 5, failure: 20, protocol: 'http', direction: '.*' },
      { code: '4XX', degraded: 30, failure: 50, protocol: 'http|grpc', direction: '.*' },
    ]);
    expect(parseToleranceAnnotation('5XX,x,20').error).toMatch(/bad tolerance/);
  });

  it('prefers object annotation, then namespace annotation, then config rules, then defaults', () => {
    const rules = [
      {
        namespace: 'shop',
        tolerance: [{ code: '5XX', degraded: 1, failure: 2, protocol: 'http', direction: '.*' }],
      },
    ];
    const base = { namespace: 'shop', kind: 'workload' as const, name: 'cart' };
    expect(
      tolerancesFor({ ...base, objectAnnotations: { 'meshlens.io/health-rate': '5XX,50,60' } }, rules)[0]
        ?.degraded,
    ).toBe(50);
    expect(
      tolerancesFor({ ...base, namespaceAnnotations: { 'meshlens.io/health-rate': '5XX,40,60' } }, rules)[0]
        ?.degraded,
    ).toBe(40);
    expect(tolerancesFor(base, rules)[0]?.failure).toBe(2);
    expect(tolerancesFor({ ...base, namespace: 'other' }, rules)).toBe(DEFAULT_TOLERANCES);
  });
});

describe('request health with Kiali defaults', () => {
  const http = (codes: Record<string, number>) =>
    evaluateRequests(
      { http: new Map(Object.entries(codes)), grpc: new Map() },
      DEFAULT_TOLERANCES,
      'inbound',
    );
  it.each([
    [{ '200': 100 }, 'Healthy'],
    [{ '200': 99.9, '503': 0.1 }, 'Degraded'],
    [{ '200': 90, '503': 10 }, 'Failure'],
    [{ '200': 91, '404': 9 }, 'Healthy'],
    [{ '200': 90, '404': 10 }, 'Degraded'],
    [{ '200': 80, '404': 20 }, 'Failure'],
    [{ '200': 95, '-': 5 }, 'Degraded'],
    [{ '200': 90, '-': 10 }, 'Failure'],
    [{}, 'NoTraffic'],
  ])('%j → %s', (codes, status) => {
    expect(http(codes).status).toBe(status);
  });

  it('grades gRPC statuses 1-16 as errors', () => {
    expect(
      evaluateRequests(
        { http: new Map(), grpc: new Map(Object.entries({ '0': 85, '14': 15 })) },
        DEFAULT_TOLERANCES,
        'inbound',
      ).status,
    ).toBe('Failure');
    expect(
      evaluateRequests(
        { http: new Map(), grpc: new Map(Object.entries({ '0': 99, '5': 1 })) },
        DEFAULT_TOLERANCES,
        'inbound',
      ).status,
    ).toBe('Degraded');
  });

  it('grades workload readiness', () => {
    expect(workloadVerdict({ name: 'a', desired: 0, available: 0 }).status).toBe('NotReady');
    expect(workloadVerdict({ name: 'a', desired: 2, available: 0 }).status).toBe('Failure');
    expect(workloadVerdict({ name: 'a', desired: 2, available: 1 }).status).toBe('Degraded');
    expect(workloadVerdict({ name: 'a', desired: 2, available: 2 }).status).toBe('NoTraffic');
  });
});
