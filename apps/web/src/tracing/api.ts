import { useQuery } from '@tanstack/react-query';
import {
  entityPath,
  SpanStatsResponseSchema,
  TraceResponseSchema,
  TracesResponseSchema,
  type EntityKind,
  type SpanStatsResponse,
  type TraceResponse,
  type TracesResponse,
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

/** An entity's recent traces (`enabled` false: not fetched). */
export function useTraces(
  e: { kind: EntityKind; namespace: string; name: string },
  q: TracesParams,
  refetchInterval: number | false,
  enabled = true,
) {
  const params = tracesSearchParams(q);
  return useQuery({
    enabled,
    queryKey: queryKeys.traces(e.kind, e.namespace, e.name, params.toString()),
    queryFn: ({ signal }) =>
      request<TracesResponse>('GET', entityPath(e.namespace, e.kind, e.name, 'traces'), {
        query: params,
        signal,
        schema: TracesResponseSchema,
      }),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}

/** One trace, every span (a trace does not change once complete: kept a while). */
export function useTrace(id: string) {
  return useQuery({
    queryKey: queryKeys.trace(id),
    queryFn: ({ signal }) =>
      request<TraceResponse>('GET', `/api/traces/${encodeURIComponent(id)}`, {
        signal,
        schema: TraceResponseSchema,
      }),
    staleTime: 60_000,
  });
}

/** Span statistics of an entity per peer, over the same traces as the list (same filters). */
export function useSpanStats(
  e: { kind: EntityKind; namespace: string; name: string },
  q: TracesParams,
  refetchInterval: number | false,
  enabled = true,
) {
  const params = tracesSearchParams(q);
  return useQuery({
    enabled,
    queryKey: queryKeys.spanStats(e.kind, e.namespace, e.name, params.toString()),
    queryFn: ({ signal }) =>
      request<SpanStatsResponse>('GET', entityPath(e.namespace, e.kind, e.name, 'spans'), {
        query: params,
        signal,
        schema: SpanStatsResponseSchema,
      }),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}
