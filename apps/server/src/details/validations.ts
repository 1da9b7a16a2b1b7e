/**
 * Validation of the Istio objects a detail page lists: the mesh from the informer cache validated once
 * per inventory change (memoized on the snapshot), each object's result looked up by kind and name.
 */
import type { IstioRef, ObjectValidationResult } from '@meshlens/contract';
import { validateMesh } from '@meshlens/istio';
import type { Inventory } from '../inventory/informers';
import type { InventorySnapshot } from '../inventory/types';
import { meshFrom } from '../istio/checks';
import type { IstioCrds } from '../istio/crds';

export interface Validations {
  of(refs: readonly Omit<IstioRef, 'validation'>[]): IstioRef[];
}

const key = (kind: string, namespace: string, name: string) => `${kind}\u0000${namespace}\u0000${name}`;

export function createValidations(deps: {
  inventory: Pick<Inventory, 'list'>;
  snapshot: () => InventorySnapshot;
  crds: () => IstioCrds;
}): Validations {
  let memo: { snap: InventorySnapshot; byKey: Map<string, ObjectValidationResult> } | undefined;
  const results = () => {
    const snap = deps.snapshot();
    if (memo?.snap === snap) return memo.byKey;
    const byKey = new Map<string, ObjectValidationResult>();
    for (const v of validateMesh(meshFrom(deps.inventory), { schemas: deps.crds().schemas }))
      byKey.set(key(v.kind, v.namespace, v.name), v);
    memo = { snap, byKey };
    return byKey;
  };
  return {
    of(refs) {
      if (refs.length === 0) return [];
      const byKey = results();
      return refs.map((r) => {
        const v = byKey.get(key(r.kind, r.namespace, r.name));
        return v ? { ...r, validation: v } : { ...r };
      });
    },
  };
}
