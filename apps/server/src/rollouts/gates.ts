/**
 * A step's gates, measured from Prometheus: two queries per evaluation whatever the number of versions
 * (requests by version and response code; latency buckets by version), split in memory. Both use
 * Istio's standard metrics as the destination's sidecar reports them (`reporter="destination"`: what the
 * version itself answered), for the service's versions over the step's window.
 */
import type { GateResult, RolloutGates } from '@meshlens/contract';
import { eq } from '../prometheus/escape';
import type { PrometheusClient, VectorSample } from '../prometheus/client';

export interface GateWindow {
  namespace: string;
  service: string;
  /** Seconds of traffic to look at (the step's wait). */
  windowSeconds: number;
}

/** The evaluation's two PromQL queries. */
export function gateQueries(w: GateWindow): { requests: string; buckets: string } {
  const sel = [
    eq('reporter', 'destination'),
    eq('destination_service_namespace', w.namespace),
    eq('destination_service_name', w.service),
  ].join(',');
  const range = `[${Math.max(1, Math.round(w.windowSeconds))}s]`;
  return {
    requests: `sum by (destination_version, response_code) (increase(istio_requests_total{${sel}}${range}))`,
    buckets: `sum by (destination_version, le) (increase(istio_request_duration_milliseconds_bucket{${sel}}${range}))`,
  };
}

/** Prometheus's histogram_quantile over cumulative buckets `[le, count]` (le may be +Inf). */
export function quantile(q: number, buckets: readonly (readonly [number, number])[]): number | null {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const last = sorted[sorted.length - 1];
  if (sorted.length < 2 || !last || last[0] !== Infinity) return null;
  const total = last[1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let i = sorted.findIndex(([, c]) => c >= rank);
  if (i < 0) i = sorted.length - 1;
  const [le, count] = sorted[i] as readonly [number, number];
  if (le === Infinity) return (sorted[sorted.length - 2] as readonly [number, number])[0];
  const [prevLe, prevCount] = i === 0 ? [0, 0] : (sorted[i - 1] as readonly [number, number]);
  if (i === 0 && le <= 0) return le;
  const inBucket = count - prevCount;
  if (inBucket <= 0) return le;
  return prevLe + (le - prevLe) * ((rank - prevCount) / inBucket);
}

export interface Measured {
  /** Requests and 5xx per version in the window. */
  requests: Map<string, { total: number; errors: number }>;
  /** Cumulative latency buckets per version. */
  buckets: Map<string, Map<number, number>>;
}

const num = (s: VectorSample) => Number(s.value[1]);

/** The two answers as per-version figures. */
export function measuredFrom(requests: VectorSample[], buckets: VectorSample[]): Measured {
  const req = new Map<string, { total: number; errors: number }>();
  for (const s of requests) {
    const v = s.metric.destination_version ?? 'unknown';
    const n = num(s);
    if (!Number.isFinite(n)) continue;
    const e = req.get(v) ?? { total: 0, errors: 0 };
    e.total += n;
    if (/^5\d\d$/.test(s.metric.response_code ?? '')) e.errors += n;
    req.set(v, e);
  }
  const b = new Map<string, Map<number, number>>();
  for (const s of buckets) {
    const v = s.metric.destination_version ?? 'unknown';
    const le = s.metric.le === '+Inf' ? Infinity : Number(s.metric.le);
    const n = num(s);
    if (Number.isNaN(le) || !Number.isFinite(n)) continue;
    const m = b.get(v) ?? new Map<number, number>();
    m.set(le, (m.get(le) ?? 0) + n);
    b.set(v, m);
  }
  return { requests: req, buckets: b };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** p95 of some versions together (their buckets summed). */
function p95Of(m: Measured, versions: readonly string[]): number | null {
  const sum = new Map<number, number>();
  for (const v of versions) for (const [le, c] of m.buckets.get(v) ?? []) sum.set(le, (sum.get(le) ?? 0) + c);
  return quantile(0.95, [...sum.entries()]);
}

/**
 * Every configured gate for `target` against the baseline versions. A gate with no data fails (nothing is
 * known about the new version), saying so.
 */
export function evaluateGates(
  gates: RolloutGates,
  m: Measured,
  target: string,
  baselineVersions: readonly string[],
  /**
   * The baseline's p95 measured at an earlier step: what the increase is measured against once the
   * baseline has no traffic left in the window (the last step, at 100 %).
   */
  earlierBaselineP95?: number | null,
): GateResult[] {
  const out: GateResult[] = [];
  const t = m.requests.get(target) ?? { total: 0, errors: 0 };
  const total = round(t.total, 1);
  out.push({
    gate: 'minRequests',
    threshold: gates.minRequests,
    measured: total,
    pass: t.total >= gates.minRequests,
    message:
      t.total >= gates.minRequests
        ? `${target} served ${total} requests (at least ${gates.minRequests})`
        : `${target} served ${total} requests, fewer than ${gates.minRequests}: not enough to judge it`,
  });
  const errorPct = t.total > 0 ? round((100 * t.errors) / t.total) : null;
  out.push({
    gate: 'errorPercent',
    threshold: gates.maxErrorPercent,
    measured: errorPct,
    pass: errorPct !== null && errorPct <= gates.maxErrorPercent,
    message:
      errorPct === null
        ? `no requests to ${target}: its error % is unknown`
        : `${target} answered ${errorPct} % 5xx (at most ${gates.maxErrorPercent} %)`,
  });
  if (gates.maxP95Ms !== undefined || gates.maxP95IncreasePercent !== undefined) {
    const raw = p95Of(m, [target]);
    const p95 = raw === null ? null : round(raw, 1);
    if (gates.maxP95Ms !== undefined)
      out.push({
        gate: 'p95Ms',
        threshold: gates.maxP95Ms,
        measured: p95,
        pass: p95 !== null && p95 <= gates.maxP95Ms,
        message:
          p95 === null
            ? `no latency data for ${target}`
            : `${target} p95 ${p95} ms (at most ${gates.maxP95Ms} ms)`,
      });
    if (gates.maxP95IncreasePercent !== undefined) {
      const rawBase = p95Of(m, baselineVersions);
      const earlier = rawBase === null && earlierBaselineP95 != null;
      const base = rawBase !== null ? round(rawBase, 1) : earlier ? (earlierBaselineP95 as number) : null;
      const increase =
        p95 !== null && base !== null && base > 0 ? round((100 * (p95 - base)) / base, 1) : null;
      out.push({
        gate: 'p95IncreasePercent',
        threshold: gates.maxP95IncreasePercent,
        measured: increase,
        baseline: base,
        pass: increase !== null && increase <= gates.maxP95IncreasePercent,
        message:
          increase === null
            ? `no latency data for ${p95 === null ? target : `the baseline (${baselineVersions.join(', ')})`}`
            : `${target} p95 ${p95} ms is ${increase} % ${increase >= 0 ? 'above' : 'below'} the baseline's ${base} ms${earlier ? ' (measured at an earlier step: the baseline has no traffic now)' : ''} (at most ${gates.maxP95IncreasePercent} % above)`,
      });
    }
  }
  return out;
}

/** Runs the two queries and evaluates the gates. */
export async function measureGates(
  prometheus: PrometheusClient,
  w: GateWindow & {
    gates: RolloutGates;
    target: string;
    baselineVersions: readonly string[];
    earlierBaselineP95?: number | null;
  },
): Promise<GateResult[]> {
  const q = gateQueries(w);
  const [requests, buckets] = await Promise.all([prometheus.query(q.requests), prometheus.query(q.buckets)]);
  return evaluateGates(
    w.gates,
    measuredFrom(requests.samples, buckets.samples),
    w.target,
    w.baselineVersions,
    w.earlierBaselineP95,
  );
}
