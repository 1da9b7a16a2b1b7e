import { describe, expect, it } from 'vitest';
import { requestHealth as evaluateRequests } from './request';
import { describeCodes, percentText, requestHealthReason } from './reason';
import { DEFAULT_TOLERANCES, type Tolerance } from './tolerances';

const rates = (http: Record<string, number>, grpc: Record<string, number> = {}) => ({
  http: new Map(Object.entries(http)),
  grpc: new Map(Object.entries(grpc)),
});

describe('health reasons in words', () => {
  it('describes the default tolerances code classes without regular expressions', () => {
    expect(DEFAULT_TOLERANCES.map((t) => describeCodes(t.code, t.protocol.split('|')[0]!))).toEqual([
      'HTTP server errors (5xx)',
      'HTTP client errors (4xx)',
      'gRPC errors (status 1–16)',
      'HTTP requests without a response',
    ]);
    expect(describeCodes('-', 'grpc')).toBe('gRPC requests without a response');
    expect(describeCodes('503', 'http')).toBe('HTTP status 503');
    expect(describeCodes('50[0-3]|504', 'http')).toBe('HTTP status 500–504');
    expect(describeCodes('^(4|14)$', 'grpc')).toBe('gRPC status 4, 14');
    expect(describeCodes('^[45]\\d\\d$', 'http')).toBe('HTTP errors (4xx and 5xx)');
  });

  it('quotes a pattern that matches none of the protocol codes rather than guessing', () => {
    expect(describeCodes('9XX', 'http')).toBe('HTTP responses matching "9XX"');
  });

  it('says the gRPC verdict of the travels flights service in words', () => {
    // 0.2 % of inbound gRPC calls end with status 14 (UNAVAILABLE): degraded under the defaults
    const v = evaluateRequests(rates({}, { '0': 99.8, '14': 0.2 }), DEFAULT_TOLERANCES, 'inbound');
    expect(v.status).toBe('Degraded');
    expect(v.reasons).toEqual([
      'gRPC errors (status 1–16): 0.2 % of inbound requests, degraded above 0 %, failure at 10 %',
    ]);
    expect(v.reasons.join()).not.toMatch(/[\^$|[\]\\]/);
  });

  it('names the threshold that was crossed, the direction and the protocol', () => {
    const failing = evaluateRequests(rates({ '200': 75, '503': 25 }), DEFAULT_TOLERANCES, 'inbound');
    expect(failing).toEqual({
      status: 'Failure',
      reasons: ['HTTP server errors (5xx): 25 % of inbound requests, failure at 10 %'],
    });
    const clientErrors = evaluateRequests(rates({ '200': 88, '404': 12 }), DEFAULT_TOLERANCES, 'outbound');
    expect(clientErrors).toEqual({
      status: 'Degraded',
      reasons: ['HTTP client errors (4xx): 12 % of outbound requests, degraded at 10 %, failure at 20 %'],
    });
    const noResponse = evaluateRequests(rates({ '200': 95, '-': 5 }), DEFAULT_TOLERANCES, 'inbound');
    expect(noResponse.reasons).toEqual([
      'HTTP requests without a response: 5 % of inbound requests, degraded above 0 %, failure at 10 %',
    ]);
  });

  it('follows a configured tolerance (its own thresholds and codes)', () => {
    const t: Tolerance = { code: '503', degraded: 2.5, failure: 30, protocol: 'http', direction: '.*' };
    expect(requestHealthReason(t, 'http', 'inbound', 4.04, 'Degraded')).toBe(
      'HTTP status 503: 4 % of inbound requests, degraded at 2.5 %, failure at 30 %',
    );
    expect(percentText(0.04)).toBe('< 0.1 %');
    expect(percentText(100)).toBe('100 %');
  });
});
