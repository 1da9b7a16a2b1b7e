/**
 * mesh-sim.meshlens.io/error-rate on a pod: its app answers that share of requests with an error (what a
 * demo sets at run time to make a new version bad); a malformed value is ignored with a warning.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/simulate';
import { ERROR_RATE_ANNOTATION, inventoryFromObjects } from '../src/engine/inventory';
import { renderText } from '../src/metrics/render';
import { loadScenario, type KubeObject } from '../src/scenario/load';
import { scenarioObjects } from '../src/scenario/manifests';
import { parseExposition, send } from './helpers';

function reviewsOutcomes(annotations: Record<string, Record<string, string>>) {
  const scenario = loadScenario('bookinfo');
  const objects = scenarioObjects(scenario);
  for (const [name, a] of Object.entries(annotations)) {
    const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as KubeObject & {
      spec: { template: { metadata: { annotations?: Record<string, string> } } };
    };
    d.spec.template.metadata.annotations = a;
  }
  const engine = new Engine(scenario, inventoryFromObjects(objects), { seed: 7 });
  send(engine, 3000);
  const byVersion = new Map<string, { total: number; errors: number }>();
  for (const s of parseExposition(renderText(engine.store))) {
    if (s.name !== 'istio_requests_total' || s.labels.reporter !== 'destination') continue;
    if (s.labels.destination_service_name !== 'reviews') continue;
    const v = s.labels.destination_version ?? '';
    const e = byVersion.get(v) ?? { total: 0, errors: 0 };
    e.total += s.value;
    if (/^5/.test(s.labels.response_code ?? '')) e.errors += s.value;
    byVersion.set(v, e);
  }
  return { byVersion, warnings: engine.world.warnings };
}

describe(ERROR_RATE_ANNOTATION, () => {
  it("sets the version's error rate; the others stay healthy", () => {
    const { byVersion, warnings } = reviewsOutcomes({ 'reviews-v3': { [ERROR_RATE_ANNOTATION]: '0.5' } });
    const v3 = byVersion.get('v3')!;
    expect(v3.total).toBeGreaterThan(500);
    expect(v3.errors / v3.total).toBeGreaterThan(0.4);
    expect(v3.errors / v3.total).toBeLessThan(0.6);
    expect(byVersion.get('v1')!.errors).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('ignores a malformed value, saying so', () => {
    const { byVersion, warnings } = reviewsOutcomes({ 'reviews-v3': { [ERROR_RATE_ANNOTATION]: '50%' } });
    expect(byVersion.get('v3')!.errors).toBe(0);
    expect(warnings).toEqual([
      `bookinfo/reviews-v3: ${ERROR_RATE_ANNOTATION} "50%" ignored: not a number from 0 to 1`,
    ]);
  });
});
