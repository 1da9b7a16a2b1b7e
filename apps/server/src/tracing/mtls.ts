/**
 * mTLS of a trace's calls. Envoy's spans carry no TLS tag, but every destination proxy reports each
 * request's `connection_security_policy` (`mutual_tls` or `none`) in `istio_requests_total`: for each call
 * of the trace (a client span and the server span under it) the console reads what the callee reported
 * for that caller → callee around the trace's time. One PromQL query per trace.
 */
import type { Span, Trace } from '@meshlens/contract';
import { anyOf } from '../prometheus/escape';
import type { PrometheusClient, VectorSample } from '../prometheus/client';

export type CallSecurity = NonNullable<Span['mtls']>;

/** How far around the trace the reports are read: a window holding the trace whatever the scrape interval. */
export const MTLS_WINDOW_SECONDS = 300;

interface Call {
  client: Span;
  server: Span;
}

const callKey = (srcApp: string, srcNs: string, dstApp: string, dstNs: string) =>
  `${srcNs}/${srcApp}>${dstNs}/${dstApp}`;

/** Each call of the trace whose caller and callee have an app and namespace. */
export function traceCalls(trace: Trace): Call[] {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  const calls: Call[] = [];
  for (const server of trace.spans) {
    if (server.kind !== 'server' || !server.parentId || !server.app || !server.namespace) continue;
    const client = byId.get(server.parentId);
    if (client?.kind !== 'client' || !client.app || !client.namespace) continue;
    calls.push({ client, server });
  }
  return calls;
}

/** The PromQL for these calls' security, or null when the trace has none. */
export function securityQuery(calls: readonly Call[]): string | null {
  const namespaces = [...new Set(calls.map((c) => c.server.namespace ?? ''))].sort();
  if (namespaces.length === 0) return null;
  return (
    'sum by (source_canonical_service, source_workload_namespace, destination_canonical_service, ' +
    'destination_workload_namespace, connection_security_policy) ' +
    `(increase(istio_requests_total{reporter="destination", ${anyOf('destination_workload_namespace', namespaces)}}` +
    `[${MTLS_WINDOW_SECONDS}s]))`
  );
}

/** Per call: mutual_tls when every request reported for that pair was, none when none was, else mixed. */
export function securityByCall(samples: readonly VectorSample[]): Map<string, CallSecurity> {
  const seen = new Map<string, { mtls: number; plain: number }>();
  for (const s of samples) {
    const m = s.metric;
    const n = Number(s.value[1]);
    if (!(n > 0)) continue;
    const key = callKey(
      m.source_canonical_service ?? '',
      m.source_workload_namespace ?? '',
      m.destination_canonical_service ?? '',
      m.destination_workload_namespace ?? '',
    );
    const acc = seen.get(key) ?? { mtls: 0, plain: 0 };
    if (m.connection_security_policy === 'mutual_tls') acc.mtls += n;
    else acc.plain += n;
    seen.set(key, acc);
  }
  const out = new Map<string, CallSecurity>();
  for (const [key, { mtls, plain }] of seen)
    out.set(key, mtls > 0 && plain === 0 ? 'mutual_tls' : plain > 0 && mtls === 0 ? 'none' : 'mixed');
  return out;
}

/**
 * The trace with each call's client and server span marked with its security, as the metrics report it.
 * Prometheus down or slow: the trace as it was and a warning.
 */
export async function withCallSecurity(
  prometheus: PrometheusClient,
  trace: Trace,
  nowSeconds: number,
): Promise<{ trace: Trace; warning?: string }> {
  const calls = traceCalls(trace);
  const promql = securityQuery(calls);
  if (!promql) return { trace };
  const end = (trace.startUs + trace.durationUs) / 1e6;
  // read at the end of a window that holds the trace, once that window has been scraped
  const time = Math.min(nowSeconds, end + MTLS_WINDOW_SECONDS / 2);
  let samples: VectorSample[];
  try {
    samples = (await prometheus.query(promql, { time, timeoutMs: 5_000 })).samples;
  } catch (err) {
    return {
      trace,
      warning: `mTLS of the calls is unknown: Prometheus did not answer (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  const byCall = securityByCall(samples);
  const mark = new Map<string, CallSecurity>();
  for (const { client, server } of calls) {
    const sec = byCall.get(
      callKey(client.app ?? '', client.namespace ?? '', server.app ?? '', server.namespace ?? ''),
    );
    if (!sec) continue;
    mark.set(server.spanId, sec);
    const before = mark.get(client.spanId);
    // a client span's retries are its server spans: one security for all, or mixed
    mark.set(client.spanId, before && before !== sec ? 'mixed' : sec);
  }
  if (mark.size === 0) return { trace };
  return {
    trace: {
      ...trace,
      spans: trace.spans.map((s) => {
        const mtls = mark.get(s.spanId);
        return mtls ? { ...s, mtls } : s;
      }),
    },
  };
}
