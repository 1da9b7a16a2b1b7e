/**
 * Any object the CRD schema accepts must be evaluated and validated without throwing: random objects
 * generated from the schemas of data/istio/crd-all.gen.yaml (kept only when the schema accepts them) are
 * fed to the evaluator and the validations.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { evaluateHttp } from './evaluate';
import { evaluateTcp } from './evaluateTcp';
import { peerAuthMode } from './peerAuth';
import { mulberry32 } from './random';
import { crdSchemas } from './validation/schema';
import { validateMesh } from './validation/mesh';
import type { IstioConfigObject } from './model';
import { mesh } from '../test/fixtures';

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

const docs = parseAllDocuments(
  readFileSync(new URL('../../../data/istio/crd-all.gen.yaml', import.meta.url), 'utf8'),
).map(
  (d) =>
    d.toJS() as {
      spec?: { names?: { kind?: string }; versions?: { schema?: { openAPIV3Schema?: JsonSchema } }[] };
    },
);
const schemas = crdSchemas(docs);
const specSchema = (kind: string): JsonSchema | undefined =>
  docs.find((d) => d?.spec?.names?.kind === kind)?.spec?.versions?.[0]?.schema?.openAPIV3Schema?.properties
    ?.spec;

const STRINGS = [
  'reviews',
  'ratings',
  '*',
  '*.bookinfo.svc.cluster.local',
  'v1',
  'v2',
  'jason',
  '/',
  '/a',
  'mesh',
  'bookinfo/gw',
  '5xx,503',
  'a.*',
  '.',
];

function generator(seed: number) {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const gen = (s: JsonSchema | undefined, depth: number): unknown => {
    if (!s) return undefined;
    if (s.enum) return pick(s.enum);
    if (s['x-kubernetes-int-or-string']) return r() < 0.5 ? pick([0, 1, 9080]) : pick(STRINGS);
    switch (s.type) {
      case 'string':
        return s.format === 'duration' ? pick(['1s', '100ms', '0s']) : pick(STRINGS);
      case 'integer':
        return pick([0, 1, 2, 50, 80, 100, 9080, 503]);
      case 'number':
        return pick([0, 0.5, 50, 100]);
      case 'boolean':
        return r() < 0.5;
      case 'array':
        return depth <= 0 ? [] : Array.from({ length: Math.floor(r() * 3) }, () => gen(s.items, depth - 1));
      case 'object': {
        const o: Record<string, unknown> = {};
        if (s.properties) {
          for (const [k, sub] of Object.entries(s.properties)) {
            if ((s.required ?? []).includes(k) || (depth > 0 && r() < 0.35)) o[k] = gen(sub, depth - 1);
          }
        } else if (typeof s.additionalProperties === 'object') {
          for (let i = 0; i < Math.floor(r() * 3); i++)
            o[pick(['end-user', 'app', 'version', '9080'])] = gen(s.additionalProperties, depth - 1);
        }
        return o;
      }
    }
    return undefined;
  };
  return { r, pick, gen };
}

describe('robustness', () => {
  it('never throws on schema-valid objects', () => {
    const { r, pick, gen } = generator(11);
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const make = (kind: string, group = 'networking.istio.io'): IstioConfigObject[] => {
        const o = {
          apiVersion: `${group}/v1`,
          kind,
          metadata: { name: `o${i}`, namespace: pick(['bookinfo', 'istio-system']) },
          spec: gen(specSchema(kind), 6),
        } as IstioConfigObject;
        if (schemas.validate(o).length > 0) return [];
        accepted++;
        return [o];
      };
      const m = mesh({
        virtualServices: make('VirtualService') as never,
        destinationRules: make('DestinationRule') as never,
        peerAuthentications: make('PeerAuthentication', 'security.istio.io') as never,
        serviceEntries: make('ServiceEntry') as never,
        gateways: make('Gateway') as never,
      });
      const caller = {
        namespace: 'bookinfo',
        labels: { app: 'x' },
        ...(r() < 0.2 ? { gateways: ['bookinfo/gw'] } : {}),
      };
      const req = {
        host: pick(['reviews', 'reviews:9080', 'x.example.com']),
        path: pick(['/', '/a?b=c']),
        method: 'GET',
        headers: { 'end-user': 'jason' },
      };
      expect(() => {
        evaluateHttp(m, caller, req, r);
        evaluateTcp(m, caller, 'reviews', 9080, r, { sni: 'reviews' });
        peerAuthMode(m, 'bookinfo', { app: 'reviews' }, 9080);
        validateMesh(m);
      }).not.toThrow();
    }
    // The generator must actually produce accepted objects, or this test proves nothing.
    expect(accepted).toBeGreaterThan(1000);
  });
});
