/**
 * Changes as markers on time axes (the graph's replay bar, the metrics charts): small vertical marks with
 * a tooltip naming the change. One light query of the history per view (no polling beyond a minute).
 */
import { useMemo } from 'react';
import type { ChangeSummary } from '@meshlens/contract';
import { useChanges } from './api';

export interface ChangeMarker {
  /** Unix seconds. */
  time: number;
  /** `12:03:10 · traffic shifting reviews: v1 80, v2 20 (alice)`. */
  label: string;
  id: string;
  namespace: string;
}

export function markerOf(c: ChangeSummary): ChangeMarker {
  const at = new Date(c.at);
  const who = c.source === 'external' ? `${c.actor}, outside the console` : c.actor;
  return {
    time: Math.floor(at.getTime() / 1000),
    label: `${at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })} · ${c.summary} (${who})`,
    id: c.id,
    namespace: c.namespace,
  };
}

/** The changes of `namespace` (all readable ones when undefined) in the last `since`, as markers. */
export function useChangeMarkers(
  namespace: string | undefined,
  since = '1d',
  enabled = true,
): ChangeMarker[] {
  const list = useChanges({ namespace, since, limit: 200 }, enabled ? 60_000 : false, enabled);
  return useMemo(() => (list.data?.changes ?? []).map(markerOf), [list.data]);
}

/**
 * The markers within [from, to], placed as a fraction of it (0 = from, 1 = to). `slack`: seconds after
 * `to` still shown, at its end (a track that ends at a rounded "now" would otherwise drop the changes made
 * in the last few seconds).
 */
export function placed(markers: readonly ChangeMarker[], from: number, to: number, slack = 0) {
  if (!(to > from)) return [];
  return markers
    .filter((m) => m.time >= from && m.time <= to + slack)
    .map((m) => ({ ...m, at: Math.min(1, (m.time - from) / (to - from)) }));
}

/**
 * Placed markers closer than `gap` (a fraction of the track) merged into one, so that marks do not cover
 * each other: its label lists every change in it (oldest first), its time is the newest one's.
 */
export function grouped<T extends ChangeMarker & { at: number }>(marks: readonly T[], gap = 0.01): T[] {
  const sorted = [...marks].sort((a, b) => a.at - b.at);
  const out: T[] = [];
  for (const m of sorted) {
    const last = out.at(-1);
    if (last && m.at - last.at < gap)
      out[out.length - 1] = { ...m, label: `${last.label}\n${m.label}`, id: `${last.id}+${m.id}` };
    else out.push(m);
  }
  return out;
}
