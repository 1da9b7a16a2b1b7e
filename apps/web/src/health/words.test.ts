import { describe, expect, it } from 'vitest';
import { explainHealth, statusRank } from './words';

describe('health in words', () => {
  it('lists the reasons under the status', () => {
    expect(
      explainHealth({
        status: 'Degraded',
        reasons: ['HTTP server errors (5xx): 2 % of inbound requests, degraded above 0 %, failure at 10 %'],
      }),
    ).toBe(
      'Degraded\n• HTTP server errors (5xx): 2 % of inbound requests, degraded above 0 %, failure at 10 %',
    );
  });
  it('says what a plain status means', () => {
    expect(explainHealth({ status: 'Healthy', reasons: [] })).toMatch(/^Healthy: no error rate above/);
    expect(explainHealth({ status: 'NoTraffic', reasons: [] })).toMatch(/^No traffic: no requests/);
  });
  it('ranks worst first', () => {
    expect(statusRank('Failure')).toBeLessThan(statusRank('Degraded'));
    expect(statusRank('Healthy')).toBeLessThan(statusRank('NoTraffic'));
  });
});
