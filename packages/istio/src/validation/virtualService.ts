/**
 * VirtualService checks: route hosts in the registry (KIA1101), gateways that exist (KIA1102), subsets a
 * DestinationRule defines (KIA1107), weights (KIA1103 sum ≠ 100, KIA1104 single destination below 100,
 * ML1001 total 0, ML1002 negative), repeated host+subset in one route (KIA1105). KIA1106 (several
 * VirtualServices for one host) needs all of them: see ./mesh.
 */
import type { RouteDestinationRef, VirtualService } from '../model';
import type { ValidationCheck, ValidationInput, ValidationOptions } from './types';
import { makeCheck } from './types';
import { namespaceOf, objectKey, resolveConfigHost } from '../hosts';
import { findDestinationRule } from '../destinationRule';
import { MESH_GATEWAY, resolveGatewayRef } from '../virtualService';
import { meshIndex } from '../meshIndex';
import { hostInRegistry, unknownHostSeverity } from './registry';

function gatewayChecks(refs: string[] | undefined, basePath: string, vsNs: string, input: ValidationInput) {
  const out: ValidationCheck[] = [];
  if (!input.gateways) return out; // inventory of gateways unknown: nothing to say
  const known = new Set(input.gateways.map(objectKey));
  (refs ?? []).forEach((ref, i) => {
    const key = resolveGatewayRef(ref, vsNs);
    if (key !== MESH_GATEWAY && !known.has(key)) out.push(makeCheck('KIA1102', `${basePath}[${i}]`, key));
  });
  return out;
}

function destinationChecks(
  ref: RouteDestinationRef | undefined,
  path: string,
  vsNs: string,
  input: ValidationInput,
  options: ValidationOptions,
): ValidationCheck[] {
  const out: ValidationCheck[] = [];
  if (!ref?.host) return out;
  const host = resolveConfigHost(ref.host, vsNs, meshIndex(input).domain);
  if (!hostInRegistry(input, host)) {
    out.push(
      makeCheck(
        'KIA1101',
        `${path}/host`,
        host,
        unknownHostSeverity(input, host, options.outboundTrafficPolicy ?? 'ALLOW_ANY'),
      ),
    );
  }
  if (ref.subset) {
    const dr = findDestinationRule(input, vsNs, {}, host);
    if (!dr || !dr.subsets.some((s) => s.name === ref.subset)) {
      out.push(makeCheck('KIA1107', `${path}/subset`, `${ref.subset} of ${host}`));
    }
  }
  return out;
}

function weightChecks(route: { weight?: number }[], path: string): ValidationCheck[] {
  const out: ValidationCheck[] = [];
  route.forEach((r, j) => {
    if (r.weight !== undefined && r.weight < 0) out.push(makeCheck('ML1002', `${path}[${j}]/weight`));
  });
  if (route.length === 1) {
    const w = route[0]?.weight;
    if (w !== undefined && w >= 0 && w < 100) out.push(makeCheck('KIA1104', `${path}[0]/weight`));
    return out;
  }
  if (route.length > 1) {
    const total = route.reduce((a, r) => a + Math.max(0, r.weight ?? 0), 0);
    if (total === 0) out.push(makeCheck('ML1001', path));
    else if (total !== 100) out.push(makeCheck('KIA1103', path, `they sum ${total}`));
  }
  return out;
}

function duplicateChecks(
  route: { destination?: RouteDestinationRef }[],
  path: string,
  vsNs: string,
  domain: string,
) {
  const out: ValidationCheck[] = [];
  const seen = new Set<string>();
  route.forEach((r, j) => {
    if (!r.destination?.host) return;
    const key = `${resolveConfigHost(r.destination.host, vsNs, domain)}|${r.destination.subset ?? ''}|${r.destination.port?.number ?? ''}`;
    if (seen.has(key)) out.push(makeCheck('KIA1105', `${path}[${j}]/destination`));
    seen.add(key);
  });
  return out;
}

/** Checks one VirtualService against the rest of the mesh (except KIA1106). */
export function validateVirtualService(
  vs: VirtualService,
  input: ValidationInput,
  options: ValidationOptions = {},
): ValidationCheck[] {
  const ns = namespaceOf(vs);
  const domain = meshIndex(input).domain;
  const out: ValidationCheck[] = [...gatewayChecks(vs.spec?.gateways, 'spec/gateways', ns, input)];
  for (const section of ['http', 'tcp', 'tls'] as const) {
    const rules = (vs.spec?.[section] ?? []) as {
      route?: { destination?: RouteDestinationRef; weight?: number }[];
      match?: { gateways?: string[] }[];
      mirror?: RouteDestinationRef;
      mirrors?: { destination?: RouteDestinationRef }[];
    }[];
    rules.forEach((rule, i) => {
      const base = `spec/${section}[${i}]`;
      (rule.match ?? []).forEach((m, j) =>
        out.push(...gatewayChecks(m.gateways, `${base}/match[${j}]/gateways`, ns, input)),
      );
      const route = rule.route ?? [];
      route.forEach((r, j) =>
        out.push(...destinationChecks(r.destination, `${base}/route[${j}]/destination`, ns, input, options)),
      );
      out.push(...weightChecks(route, `${base}/route`));
      out.push(...duplicateChecks(route, `${base}/route`, ns, domain));
      if (rule.mirror) out.push(...destinationChecks(rule.mirror, `${base}/mirror`, ns, input, options));
      (rule.mirrors ?? []).forEach((m, j) =>
        out.push(
          ...destinationChecks(m.destination, `${base}/mirrors[${j}]/destination`, ns, input, options),
        ),
      );
    });
  }
  return out;
}
