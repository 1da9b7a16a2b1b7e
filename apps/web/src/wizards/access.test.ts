import { describe, expect, it } from 'vitest';
import { checkKey, stepChecks, WIZARDS, wizardChecks } from './wizardList';

describe('the writes a wizard asks about', () => {
  it('asks create and update of what each wizard writes, delete for Delete routing', () => {
    const verbs = (id: (typeof WIZARDS)[number]['id']) =>
      wizardChecks(id, 'bookinfo').map((c) => `${c.verb} ${c.resource}.${c.group} in ${c.namespace}`);
    expect(verbs('traffic-shifting')).toEqual([
      'create virtualservices.networking.istio.io in bookinfo',
      'update virtualservices.networking.istio.io in bookinfo',
      'create destinationrules.networking.istio.io in bookinfo',
      'update destinationrules.networking.istio.io in bookinfo',
    ]);
    expect(verbs('circuit-breaker')).toEqual([
      'create destinationrules.networking.istio.io in bookinfo',
      'update destinationrules.networking.istio.io in bookinfo',
    ]);
    expect(verbs('gateway')[0]).toBe('create gateways.networking.istio.io in bookinfo');
    expect(verbs('delete-routing')).toEqual([
      'delete virtualservices.networking.istio.io in bookinfo',
      'delete destinationrules.networking.istio.io in bookinfo',
    ]);
    for (const w of WIZARDS) expect(wizardChecks(w.id, 'x').length).toBeGreaterThan(0);
  });

  it('checks the exact writes of a preview: verb, kind, namespace and name (none for a create)', () => {
    const checks = stepChecks([
      { action: 'update', kind: 'DestinationRule', namespace: 'bookinfo', name: 'reviews' },
      { action: 'create', kind: 'VirtualService', namespace: 'bookinfo', name: 'reviews' },
      { action: 'update', kind: 'DestinationRule', namespace: 'bookinfo', name: 'reviews' },
      { action: 'delete', kind: 'Gateway', namespace: 'bookinfo', name: 'reviews-gw' },
    ]);
    expect(checks).toEqual([
      {
        verb: 'update',
        group: 'networking.istio.io',
        resource: 'destinationrules',
        namespace: 'bookinfo',
        name: 'reviews',
      },
      { verb: 'create', group: 'networking.istio.io', resource: 'virtualservices', namespace: 'bookinfo' },
      {
        verb: 'delete',
        group: 'networking.istio.io',
        resource: 'gateways',
        namespace: 'bookinfo',
        name: 'reviews-gw',
      },
    ]);
    expect(new Set(checks.map(checkKey)).size).toBe(3);
  });
});
