/**
 * The inventory as plain data: what the graph pipeline needs from Kubernetes and Istio objects, derived
 * from the informer cache (see ./derive.ts). Pure values, so the pipeline and its golden tests need no
 * cluster.
 */
import type { ConfigBadges } from '@meshlens/contract';

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  createdAt?: string;
}

export interface WorkloadInfo {
  namespace: string;
  name: string;
  kind: string;
  /** Pod template labels (app, version, …). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  app?: string;
  version?: string;
  /** Desired replicas (undefined when unknown, e.g. bare pods). */
  desired?: number;
  available?: number;
  pods: number;
  /** Pods whose Ready condition is True (undefined in snapshots recorded before it was counted). */
  podsReady?: number;
  /** Pods running an istio-proxy container (injected sidecar or gateway proxy). */
  podsWithSidecar: number;
  isGateway: boolean;
  /** The cluster it runs in, when the console reads several (see ./clusters.ts). */
  cluster?: string;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  selector: Record<string, string>;
  /** The cluster it is defined in, when the console reads several. */
  cluster?: string;
}

export interface ServiceEntryInfo {
  namespace: string;
  name: string;
  hosts: string[];
  location: string;
}

/** What Istio config says about one service host (FQDN): the graph's config badges. */
export type HostConfig = ConfigBadges;

export interface InventorySnapshot {
  /** False until every informer listed once; the graph then warns that the inventory may be partial. */
  synced: boolean;
  namespaces: NamespaceInfo[];
  workloads: WorkloadInfo[];
  services: ServiceInfo[];
  serviceEntries: ServiceEntryInfo[];
  /** Istio config per resolved host FQDN (e.g. `reviews.bookinfo.svc.cluster.local`). */
  hostConfig: Record<string, HostConfig>;
  /** Informer kinds currently failing (watch broken, being restarted). */
  failing: string[];
  /**
   * With several clusters: each one's state, the home cluster first (whose state `synced` and `failing`
   * also give). Absent with one cluster.
   */
  clusters?: ClusterState[];
}

export interface ClusterState {
  name: string;
  synced: boolean;
  failing: string[];
}

export const EMPTY_SNAPSHOT: InventorySnapshot = {
  synced: false,
  namespaces: [],
  workloads: [],
  services: [],
  serviceEntries: [],
  hostConfig: {},
  failing: [],
};
