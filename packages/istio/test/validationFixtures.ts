/** Shared helpers of the validation tests (tests only: reads the CRD file). */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { crdSchemas, type CrdSchemas } from '../src/validation/schema';
import type { ObjectValidation, ValidationInput } from '../src/validation/types';
import { bookinfoMesh } from './fixtures';

export const ingressWorkload = {
  name: 'istio-ingressgateway',
  namespace: 'istio-system',
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
};

/** Bookinfo inventory (plus the ingress gateway pods) and the Istio objects of the given files. */
export function input(files: string[]): ValidationInput {
  const m = bookinfoMesh(files);
  return { ...m, workloads: [...(m.workloads ?? []), ingressWorkload] };
}

/** `Kind ns/name CODE path` for every check, sorted, for readable comparisons. */
export function summary(results: ObjectValidation[]): string[] {
  return results
    .flatMap((r) => r.checks.map((c) => `${r.kind} ${r.namespace}/${r.name} ${c.code} ${c.path}`))
    .sort();
}

/** The CRD schemas of data/istio/crd-all.gen.yaml. */
export function loadSchemas(): CrdSchemas {
  const text = readFileSync(new URL('../../../data/istio/crd-all.gen.yaml', import.meta.url), 'utf8');
  return crdSchemas(parseAllDocuments(text).map((d) => d.toJS()));
}
