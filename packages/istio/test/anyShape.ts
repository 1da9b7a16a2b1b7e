/**
 * fast-check arbitraries of Istio objects of any JSON shape (tests only): a served apiVersion (mostly),
 * metadata of any shape (sometimes), and a spec generated from the kind's CRD schema in
 * data/istio/crd-all.gen.yaml where any field may instead hold a value of another JSON type. Objects
 * never have a null prototype: JSON.parse (and YAML) never makes one.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import type { MeshConfig } from '../src/evaluate.types';
import type { IstioConfigObject } from '../src/model';
import { crdSchemas } from '../src/validation/schema';
import { bookinfoInventory } from './fixtures';

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  'x-kubernetes-int-or-string'?: boolean;
  oneOf?: unknown;
  anyOf?: unknown;
}

export const docs = parseAllDocuments(
  readFileSync(new URL('../../../data/istio/crd-all.gen.yaml', import.meta.url), 'utf8'),
).map(
  (d) =>
    d.toJS() as {
      spec?: {
        group?: string;
        names?: { kind?: string };
        versions?: { name?: string; schema?: { openAPIV3Schema?: JsonSchema } }[];
      };
    },
);
export const schemas = crdSchemas(docs);
const crdOf = (kind: string) => docs.find((d) => d?.spec?.names?.kind === kind)?.spec;

/** Values the semantic checks meet in real objects: names of Bookinfo, hosts, wildcards, odd strings. */
const STRINGS = [
  'reviews',
  'ratings',
  'details',
  'reviews.bookinfo.svc.cluster.local',
  '*',
  '*.bookinfo.svc.cluster.local',
  'v1',
  'v2',
  'mesh',
  'bookinfo/gw',
  'istio-system/*',
  '.',
  '~',
  '',
  '/',
  'a.*',
  '5xx',
  '1s',
  'app',
  'version',
  '__proto__',
  'constructor',
];

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer({ min: -2, max: 100_000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constantFrom(...STRINGS),
  fc.string({ maxLength: 4 }),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.constantFrom<unknown>(null, 1, 'v1', [], {}, true), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom(...STRINGS), fc.constantFrom<unknown>(null, 1, 'v1', [], {}), {
    maxKeys: 2,
    noNullPrototype: true,
  }),
);

/** An arbitrary of a schema node: mostly the schema's own type, sometimes any other JSON value. */
function fromSchema(s: JsonSchema | undefined, depth: number): fc.Arbitrary<unknown> {
  const right = typed(s, depth);
  return fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: anyJson });
}

function typed(s: JsonSchema | undefined, depth: number): fc.Arbitrary<unknown> {
  if (!s) return anyJson;
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s['x-kubernetes-int-or-string'])
    return fc.oneof(fc.constantFrom(0, 1, 9080, 65536), fc.constantFrom(...STRINGS));
  switch (s.type) {
    case 'string':
      return fc.constantFrom(...STRINGS);
    case 'integer':
      return fc.constantFrom(-1, 0, 1, 2, 50, 80, 100, 101, 503, 9080, 4_294_967_296);
    case 'number':
      return fc.constantFrom(-1, 0, 0.5, 50, 100, 101);
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth <= 0 ? fc.constant([]) : fc.array(fromSchema(s.items, depth - 1), { maxLength: 3 });
    case 'object': {
      if (depth <= 0) return fc.constant({});
      if (s.properties) {
        const keys = Object.keys(s.properties);
        // A few of the properties, each typed or not.
        return fc
          .subarray(keys, { maxLength: Math.min(keys.length, 5) })
          .chain((chosen) =>
            fc.record(
              Object.fromEntries(
                chosen.map((k) => [
                  k,
                  fromSchema((s.properties as Record<string, JsonSchema>)[k], depth - 1),
                ]),
              ),
              { noNullPrototype: true },
            ),
          );
      }
      if (typeof s.additionalProperties === 'object')
        return fc.dictionary(
          fc.constantFrom('app', 'version', 'end-user', '9080', ':authority'),
          fromSchema(s.additionalProperties, depth - 1),
          { maxKeys: 3, noNullPrototype: true },
        );
      return fc.dictionary(fc.constantFrom(...STRINGS), anyJson, { maxKeys: 2, noNullPrototype: true });
    }
  }
  return anyJson;
}

/** An object of `kind`: a served apiVersion (mostly), metadata of any shape (sometimes), a spec. */
export function objectOf(kind: string): fc.Arbitrary<IstioConfigObject> {
  const crd = crdOf(kind);
  const group = crd?.group ?? 'networking.istio.io';
  const spec = crd?.versions?.[0]?.schema?.openAPIV3Schema?.properties?.spec;
  const versions = (crd?.versions ?? []).map((v) => `${group}/${v.name}`);
  const metadata = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        name: fc.constantFrom('reviews', 'a', 'b'),
        namespace: fc.constantFrom('bookinfo', 'istio-system', 'other'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record(
        { name: anyJson, namespace: anyJson, labels: anyJson },
        { requiredKeys: [], noNullPrototype: true },
      ),
    },
    { weight: 1, arbitrary: anyJson },
  );
  return fc
    .record({
      apiVersion: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...versions) },
        { weight: 1, arbitrary: anyJson },
      ),
      kind: fc.constant(kind),
      metadata,
      spec: fc.oneof({ weight: 12, arbitrary: fromSchema(spec, 7) }, { weight: 1, arbitrary: anyJson }),
    })
    .map((o) => o as unknown as IstioConfigObject);
}

export const KINDS = [
  'VirtualService',
  'DestinationRule',
  'Gateway',
  'ServiceEntry',
  'PeerAuthentication',
] as const;
const FIELD: Record<(typeof KINDS)[number], string> = {
  VirtualService: 'virtualServices',
  DestinationRule: 'destinationRules',
  Gateway: 'gateways',
  ServiceEntry: 'serviceEntries',
  PeerAuthentication: 'peerAuthentications',
};

const inventory = bookinfoInventory();

/** A mesh of Bookinfo's services and workloads with the given objects. */
export function meshOf(objects: IstioConfigObject[]): MeshConfig {
  const m: Record<string, unknown> = { ...inventory };
  for (const kind of KINDS) m[FIELD[kind]] = objects.filter((o) => o.kind === kind);
  return m as unknown as MeshConfig;
}
