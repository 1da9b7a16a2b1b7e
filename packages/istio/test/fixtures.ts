/** Test helpers: Bookinfo manifests from data/istio/bookinfo/ turned into a MeshConfig. Tests only (I/O). */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type {
  Caller,
  DestinationRule,
  Gateway,
  HttpRequest,
  MeshConfig,
  PeerAuthentication,
  ServiceEntry,
  VirtualService,
  WorkloadInfo,
} from '../src/index';

export const BOOKINFO_DIR = new URL('../../../data/istio/bookinfo/', import.meta.url);
export const NS = 'bookinfo';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are untyped YAML
  spec?: any;
}

/** All objects of a Bookinfo file, placed in `namespace` when they name none (as `kubectl apply -n`). */
export function loadBookinfo(file: string, namespace = NS): K8sObject[] {
  const text = readFileSync(new URL(file, BOOKINFO_DIR), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object' && 'kind' in o)
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? namespace } }));
}

/** Bookinfo's services and workloads (bookinfo.yaml), as the inventory part of a MeshConfig. */
export function bookinfoInventory(): Pick<MeshConfig, 'services' | 'workloads'> {
  const objs = loadBookinfo('bookinfo.yaml');
  const services = objs
    .filter((o) => o.kind === 'Service')
    .map((o) => ({
      name: o.metadata.name,
      namespace: o.metadata.namespace as string,
      ports: (o.spec.ports as { port: number; name?: string }[]).map((p) => ({ port: p.port, name: p.name })),
      selector: o.spec.selector as Record<string, string>,
    }));
  const workloads: WorkloadInfo[] = objs
    .filter((o) => o.kind === 'Deployment')
    .map((o) => ({
      name: o.metadata.name,
      namespace: o.metadata.namespace as string,
      labels: o.spec.template.metadata.labels as Record<string, string>,
    }));
  return { services, workloads };
}

/** A MeshConfig from Bookinfo's inventory plus the Istio objects of the given files (and extra objects). */
export function bookinfoMesh(files: string[], extra: K8sObject[] = []): MeshConfig {
  const objs = [...files.flatMap((f) => loadBookinfo(f)), ...extra];
  const of = <T>(kind: string) => objs.filter((o) => o.kind === kind) as unknown as T[];
  return {
    ...bookinfoInventory(),
    virtualServices: of<VirtualService>('VirtualService'),
    destinationRules: of<DestinationRule>('DestinationRule'),
    peerAuthentications: of<PeerAuthentication>('PeerAuthentication'),
    serviceEntries: of<ServiceEntry>('ServiceEntry'),
    gateways: of<Gateway>('Gateway'),
  };
}

export const productpage: Caller = { namespace: NS, labels: { app: 'productpage', version: 'v1' } };
export const reviewsV2: Caller = { namespace: NS, labels: { app: 'reviews', version: 'v2' } };

export function get(host: string, path = '/', headers: Record<string, string> = {}): HttpRequest {
  return { host, path, method: 'GET', headers };
}

/** A `random` that replays the given draws (then repeats the last), to pin each decision in a test. */
export function draws(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] as number;
}

/** Minimal object builders for hand-written cases. */
export function vs(
  name: string,
  spec: VirtualService['spec'],
  namespace = NS,
  creationTimestamp?: string,
): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace, ...(creationTimestamp ? { creationTimestamp } : {}) },
    spec,
  };
}

export function dr(name: string, spec: DestinationRule['spec'], namespace = NS): DestinationRule {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name, namespace },
    spec,
  };
}

export function pa(
  name: string,
  spec: PeerAuthentication['spec'],
  namespace = NS,
  creationTimestamp?: string,
): PeerAuthentication {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace, ...(creationTimestamp ? { creationTimestamp } : {}) },
    spec,
  };
}

export function mesh(parts: Partial<MeshConfig>): MeshConfig {
  return {
    ...bookinfoInventory(),
    virtualServices: [],
    destinationRules: [],
    peerAuthentications: [],
    serviceEntries: [],
    ...parts,
  };
}
