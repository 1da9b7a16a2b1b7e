/** Helpers of the wizard builder tests (tests only): build over Bookinfo, apply, validate. */
import { RoutingIntentSchema, type RoutingIntentInput } from '@meshlens/contract';
import { expect } from 'vitest';
import type { MeshConfig } from '../src/evaluate.types';
import { buildRouting, type RoutingPlan } from '../src/builders/build';
import type { IntentError } from '../src/builders/context';
import { validateObject, withObject } from '../src/validation/mesh';
import type { CrdSchemas } from '../src/validation/schema';
import { loadSchemas } from './validationFixtures';

let schemas: CrdSchemas | undefined;

/** Parses the intent as the server does, then builds it for a Bookinfo service. */
export const build = (input: RoutingIntentInput, mesh: MeshConfig, service = 'reviews') =>
  buildRouting(RoutingIntentSchema.parse(input), { mesh, namespace: 'bookinfo', service });

/** The mesh after the plan is applied. */
export function applied(mesh: MeshConfig, plan: RoutingPlan): MeshConfig {
  let m = mesh;
  for (const o of [plan.destinationRule, plan.virtualService, plan.gateway]) if (o) m = withObject(m, o);
  return m;
}

/** Every written object passes the CRD schema and the semantic validations in the mesh after the change. */
export function expectValid(mesh: MeshConfig, plan: RoutingPlan): MeshConfig {
  schemas ??= loadSchemas();
  const after = applied(mesh, plan);
  for (const o of [plan.destinationRule, plan.virtualService, plan.gateway]) {
    if (!o) continue;
    const v = validateObject(o, after, { schemas });
    expect(
      v.checks.filter((c) => c.severity === 'error'),
      `${o.kind} ${o.metadata.name}`,
    ).toEqual([]);
  }
  return after;
}

/** The IntentError `fn` throws. */
export function intentErrorOf(fn: () => unknown): IntentError {
  try {
    fn();
  } catch (e) {
    return e as IntentError;
  }
  throw new Error('expected an IntentError');
}
