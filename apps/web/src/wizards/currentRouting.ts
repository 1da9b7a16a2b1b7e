/** What a service's routing is now: its versions (from the DestinationRule) and the weights its VirtualService gives them. */
import type { Weights } from './weights';

interface Subset {
  name?: string;
  labels?: Record<string, string>;
}
interface Destination {
  destination?: { host?: string; subset?: string };
  weight?: number;
}
interface HttpRoute {
  match?: unknown[];
  route?: Destination[];
}

/** Versions named by the DestinationRule's subsets (their `version` label, else the subset name). */
export function subsetVersions(dr: unknown): Map<string, string> {
  const subsets = ((dr as { spec?: { subsets?: Subset[] } } | undefined)?.spec?.subsets ?? []) as Subset[];
  const out = new Map<string, string>();
  for (const s of subsets) if (s.name) out.set(s.name, s.labels?.version ?? s.name);
  return out;
}

/**
 * The weights of the VirtualService's catch-all route (the last rule without a match), per version;
 * null when it has none or it does not split by subsets.
 */
export function currentWeights(
  vs: unknown,
  subsets: Map<string, string>,
  versions: string[],
): Weights | null {
  const http = ((vs as { spec?: { http?: HttpRoute[] } } | undefined)?.spec?.http ?? []) as HttpRoute[];
  const last = [...http].reverse().find((r) => !r.match || r.match.length === 0);
  if (!last?.route || last.route.length === 0) return null;
  const weights: Weights = Object.fromEntries(versions.map((v) => [v, 0]));
  for (const d of last.route) {
    const subset = d.destination?.subset;
    if (!subset) return null;
    const version = subsets.get(subset) ?? subset;
    weights[version] = (weights[version] ?? 0) + (d.weight ?? (last.route.length === 1 ? 100 : 0));
  }
  return Object.values(weights).reduce((a, b) => a + b, 0) === 100 ? weights : null;
}
