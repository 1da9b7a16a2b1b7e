/** PeerAuthentication (security.istio.io/v1). */
import type { IstioObject, WorkloadSelector } from './common';

export type PeerAuthenticationMtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PeerAuthenticationSpec {
  selector?: WorkloadSelector;
  mtls?: { mode?: PeerAuthenticationMtlsMode };
  /** Keyed by workload (container) port number. */
  portLevelMtls?: Record<string, { mode?: PeerAuthenticationMtlsMode }>;
}

export type PeerAuthentication = IstioObject<'PeerAuthentication', PeerAuthenticationSpec>;
