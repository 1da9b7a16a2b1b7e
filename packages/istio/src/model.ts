// Typed Istio objects: filled in by the routing evaluator work (issue 3).
export type VirtualService = {
  apiVersion: string;
  kind: 'VirtualService';
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
};
export type DestinationRule = {
  apiVersion: string;
  kind: 'DestinationRule';
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
};
export type PeerAuthentication = {
  apiVersion: string;
  kind: 'PeerAuthentication';
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
};
export type ServiceEntry = {
  apiVersion: string;
  kind: 'ServiceEntry';
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
};
export type TrafficPolicy = Record<string, unknown>;
