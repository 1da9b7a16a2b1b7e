import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ISTIO_CRDS_PATH, parseManifests } from './load';
import { compileSchema, pointerToField, pruneUnknown, schemaCauses } from './validate';

const crds = parseManifests(readFileSync(ISTIO_CRDS_PATH, 'utf8'));

function istioSchema(kind: string): unknown {
  const crd = crds.find((o) => (o.spec as { names: { kind: string } }).names.kind === kind);
  const versions = (crd?.spec as { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] })
    .versions;
  return versions.find((v) => v.name === 'v1')?.schema.openAPIV3Schema;
}

describe('CRD schema validation', () => {
  it('reports enum, oneOf and type errors with Kubernetes field paths', () => {
    const dr = compileSchema('test/dr', istioSchema('DestinationRule'));
    const causes = schemaCauses(dr, {
      spec: { host: 'x', trafficPolicy: { loadBalancer: { simple: 'FASTEST' } } },
    });
    expect(causes).toContainEqual(
      expect.objectContaining({
        field: 'spec.trafficPolicy.loadBalancer.simple',
        reason: 'FieldValueNotSupported',
      }),
    );
    expect(causes[0]?.message).toContain('supported values: "UNSPECIFIED"');

    const vs = compileSchema('test/vs', istioSchema('VirtualService'));
    const both = schemaCauses(vs, {
      spec: {
        http: [{ match: [{ uri: { exact: '/a', prefix: '/b' } }], route: [{ destination: { host: 'x' } }] }],
      },
    });
    expect(both).toEqual([
      expect.objectContaining({ field: 'spec.http[0].match[0].uri', reason: 'FieldValueInvalid' }),
    ]);
    expect(
      schemaCauses(vs, {
        spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'x' }, weight: 100 }] }] },
      }),
    ).toEqual([]);
  });

  it('accepts int-or-string and nullable values', () => {
    const fn = compileSchema('test/ios', {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            port: { 'x-kubernetes-int-or-string': true },
            flag: { type: 'boolean', nullable: true },
          },
        },
      },
    });
    expect(schemaCauses(fn, { spec: { port: 80, flag: null } })).toEqual([]);
    expect(schemaCauses(fn, { spec: { port: 'http' } })).toEqual([]);
    expect(schemaCauses(fn, { spec: { port: true } })[0]).toMatchObject({
      field: 'spec.port',
      reason: 'FieldValueTypeInvalid',
    });
  });

  it('prunes undeclared fields but keeps x-kubernetes-preserve-unknown-fields subtrees', () => {
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            known: { type: 'string' },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            map: {
              type: 'object',
              additionalProperties: { type: 'object', properties: { a: { type: 'string' } } },
            },
          },
        },
      },
    };
    const obj: Record<string, unknown> = {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'n' },
      spec: { known: 'k', extra: 1, free: { anything: { goes: true } }, map: { k1: { a: 'x', b: 'y' } } },
      other: 1,
    };
    expect(pruneUnknown(obj, schema).sort()).toEqual(['other', 'spec.extra', 'spec.map.k1.b']);
    expect(obj).toEqual({
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'n' },
      spec: { known: 'k', free: { anything: { goes: true } }, map: { k1: { a: 'x' } } },
    });
  });

  it('formats JSON pointers as field paths', () => {
    expect(pointerToField('/spec/http/0/route/1/weight', { spec: { http: [{ route: [{}, {}] }] } })).toBe(
      'spec.http[0].route[1].weight',
    );
    expect(pointerToField('/spec/selector/app~1name', { spec: { selector: {} } })).toBe(
      'spec.selector.app/name',
    );
  });
});

describe('CEL rules (x-kubernetes-validations)', () => {
  it('rejects what Istio’s rules reject and names the field', async () => {
    const { celCauses } = await import('./cel');
    const schema = istioSchema('VirtualService');
    const bad = {
      spec: {
        hosts: ['r'],
        http: [{ timeout: '0s', route: [{ destination: { host: 'r', port: { number: 80 } } }] }],
      },
    };
    expect(celCauses(bad, schema)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.http[0].timeout',
        message: 'Invalid value: "0s": must be a valid duration greater than 1ms',
      },
    ]);
    const good = {
      spec: { hosts: ['r'], http: [{ timeout: '2s', route: [{ destination: { host: 'r' } }] }] },
    };
    expect(celCauses(good, schema)).toEqual([]);
    const sidecarPorts = istioSchema('ServiceEntry');
    const dup = {
      spec: {
        hosts: ['a.example.com'],
        ports: [
          { number: 80, name: 'a' },
          { number: 80, name: 'b' },
        ],
      },
    };
    expect(celCauses(dup, sidecarPorts).map((c) => c.field)).toContain('spec.ports');
  });
});
