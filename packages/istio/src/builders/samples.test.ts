/**
 * Traffic shifting over every Bookinfo sample that routes a Bookinfo service: the sample's match rules
 * stay first and unchanged, the objects pass the validations, and requests that match none of the
 * user's rules follow the new weights (evaluator, seeded draws).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HTTPRoute, VirtualService } from '../model';
import { evaluateHttp } from '../evaluate';
import { isCatchAllRule } from '../match';
import { mulberry32 } from '../random';
import { BOOKINFO_DIR, bookinfoMesh, get, loadBookinfo, productpage } from '../../test/fixtures';
import { build, expectValid } from '../../test/builderFixtures';

const SERVICES: Record<string, Record<string, number>> = {
  reviews: { v1: 50, v3: 50 },
  ratings: { v1: 100 },
  details: { v1: 100 },
  productpage: { v1: 100 },
};

const cases = readdirSync(BOOKINFO_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    loadBookinfo(file)
      .filter((o) => o.kind === 'VirtualService')
      .flatMap((o) =>
        ((o.spec.hosts ?? []) as string[])
          .filter((h) => h in SERVICES)
          .map((service) => ({ file, service, vs: o })),
      ),
  );

describe('traffic shifting over every Bookinfo sample', () => {
  it('covers the samples that route a Bookinfo service', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases.map((c) => [`${c.file} (${c.service})`, c] as const))(
    '%s',
    (_name, { file, service, vs }) => {
      const mesh = bookinfoMesh([file, 'destination-rule-all.yaml']);
      const weights = SERVICES[service] as Record<string, number>;
      const plan = build({ trafficShifting: weights }, mesh, service);
      const userRules = ((vs.spec.http ?? []) as HTTPRoute[]).filter((r) => !isCatchAllRule(r));
      const built = plan.virtualService as VirtualService;
      expect(built.metadata.name).toBe(vs.metadata.name);
      expect(built.spec.http?.slice(0, userRules.length)).toEqual(userRules);
      expect(built.spec.http?.[userRules.length]?.route?.map((r) => r.destination.subset)).toEqual(
        Object.keys(weights),
      );
      const after = expectValid(mesh, plan);

      const random = mulberry32(11);
      const seen: Record<string, number> = {};
      for (let i = 0; i < 2000; i++) {
        const out = evaluateHttp(after, productpage, get(`${service}:9080`, '/'), random);
        const key = out.kind === 'route' ? `${out.ruleIndex}:${out.destination.subset}` : out.kind;
        seen[key] = (seen[key] ?? 0) + 1;
      }
      // Plain requests match no user rule: they land on the new catch-all, split by the weights.
      for (const [version, weight] of Object.entries(weights)) {
        const share = (seen[`${userRules.length}:${version}`] ?? 0) / 2000;
        expect(Math.abs(share - weight / 100), `${version} in ${JSON.stringify(seen)}`).toBeLessThan(0.04);
      }
    },
  );
});
