/**
 * The ClusterRole aggregation controller: a ClusterRole with an `aggregationRule` gets, as its rules, the
 * rules of every other ClusterRole whose labels match one of its selectors (in selector, then name order,
 * without duplicates). `edit` carries the label that `admin` selects and `view` the one `edit` selects, so
 * the chain settles in a few passes.
 */
import { asSystem } from '../auth/context';
import type { Cluster } from '../cluster';
import { matchesLabels, selectorFromLabelSelector } from '../selectors';
import type { KObject } from '../types';
import { deepEqual } from '../util';
import { KEYS, RBAC_GROUP } from './authorizer';

export class RoleAggregator {
  private scheduled = false;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly cluster: Cluster) {
    cluster.store.onChange((key) => {
      if (key === KEYS.clusterRoles) this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() =>
      asSystem(() => {
        try {
          this.reconcileAll();
        } catch (e) {
          process.stderr.write(`demo-cluster: role aggregation failed: ${(e as Error).stack ?? String(e)}\n`);
        }
        this.scheduled = false;
        for (const r of this.idle.splice(0)) r();
      }),
    );
  }

  settled(): Promise<void> {
    return this.scheduled ? new Promise((resolve) => this.idle.push(resolve)) : Promise.resolve();
  }

  /** Brings every aggregated ClusterRole up to date (until nothing changes). */
  reconcileAll(): void {
    const t = this.cluster.registry.byResource(RBAC_GROUP, 'clusterroles');
    if (!t) return;
    for (let pass = 0; pass < 10; pass++) {
      let changed = false;
      const all = this.cluster.store.list(KEYS.clusterRoles);
      for (const role of all) {
        const selectors = (role.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined)
          ?.clusterRoleSelectors;
        if (!Array.isArray(selectors)) continue;
        const rules: unknown[] = [];
        for (const sel of selectors) {
          const s = selectorFromLabelSelector(sel);
          for (const other of all) {
            if (other.metadata.name === role.metadata.name || !matchesLabels(s, other.metadata.labels))
              continue;
            for (const r of Array.isArray(other.rules) ? other.rules : [])
              if (!rules.some((x) => deepEqual(x, r))) rules.push(r);
          }
        }
        if (deepEqual(rules, role.rules ?? [])) continue;
        this.cluster.systemPut(t, { ...role, rules } as KObject);
        changed = true;
      }
      if (!changed) return;
    }
  }
}
