/**
 * Delete routing: meshlens's VirtualServices, DestinationRules and Gateways for the service. Hand-written
 * objects are reported (deleted only when asked), and a DestinationRule or Gateway another remaining
 * VirtualService still uses is kept.
 */
import type { DeleteRoutingIntent } from '@meshlens/contract';
import type { DestinationRule, Gateway, VirtualService } from '../model';
import { namespaceOf } from '../hosts';
import { resolveGatewayRef, virtualServiceGateways } from '../virtualService';
import {
  SERVICE,
  destinationRulesFor,
  isManaged,
  virtualServicesFor,
  type RoutingContext,
  type ServiceFacts,
} from './context';
import { subsetsUsed } from './destinationRule';

export interface ObjectRef {
  kind: 'VirtualService' | 'DestinationRule' | 'Gateway';
  apiVersion: string;
  namespace: string;
  name: string;
  /** The version deleted (a precondition: a newer one answers 409). */
  resourceVersion?: string;
}

export interface KeptObject {
  kind: string;
  namespace: string;
  name: string;
  reason: string;
  /** Kept only because it was written by hand: deleteRouting with includeHandWritten deletes it. */
  handWritten?: true;
}

const refOf = (o: VirtualService | DestinationRule | Gateway): ObjectRef => ({
  kind: o.kind,
  apiVersion: o.apiVersion,
  namespace: namespaceOf(o),
  name: o.metadata.name,
  ...(o.metadata.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}),
});

export function planDeleteRouting(
  intent: DeleteRoutingIntent,
  ctx: RoutingContext,
  facts: ServiceFacts,
): { deletes: ObjectRef[]; kept: KeptObject[] } {
  const { mesh } = ctx;
  const kept: KeptObject[] = [];
  // In the words of the Delete routing dialog, which offers to delete these too (includeHandWritten).
  const handWritten = 'written by hand, not by meshlens: kept unless you choose to delete it too';
  // Every VirtualService naming the host (whatever its binding).
  const vss = virtualServicesFor(mesh, facts.namespace, facts.fqdn, facts.domain, true);
  const goneVs = vss.filter((v) => intent.includeHandWritten || isManaged(v.metadata));
  for (const v of vss)
    if (!goneVs.includes(v))
      kept.push({
        kind: 'VirtualService',
        namespace: namespaceOf(v),
        name: v.metadata.name,
        reason: handWritten,
        handWritten: true,
      });
  const remaining = mesh.virtualServices.filter((v) => !goneVs.includes(v));

  const goneDr: DestinationRule[] = [];
  for (const dr of destinationRulesFor(mesh, facts.namespace, facts.fqdn, facts.domain)) {
    const k = { kind: 'DestinationRule', namespace: namespaceOf(dr), name: dr.metadata.name };
    if (!intent.includeHandWritten && !isManaged(dr.metadata)) {
      kept.push({ ...k, reason: handWritten, handWritten: true });
      continue;
    }
    const names = new Set((dr.spec.subsets ?? []).map((s) => s.name));
    const users = remaining.filter((v) =>
      [...subsetsUsed(v, facts.fqdn, facts.domain)].some((s) => names.has(s)),
    );
    if (users.length > 0) {
      kept.push({
        ...k,
        reason: `its subsets are still used by ${users.map((u) => `VirtualService ${namespaceOf(u)}/${u.metadata.name}`).join(', ')}`,
      });
      continue;
    }
    goneDr.push(dr);
  }

  const goneGw: Gateway[] = [];
  for (const gw of mesh.gateways ?? []) {
    if (
      namespaceOf(gw) !== facts.namespace ||
      !isManaged(gw.metadata) ||
      gw.metadata.labels?.[SERVICE] !== facts.name
    )
      continue;
    const ref = resolveGatewayRef(gw.metadata.name, facts.namespace);
    const users = remaining.filter((v) => virtualServiceGateways(v).includes(ref));
    if (users.length > 0) {
      kept.push({
        kind: 'Gateway',
        namespace: facts.namespace,
        name: gw.metadata.name,
        reason: `still bound by ${users.map((u) => `VirtualService ${namespaceOf(u)}/${u.metadata.name}`).join(', ')}`,
      });
      continue;
    }
    goneGw.push(gw);
  }
  // VirtualServices first (they name the subsets and gateways), then what they used.
  return { deletes: [...goneVs, ...goneDr, ...goneGw].map(refOf), kept };
}
