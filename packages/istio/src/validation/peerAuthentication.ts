/**
 * PeerAuthentication checks: a selector that matches no workload of its namespace (KIA0004, Kiali's generic
 * "no matching workload" check), and portLevelMtls on a namespace- or mesh-wide policy, which istiod rejects
 * because port-level settings need a workload selector (ML0401).
 */
import type { PeerAuthentication } from '../model';
import type { ValidationCheck, ValidationInput } from './types';
import { makeCheck } from './types';
import { labelsMatch, namespaceOf } from '../hosts';
import { meshIndex } from '../meshIndex';

/** KIA0004 for any namespaced selector (PeerAuthentication, DestinationRule workloadSelector). */
export function selectorChecks(
  selector: Record<string, string> | undefined,
  namespace: string,
  path: string,
  input: ValidationInput,
): ValidationCheck[] {
  if (!input.workloads || !selector || Object.keys(selector).length === 0) return [];
  const pods = meshIndex(input).workloadsByNamespace.get(namespace) ?? [];
  return pods.some((w) => labelsMatch(selector, w.labels)) ? [] : [makeCheck('KIA0004', path)];
}

export function validatePeerAuthentication(
  pa: PeerAuthentication,
  input: ValidationInput,
): ValidationCheck[] {
  const selector = pa.spec?.selector?.matchLabels;
  const out = selectorChecks(selector, namespaceOf(pa), 'spec/selector', input);
  const hasSelector = Object.keys(selector ?? {}).length > 0;
  if (!hasSelector && Object.keys(pa.spec?.portLevelMtls ?? {}).length > 0) {
    out.push(makeCheck('ML0401', 'spec/portLevelMtls'));
  }
  return out;
}
