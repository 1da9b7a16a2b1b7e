/**
 * Typed Istio objects (networking.istio.io v1 / v1beta1 / v1alpha3 share one shape; security.istio.io v1
 * PeerAuthentication). Every field is optional where the CRD makes it optional, so plain Kubernetes objects
 * as read from the API server (or parsed from YAML) fit these types as they are.
 *
 * Helpers that work on these objects live beside them and are re-exported here: host resolution
 * (./hosts), durations (./duration).
 */

export type * from './kinds/common';
export type * from './kinds/virtualService';
export type * from './kinds/destinationRule';
export type * from './kinds/security';
export type * from './kinds/serviceEntryGateway';

import type { VirtualService } from './kinds/virtualService';
import type { DestinationRule } from './kinds/destinationRule';
import type { PeerAuthentication } from './kinds/security';
import type { Gateway, ServiceEntry } from './kinds/serviceEntryGateway';

/** Any of the Istio kinds this package models. */
export type IstioConfigObject =
  VirtualService | DestinationRule | PeerAuthentication | ServiceEntry | Gateway;

export {
  DEFAULT_CLUSTER_DOMAIN,
  namespaceOf,
  objectKey,
  resolveConfigHost,
  hostMatches,
  hostSpecificity,
  hostsIntersect,
  isExportedTo,
  labelsMatch,
  splitHostPort,
} from './hosts';
export { parseDuration, formatDuration } from './duration';
