/**
 * Informers on what the simulation depends on: namespaces, services, endpoints, pods, and the Istio kinds
 * (VirtualService, DestinationRule, PeerAuthentication, AuthorizationPolicy, ServiceEntry, Gateway). Every event marks the
 * inventory stale; the simulation rebuilds it before its next request. A broken watch is restarted.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { KubeObject } from '../scenario/load';
import { addObject, emptyInventory, type Inventory } from '../engine/inventory';

interface Source {
  name: string;
  informer: Informer<KubernetesObject> & { list(): ReadonlyArray<KubernetesObject> };
}

const ISTIO_KINDS = [
  { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService' },
  { group: 'networking.istio.io', version: 'v1', plural: 'destinationrules', kind: 'DestinationRule' },
  { group: 'networking.istio.io', version: 'v1', plural: 'serviceentries', kind: 'ServiceEntry' },
  { group: 'networking.istio.io', version: 'v1', plural: 'gateways', kind: 'Gateway' },
  { group: 'security.istio.io', version: 'v1', plural: 'peerauthentications', kind: 'PeerAuthentication' },
  { group: 'security.istio.io', version: 'v1', plural: 'authorizationpolicies', kind: 'AuthorizationPolicy' },
] as const;

export interface ClusterWatch {
  /** The current inventory (rebuilt from the informer caches when something changed). */
  inventory(): Inventory;
  /** True once after each change; the caller then rebuilds. */
  takeChanged(): boolean;
  stop(): Promise<void>;
}

export async function watchCluster(kc: KubeConfig, log: (msg: string) => void): Promise<ClusterWatch> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const withKind =
    <T extends KubernetesObject>(
      kind: string,
      apiVersion: string,
      fn: () => Promise<KubernetesListObject<T>>,
    ) =>
    async () => {
      const list = await fn();
      for (const item of list.items) {
        item.kind ??= kind;
        item.apiVersion ??= apiVersion;
      }
      return list;
    };
  const sources: Source[] = [
    {
      name: 'namespaces',
      informer: makeInformer(
        kc,
        '/api/v1/namespaces',
        withKind('Namespace', 'v1', () => core.listNamespace()),
      ),
    },
    {
      name: 'services',
      informer: makeInformer(
        kc,
        '/api/v1/services',
        withKind('Service', 'v1', () => core.listServiceForAllNamespaces()),
      ),
    },
    {
      name: 'endpoints',
      informer: makeInformer(
        kc,
        '/api/v1/endpoints',
        withKind('Endpoints', 'v1', () => core.listEndpointsForAllNamespaces()),
      ),
    },
    {
      name: 'pods',
      informer: makeInformer(
        kc,
        '/api/v1/pods',
        withKind('Pod', 'v1', () => core.listPodForAllNamespaces()),
      ),
    },
    ...ISTIO_KINDS.map((k) => ({
      name: k.plural,
      informer: makeInformer(
        kc,
        `/apis/${k.group}/${k.version}/${k.plural}`,
        withKind(
          k.kind,
          `${k.group}/${k.version}`,
          () =>
            custom.listClusterCustomObject({
              group: k.group,
              version: k.version,
              plural: k.plural,
            }) as Promise<KubernetesListObject<KubernetesObject>>,
        ),
      ),
    })),
  ] as Source[];

  let changed = true;
  let stopped = false;
  let cached: Inventory | undefined;
  const kindOf = new Map<Source, string>();
  for (const s of sources) {
    const kind =
      s.name === 'namespaces'
        ? 'Namespace'
        : s.name === 'services'
          ? 'Service'
          : s.name === 'pods'
            ? 'Pod'
            : s.name === 'endpoints'
              ? 'Endpoints'
              : ISTIO_KINDS.find((k) => k.plural === s.name)!.kind;
    kindOf.set(s, kind);
    const mark = () => {
      changed = true;
      cached = undefined;
    };
    s.informer.on('add', mark);
    s.informer.on('update', mark);
    s.informer.on('delete', mark);
    s.informer.on('error', (err?: unknown) => {
      if (stopped) return;
      log(`watch ${s.name} failed (${(err as Error)?.message ?? err}); restarting in 1 s`);
      setTimeout(() => {
        if (!stopped)
          s.informer.start().catch((e: Error) => log(`restart of ${s.name} failed: ${e.message}`));
      }, 1000).unref();
    });
  }
  await Promise.all(sources.map((s) => s.informer.start()));

  return {
    inventory() {
      if (cached) return cached;
      const inv = emptyInventory();
      for (const s of sources) {
        const kind = kindOf.get(s)!;
        for (const o of s.informer.list()) {
          const obj = o as unknown as KubeObject;
          obj.kind ??= kind;
          addObject(inv, obj);
        }
      }
      cached = inv;
      return inv;
    },
    takeChanged() {
      const c = changed;
      changed = false;
      return c;
    },
    async stop() {
      stopped = true;
      await Promise.all(sources.map((s) => s.informer.stop().catch(() => undefined)));
    },
  };
}
