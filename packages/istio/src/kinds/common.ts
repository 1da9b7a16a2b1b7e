/** Metadata and the small shapes every Istio kind shares. */

export interface ObjectMeta {
  name: string;
  /** Absent on objects read from a manifest without a namespace: treated as `default` (see namespaceOf). */
  namespace?: string;
  /** RFC 3339 string from the API (client-node's typed APIs turn it into a Date). Orders duplicates. */
  creationTimestamp?: string | Date;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface IstioObject<K extends string, S> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
  spec: S;
}

/** One of exact / prefix / regex (RE2, whole-string match). An empty object means "present". */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface PortSelector {
  number?: number;
}

/** Istio `Destination`: a host (short name, FQDN or ServiceEntry host), optional subset and port. */
export interface RouteDestinationRef {
  host: string;
  subset?: string;
  port?: PortSelector;
}

export interface Percent {
  value?: number;
}

export interface WorkloadSelector {
  matchLabels?: Record<string, string>;
}
