/**
 * Validation results, shaped like Kiali's (`models/istio_validation.go`): a check has a stable code, a
 * severity, a message and the YAML path it points at (`spec/http[0]/route[0]/weight`), which drives the
 * editor's markers. Codes reuse Kiali's where Kiali has the check (KIA…); checks Kiali lacks use ML….
 */
import type { MeshConfig } from '../evaluate.types';
import type { CrdSchemas } from './schema';

export type Severity = 'error' | 'warning' | 'info';

export interface ValidationCheck {
  code: string;
  severity: Severity;
  message: string;
  /** Slash-separated path into the object, arrays as `[i]`: `spec/http[0]/route[1]/destination/subset`. */
  path: string;
}

export interface ObjectValidation {
  kind: string;
  namespace: string;
  name: string;
  /** False when any check is an error. */
  valid: boolean;
  checks: ValidationCheck[];
}

export interface ValidationOptions {
  /**
   * MeshConfig `outboundTrafficPolicy.mode`. With ALLOW_ANY (Istio's default) a host outside the registry
   * that is not a cluster-local name is only a warning, as in Kiali.
   */
  outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Codes to drop (Kiali's `validations.ignore`). */
  ignore?: string[];
  /** CRD schemas (from crdSchemas()) to check objects against (ML0001); skipped when absent. */
  schemas?: CrdSchemas;
}

/** Everything validations look at: the Istio objects plus the service and workload inventory. */
export type ValidationInput = MeshConfig;

/** The catalogue: code → default severity and message. */
export const CHECKS = {
  KIA0201: {
    severity: 'warning',
    message: 'More than one DestinationRule for the same host subset combination',
  },
  KIA0202: {
    severity: 'error',
    message: 'This host has no matching entry in the service registry (service, workload or service entries)',
  },
  /** An error when a VirtualService routes to the subset (see ./destinationRule). */
  KIA0203: { severity: 'warning', message: "This subset's labels are not found in any matching host" },
  KIA0207: {
    severity: 'error',
    message: 'PeerAuthentication with TLS strict mode found, it should be permissive',
  },
  KIA0208: { severity: 'error', message: 'PeerAuthentication enabling mTLS found, permissive mode needed' },
  KIA0209: { severity: 'warning', message: 'DestinationRule subset has no labels' },
  KIA0004: { severity: 'warning', message: 'No matching workload found for the selector in this namespace' },
  ML0401: {
    severity: 'error',
    message: 'portLevelMtls needs a workload selector (namespace- and mesh-wide policies cannot set it)',
  },
  KIA0302: {
    severity: 'warning',
    message: 'No matching workload found for gateway selector in this namespace',
  },
  KIA1101: {
    severity: 'error',
    message: "DestinationWeight on route doesn't have a valid service (host not found)",
  },
  KIA1102: { severity: 'error', message: 'VirtualService is pointing to a non-existent gateway' },
  KIA1103: { severity: 'warning', message: 'VirtualService weights should sum 100' },
  KIA1104: {
    severity: 'warning',
    message: 'The weight is assumed to be 100 because there is only one route destination',
  },
  KIA1105: {
    severity: 'warning',
    message: 'This host subset combination is already referenced in another route destination',
  },
  KIA1106: { severity: 'warning', message: 'More than one VirtualService for same host' },
  KIA1107: { severity: 'error', message: 'Subset not found' },
  ML1001: { severity: 'error', message: 'Total destination weight is 0' },
  ML1002: { severity: 'error', message: 'Weight must not be negative' },
  ML0001: { severity: 'error', message: 'Does not match the CRD schema' },
  ML0002: { severity: 'error', message: 'Malformed object: a field has a type the checks cannot read' },
} as const satisfies Record<string, { severity: Severity; message: string }>;

export type CheckCode = keyof typeof CHECKS;

export function makeCheck(
  code: CheckCode,
  path: string,
  detail?: string,
  severity?: Severity,
): ValidationCheck {
  const c = CHECKS[code];
  return {
    code,
    severity: severity ?? c.severity,
    message: detail ? `${c.message}: ${detail}` : c.message,
    path,
  };
}
