/**
 * listConfig's partial failures, on a client that answers from memory: a kind the API server refuses is
 * an error line and the rest is still listed; a missing CRD is no error; nothing readable → one error.
 */
import { IstioConfigQuerySchema } from '@meshlens/contract';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../errors';
import { listConfig } from './config';
import { loadIstioCrds } from './crds';
import { KubeApiError, type IstioKubeClient, type KubeObject } from './kubeClient';

const stored: KubeObject[] = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'edge', namespace: 'a', managedFields: [{}] },
    spec: { selector: { istio: 'ingressgateway' }, servers: [] },
    status: { conditions: [] },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'other', namespace: 'b' },
    spec: { selector: {}, servers: [] },
  },
];

function client(
  fail: (kind: string, namespace: string | undefined) => unknown,
  calls: (string | undefined)[] = [],
): IstioKubeClient {
  const unused = () => Promise.reject(new Error('not used'));
  return {
    async list(_apiVersion, kind, namespace) {
      calls.push(`${kind}@${namespace ?? '*'}`);
      const err = fail(kind, namespace);
      if (err) throw err;
      return stored.filter(
        (o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace),
      );
    },
    get: unused,
    create: unused,
    replace: unused,
    delete: unused,
  };
}

const deps = (c: IstioKubeClient) => ({
  client: c,
  inventory: { list: () => [] },
  logger: pino({ level: 'silent' }),
  crds: loadIstioCrds(),
});
const q = (namespaces: string, kinds?: string) =>
  IstioConfigQuerySchema.parse({ namespaces, ...(kinds ? { kinds } : {}) });

describe('listConfig', () => {
  it('keeps what it could read and says which kinds it could not', async () => {
    const calls: string[] = [];
    const c = client(
      (kind) =>
        kind === 'Sidecar'
          ? new KubeApiError(403, 'sidecars is forbidden', 'Forbidden')
          : kind === 'EnvoyFilter'
            ? new KubeApiError(404, 'the server could not find the requested resource', 'NotFound')
            : undefined,
      calls,
    );
    const out = await listConfig(deps(c), q('a,c'));
    // One cluster-wide list per kind; the refused kind is then tried in each selected namespace.
    expect(calls.filter((call) => call.endsWith('@*'))).toHaveLength(10);
    expect(calls.filter((call) => !call.endsWith('@*')).sort()).toEqual(['Sidecar@a', 'Sidecar@c']);
    expect(out.errors).toEqual([{ plural: 'sidecars', kind: 'Sidecar', message: 'sidecars is forbidden' }]);
    expect(out.kinds.map((k) => k.plural)).not.toContain('envoyfilters');
    expect(out.kinds.map((k) => k.plural)).not.toContain('sidecars');
    expect(out.kinds).toHaveLength(8);
    // Namespace b is not selected; server-set fields are left out.
    expect(out.items).toEqual([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'edge', namespace: 'a' },
        spec: { selector: { istio: 'ingressgateway' }, servers: [] },
      },
    ]);
    expect(out.validations).toEqual([
      expect.objectContaining({ kind: 'Gateway', namespace: 'a', name: 'edge' }),
    ]);
  });

  it('lists in the namespace itself when only one is selected', async () => {
    const calls: string[] = [];
    const out = await listConfig(deps(client(() => undefined, calls)), q('b', 'gateways'));
    expect(calls).toEqual(['Gateway@b']);
    expect(out.items.map((o) => o.metadata.name)).toEqual(['other']);
  });

  it('lists per selected namespace when the user may not list a kind cluster-wide', async () => {
    const calls: string[] = [];
    // A namespace editor: Gateways of namespace b only.
    const editor = client(
      (kind, ns) =>
        kind === 'Gateway' && ns !== 'b'
          ? new KubeApiError(403, 'gateways is forbidden', 'Forbidden')
          : undefined,
      calls,
    );
    const out = await listConfig(deps(editor), q('b,c', 'gateways,virtualservices'));
    expect(calls.sort()).toEqual(['Gateway@*', 'Gateway@b', 'Gateway@c', 'VirtualService@*']);
    expect(out.errors).toEqual([{ plural: 'gateways', kind: 'Gateway', message: 'gateways is forbidden' }]);
    const answer = await listConfig(
      deps(client((_kind, ns) => (ns ? undefined : new KubeApiError(403, 'forbidden', 'Forbidden')))),
      q('a,b', 'gateways'),
    );
    expect(answer.errors).toEqual([]);
    expect(answer.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'a/edge',
      'b/other',
    ]);
  });

  it('answers with one error when no kind could be read', async () => {
    const down = client(() => new KubeApiError(0, 'Kubernetes API unreachable: ECONNREFUSED'));
    const err = await listConfig(deps(down), q('a,b')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(503);
  });
});
