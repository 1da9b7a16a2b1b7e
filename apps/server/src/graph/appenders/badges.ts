import { configForHost, mergeConfig, NO_CONFIG } from '../../inventory/hosts';
import type { InventorySnapshot } from '../../inventory/types';
import type { TrafficMap } from '../model';

/**
 * Istio config badges (VirtualService, DestinationRule, shifting, routing, faults, timeouts, retries,
 * circuit breaker, mirroring). They belong to service and service-entry nodes; without service nodes they
 * go to the nodes traffic reached through the configured services, so the information is not lost.
 */
export function applyBadges(
  map: TrafficMap,
  inventory: Pick<InventorySnapshot, 'hostConfig'>,
  serviceNodesShown: boolean,
): void {
  for (const n of map.nodes.values()) {
    if (n.type === 'service' || n.type === 'serviceEntry') {
      const host = n.host ?? [...n.destServices][0];
      if (host) n.badges = { ...configForHost(inventory, host) };
    } else if (!serviceNodesShown && n.destServices.size > 0) {
      let config = NO_CONFIG;
      for (const host of n.destServices) config = mergeConfig(config, configForHost(inventory, host));
      n.badges = { ...config };
    }
  }
}
