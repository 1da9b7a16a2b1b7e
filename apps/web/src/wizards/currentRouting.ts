/** What a service's routing is now: its versions (from the DestinationRule) and the weights its VirtualService gives them. */
import { evenWeights, type Weights } from './weights';

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

/**
 * The versions a wizard offers: those the service's workloads run (`running`, from the server), and the
 * DestinationRule's subsets that select no running version apart (`idle`: an intent naming them would be
 * refused). Without the server's answer: the graph's versions and the subsets', as they are.
 */
export function wizardVersions({
  running,
  graph,
  subsets,
}: {
  running: string[] | undefined;
  graph: string[];
  subsets: Map<string, string>;
}): { versions: string[]; idle: string[] } {
  const named = [...new Set(subsets.values())];
  if (!running) return { versions: [...new Set([...graph, ...named])].sort(), idle: [] };
  return { versions: [...running].sort(), idle: named.filter((v) => !running.includes(v)).sort() };
}

/**
 * The weights a shifting form opens with: the current ones, if every version they send traffic to is
 * offered; else an even split over the offered versions (so it opens with values the server accepts).
 */
export function startingWeights(current: Weights | null, versions: string[]): Weights {
  if (current && Object.entries(current).every(([v, w]) => w === 0 || versions.includes(v)))
    return Object.fromEntries(versions.map((v) => [v, current[v] ?? 0]));
  return evenWeights(versions);
}
