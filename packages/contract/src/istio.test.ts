import { describe, expect, it } from 'vitest';
import { DryRunQuerySchema, RoutingIntentSchema } from './istio';

const issues = (input: unknown) => {
  const r = RoutingIntentSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('/')}: ${i.message}`);
};

describe('RoutingIntentSchema', () => {
  it('accepts the DESIGN.md shorthand and the full form alike', () => {
    const short = RoutingIntentSchema.parse({ trafficShifting: { v1: 80, v2: 20 } });
    const full = RoutingIntentSchema.parse({ trafficShifting: { weights: { v1: 80, v2: 20 } } });
    expect(short.trafficShifting?.weights).toEqual({ v1: 80, v2: 20 });
    expect(full.trafficShifting?.weights).toEqual(short.trafficShifting?.weights);
  });

  it('refuses weights that do not sum to 100, fractional or string weights, and empty intents', () => {
    expect(issues({ trafficShifting: { weights: { v1: 80, v2: 30 } } }).join()).toContain('sum to 100');
    expect(issues({ trafficShifting: { weights: { v1: 50.5, v2: 49.5 } } }).join()).toContain('integer');
    expect(issues({ trafficShifting: { weights: { v1: '100' } } }).length).toBeGreaterThan(0);
    expect(issues({}).join()).toContain('name an intent');
  });

  it('allows one way of routing, and deleteRouting alone', () => {
    expect(issues({ trafficShifting: { v1: 100 }, requestRouting: { rules: [] } }).join()).toContain(
      'requestRouting: use one of',
    );
    expect(
      issues({ deleteRouting: {}, faultInjection: { abort: { httpStatus: 503, percentage: 5 } } }).join(),
    ).toContain('deleteRouting: deleteRouting cannot be combined');
    expect(
      issues({
        requestRouting: {
          rules: [
            {
              match: [{ headers: { 'end-user': { exact: 'a', prefix: 'b' } } }],
              route: [{ version: 'v1', weight: 100 }],
            },
          ],
        },
      }).join(),
    ).toContain('requestRouting/rules/0/match/0/headers/end-user: set exactly one');
    expect(
      issues({ faultInjection: { delay: { fixedDelay: '7 seconds', percentage: 10 } } }).join(),
    ).toContain('faultInjection/delay/fixedDelay');
  });

  it('dryRun query: true/All mean dry run', () => {
    expect(DryRunQuerySchema.parse({ dryRun: 'true' }).dryRun).toBe(true);
    expect(DryRunQuerySchema.parse({ dryRun: 'All' }).dryRun).toBe(true);
    expect(DryRunQuerySchema.parse({}).dryRun).toBe(false);
    expect(DryRunQuerySchema.safeParse({ dryRun: 'maybe' }).success).toBe(false);
  });
});
