/**
 * OpenAPI v3 as kubectl reads it: per group-version documents whose PATCH operations declare the
 * `fieldValidation` parameter (so kubectl leaves field validation to the server), and component schemas
 * (the CRDs' openAPIV3Schema; a permissive object for built-in kinds) for `kubectl explain`.
 */
import { createHash } from 'node:crypto';
import type { Registry } from './registry';
import type { ResourceType } from './types';
import { apiVersionOf } from './types';

type Obj = Record<string, unknown>;

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function schemaName(t: ResourceType, version: string): string {
  const g = t.group ? t.group.split('.').reverse().join('.') : 'io.k8s.api.core';
  return `${g}.${version}.${t.kind}`;
}

export function openApiV3Root(registry: Registry): Obj {
  const paths: Obj = {};
  for (const [group, versions] of registry.groups()) {
    for (const v of versions) {
      const p = gvPath(group, v);
      const hash = createHash('sha256')
        .update(JSON.stringify(openApiV3Doc(registry, p)))
        .digest('hex')
        .slice(0, 16)
        .toUpperCase();
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
    }
  }
  return { paths };
}

const PARAMS = [
  { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
];

function kindSchema(t: ResourceType, version: string): Obj {
  const gvk = [{ group: t.group, version, kind: t.kind }];
  if (t.crd) {
    const versions = ((t.crd.spec as Obj).versions ?? []) as Obj[];
    const v = versions.find((x) => x.name === version);
    const schema = ((v?.schema as Obj | undefined)?.openAPIV3Schema ?? { type: 'object' }) as Obj;
    const props = (schema.properties ?? {}) as Obj;
    return {
      ...schema,
      properties: {
        apiVersion: {
          type: 'string',
          description: 'APIVersion defines the versioned schema of this representation of an object.',
        },
        kind: {
          type: 'string',
          description: 'Kind is a string value representing the REST resource this object represents.',
        },
        metadata: { type: 'object', description: 'Standard object metadata.' },
        ...props,
      },
      'x-kubernetes-group-version-kind': gvk,
    };
  }
  return {
    type: 'object',
    description: `${t.kind} (${apiVersionOf(t.group, version)}), served by the meshlens demo cluster.`,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    'x-kubernetes-preserve-unknown-fields': true,
    'x-kubernetes-group-version-kind': gvk,
  };
}

export function openApiV3Doc(registry: Registry, gv: string): Obj | undefined {
  const m = /^(?:api\/(v[^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(gv);
  if (!m) return undefined;
  const group = m[2] ?? '';
  const version = (m[1] ?? m[3]) as string;
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const paths: Obj = {};
  const schemas: Obj = {};
  for (const t of types) {
    const ref = { $ref: `#/components/schemas/${schemaName(t, version)}` };
    schemas[schemaName(t, version)] = kindSchema(t, version);
    const gvk = { group: t.group, version, kind: t.kind };
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    const json = { 'application/json': { schema: ref } };
    paths[base] = {
      get: {
        operationId: `list${t.kind}`,
        'x-kubernetes-action': 'list',
        'x-kubernetes-group-version-kind': gvk,
        responses: { '200': { description: 'OK' } },
      },
      post: {
        operationId: `create${t.kind}`,
        'x-kubernetes-action': 'post',
        'x-kubernetes-group-version-kind': gvk,
        parameters: PARAMS,
        requestBody: { content: { '*/*': { schema: ref } } },
        responses: { '201': { description: 'Created', content: json } },
      },
    };
    paths[`${base}/{name}`] = {
      get: {
        operationId: `read${t.kind}`,
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': gvk,
        responses: { '200': { description: 'OK', content: json } },
      },
      put: {
        operationId: `replace${t.kind}`,
        'x-kubernetes-action': 'put',
        'x-kubernetes-group-version-kind': gvk,
        parameters: PARAMS,
        requestBody: { content: { '*/*': { schema: ref } } },
        responses: { '200': { description: 'OK', content: json } },
      },
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: PARAMS,
        requestBody: {
          content: {
            'application/json-patch+json': { schema: { type: 'object' } },
            'application/merge-patch+json': { schema: { type: 'object' } },
            'application/apply-patch+yaml': { schema: { type: 'object' } },
          },
        },
        responses: { '200': { description: 'OK', content: json } },
      },
      delete: {
        operationId: `delete${t.kind}`,
        'x-kubernetes-action': 'delete',
        'x-kubernetes-group-version-kind': gvk,
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'meshlens demo cluster', version: 'v1.32.0-demo' },
    paths,
    components: { schemas },
  };
}

/** Protobuf field bytes: tag, length, payload (wire type 2). */
function lengthDelimited(field: number, payload: Buffer): Buffer {
  const len: number[] = [];
  let n = payload.length;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    len.push(b);
  } while (n);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), payload]);
}

/**
 * /openapi/v2 for older kubectl (Debian's kubernetes-client 1.20), which downloads it as gnostic protobuf
 * before `apply`: a valid document without definitions, so it validates nothing client-side and leaves
 * checks to the server (newer kubectl uses /openapi/v3 above).
 */
export function openApiV2(protobuf: boolean): { body: Buffer; contentType: string } {
  const title = 'meshlens demo cluster';
  const version = 'v1.32.0-demo';
  if (!protobuf) {
    return {
      body: Buffer.from(JSON.stringify({ swagger: '2.0', info: { title, version }, paths: {} })),
      contentType: 'application/json',
    };
  }
  const info = Buffer.concat([
    lengthDelimited(1, Buffer.from(title)),
    lengthDelimited(2, Buffer.from(version)),
  ]);
  const doc = Buffer.concat([
    lengthDelimited(1, Buffer.from('2.0')),
    lengthDelimited(2, info),
    lengthDelimited(8, Buffer.alloc(0)),
  ]);
  return { body: doc, contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' };
}
