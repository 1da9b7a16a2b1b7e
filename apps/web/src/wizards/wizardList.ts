import type { AccessCheck } from '@meshlens/contract';

/** The wizards of the service actions menu, in menu order. */
export const WIZARDS = [
  { id: 'traffic-shifting', title: 'Traffic Shifting' },
  { id: 'request-routing', title: 'Request Routing' },
  { id: 'fault-injection', title: 'Fault Injection' },
  { id: 'timeouts-retries', title: 'Timeouts & Retries' },
  { id: 'circuit-breaker', title: 'Circuit Breaker' },
  { id: 'gateway', title: 'Gateway' },
  { id: 'delete-routing', title: 'Delete routing' },
] as const;
export type WizardId = (typeof WIZARDS)[number]['id'];

const NET = 'networking.istio.io';
/** API group and plural of the kinds the wizards write. */
export const WRITTEN_KINDS: Record<string, { group: string; resource: string }> = {
  VirtualService: { group: NET, resource: 'virtualservices' },
  DestinationRule: { group: NET, resource: 'destinationrules' },
  Gateway: { group: NET, resource: 'gateways' },
};

/**
 * The writes a wizard may make in a namespace, asked before its menu item is enabled (the objects it
 * creates or updates depend on what exists; the dialog then checks the exact steps of its preview).
 */
export function wizardChecks(id: WizardId, namespace: string): AccessCheck[] {
  const c = (verb: AccessCheck['verb'], resource: string): AccessCheck => ({
    verb,
    group: NET,
    resource,
    namespace,
  });
  const write = (resource: string) => [c('create', resource), c('update', resource)];
  switch (id) {
    case 'delete-routing':
      return [c('delete', 'virtualservices'), c('delete', 'destinationrules')];
    case 'circuit-breaker':
      return write('destinationrules');
    case 'gateway':
      return [...write('gateways'), ...write('virtualservices')];
    default:
      return [...write('virtualservices'), ...write('destinationrules')];
  }
}

/** The exact writes of a preview's steps (create, update or delete of each named object). */
export function stepChecks(
  steps: { action: 'create' | 'update' | 'delete'; kind: string; namespace: string; name: string }[],
): AccessCheck[] {
  const seen = new Set<string>();
  const out: AccessCheck[] = [];
  for (const s of steps) {
    const k = WRITTEN_KINDS[s.kind];
    if (!k) continue;
    const check: AccessCheck = {
      verb: s.action,
      ...k,
      namespace: s.namespace,
      // RBAC cannot limit a create by name.
      ...(s.action === 'create' ? {} : { name: s.name }),
    };
    const key = JSON.stringify(check);
    if (!seen.has(key)) out.push(check);
    seen.add(key);
  }
  return out;
}

/** One key per check, to find a check's result among many. */
export const checkKey = (c: AccessCheck) =>
  `${c.verb} ${c.group}/${c.resource} ${c.namespace}/${c.name ?? ''}`;
