import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import {
  entityPath,
  SpanStatsResponseSchema,
  TraceResponseSchema,
  TracesResponseSchema,
  type EntityKind,
  type TraceResponse,
} from '@meshlens/contract';
import { request } from '../api/client';
import { queryKeys } from '../api/queries';

export interface TracesParams {
  duration: number;
  minDurationMs?: number;
  errorsOnly?: boolean;
  tag?: string;
  limit?: number;
  /** An edge's traces: only the calls to this service (`<service>.<namespace>`). */
  peer?: string;
}

export function tracesSearchParams(q: TracesParams): URLSearchParams {
  const p = new URLSearchParams({ duration: `${q.duration}s` });
  if (q.minDurationMs !== undefined) p.set('minDurationMs', String(q.minDurationMs));
  if (q.errorsOnly) p.set('errorsOnly', 'true');
  if (q.tag) p.set('tag', q.tag);
  if (q.limit !== undefined) p.set('limit', String(q.limit));
  if (q.peer) p.set('peer', q.peer);
  return p;
}

type Entity = { kind: EntityKind; namespace: string; name: string };

/** An entity's tracing answer (`traces` or `spans`) for these filters; `enabled` false: not fetched. */
function useEntityTracing<T>(
  suffix: 'traces' | 'spans',
  key: readonly unknown[],
  schema: z.ZodType<T>,
  e: Entity,
  params: URLSearchParams,
  refetchInterval: number | false,
  enabled: boolean,
) {
  return useQuery({
    enabled,
    queryKey: key,
    queryFn: ({ signal }) =>
      request<T>('GET', entityPath(e.namespace, e.kind, e.name, suffix), { query: params, signal, schema }),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}

/** An entity's recent traces (`enabled` false: not fetched). */
export function useTraces(e: Entity, q: TracesParams, refetchInterval: number | false, enabled = true) {
  const params = tracesSearchParams(q);
  const key = queryKeys.traces(e.kind, e.namespace, e.name, params.toString());
  return useEntityTracing('traces', key, TracesResponseSchema, e, params, refetchInterval, enabled);
}

/** Span statistics of an entity per peer, over the same traces as the list (same filters). */
export function useSpanStats(e: Entity, q: TracesParams, refetchInterval: number | false, enabled = true) {
  const params = tracesSearchParams(q);
  const key = queryKeys.spanStats(e.kind, e.namespace, e.name, params.toString());
  return useEntityTracing('spans', key, SpanStatsResponseSchema, e, params, refetchInterval, enabled);
}

/** One trace, every span (a trace does not change once complete: kept a while). */
export function useTrace(id: string, enabled = true) {
  return useQuery({
    enabled,
    queryKey: queryKeys.trace(id),
    queryFn: ({ signal }) =>
      request<TraceResponse>('GET', `/api/traces/${encodeURIComponent(id)}`, {
        signal,
        schema: TraceResponseSchema,
      }),
    staleTime: 60_000,
  });
}
