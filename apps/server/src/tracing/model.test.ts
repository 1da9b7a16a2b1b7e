/**
 * Jaeger's traces in the console's model, on a recorded answer of the demo's Jaeger query API (Bookinfo,
 * a 50 % abort fault on details, ratings failing 40 % with two retries on 5xx).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EMPTY_SNAPSHOT, type InventorySnapshot } from '../inventory/types';
import { JaegerTraceSchema } from './jaegerClient';
import { entitySpan, spanStats, summarize, toTrace } from './model';
import { entitySpans, ownSpanMatches, redact } from './router';

const recorded = z
  .object({ data: z.array(JaegerTraceSchema) })
  .parse(JSON.parse(readFileSync(new URL('./__fixtures__/bookinfo-traces.json', import.meta.url), 'utf8')));
const traces = recorded.data.map(toTrace);

const workload = (name: string, app: string, version: string) => ({
  namespace: 'bookinfo',
  name,
  kind: 'Deployment',
  labels: { app, version },
  annotations: {},
  app,
  version,
  pods: 1,
  podsWithSidecar: 1,
  isGateway: false,
});
const SNAP: InventorySnapshot = {
  ...EMPTY_SNAPSHOT,
  synced: true,
  workloads: [
    workload('reviews-v1', 'reviews', 'v1'),
    workload('reviews-v2', 'reviews', 'v2'),
    workload('details-v1', 'details', 'v1'),
  ],
  services: [
    { namespace: 'bookinfo', name: 'reviews', labels: {}, annotations: {}, selector: { app: 'reviews' } },
    { namespace: 'bookinfo', name: 'details', labels: {}, annotations: {}, selector: { app: 'details' } },
  ],
};

describe('toTrace', () => {
  it('reads parents, proxies and Istio tags; spans in start order', () => {
    for (const t of traces) {
      const ids = new Set(t.spans.map((s) => s.spanId));
      expect(t.spans[0]!.service).toBe('istio-ingressgateway.istio-system');
      expect(t.spans.filter((s) => !s.parentId || !ids.has(s.parentId))).toHaveLength(1);
      const starts = t.spans.map((s) => s.startUs);
      expect([...starts].sort((a, b) => a - b)).toEqual(starts);
      expect(t.startUs).toBe(starts[0]);
      expect(t.durationUs).toBe(Math.max(...t.spans.map((s) => s.startUs + s.durationUs)) - t.startUs);
    }
    const ratings = traces.flatMap((t) => t.spans).find((s) => s.service === 'ratings.bookinfo')!;
    expect(ratings).toMatchObject({
      app: 'ratings',
      namespace: 'bookinfo',
      kind: 'server',
      upstreamCluster: 'inbound|9080||',
    });
    expect(ratings.pod).toMatch(/^ratings-v1-/);
    const aborted = traces.flatMap((t) => t.spans).filter((s) => s.responseFlags === 'FI');
    expect(aborted.length).toBeGreaterThan(0);
    for (const s of aborted)
      expect(s).toMatchObject({
        kind: 'client',
        error: true,
        statusCode: 503,
        service: 'productpage.bookinfo',
      });
  });
});

describe('entity spans', () => {
  it('maps an app, a workload and a service to its tracing service and own spans', () => {
    expect(entitySpans(SNAP, 'apps', 'bookinfo', 'reviews')).toEqual({ service: 'reviews.bookinfo' });
    expect(entitySpans(SNAP, 'workloads', 'bookinfo', 'reviews-v2')).toEqual({
      service: 'reviews.bookinfo',
      podPrefix: 'reviews-v2-',
      tags: { 'istio.canonical_revision': 'v2' },
    });
    // two workloads of one app with the same version: the backend cannot tell them apart
    const twins = {
      ...SNAP,
      workloads: [...SNAP.workloads, { ...workload('reviews-v2b', 'reviews', 'v2') }],
    };
    expect(entitySpans(twins, 'workloads', 'bookinfo', 'reviews-v2')).toEqual({
      service: 'reviews.bookinfo',
      podPrefix: 'reviews-v2-',
    });
    expect(entitySpans(SNAP, 'services', 'bookinfo', 'details')).toEqual({
      service: 'details.bookinfo',
      operationPrefix: 'details.bookinfo.svc.',
    });
    expect(entitySpans(SNAP, 'apps', 'bookinfo', 'nope')).toBeUndefined();
  });

  it("a workload's spans are its pods' only; the summary shows the entity's server span", () => {
    const v2 = { service: 'reviews.bookinfo', podPrefix: 'reviews-v2-' };
    const withV2 = traces.filter((t) => t.spans.some(ownSpanMatches(v2, { errorsOnly: false })));
    const withReviews = traces.filter((t) =>
      t.spans.some(ownSpanMatches({ service: 'reviews.bookinfo' }, { errorsOnly: false })),
    );
    expect(withV2.length).toBeGreaterThan(0);
    expect(withV2.length).toBeLessThan(withReviews.length);
    const s = summarize(withV2[0]!, v2);
    expect(s.entity?.operation).toBe('reviews.bookinfo.svc.cluster.local:9080/*');
    expect(entitySpan(withV2[0]!, v2)?.pod).toMatch(/^reviews-v2-/);
    expect(s.rootService).toBe('istio-ingressgateway.istio-system');
  });

  it('filters as Jaeger matches: one own span meeting every condition', () => {
    const pp = { service: 'productpage.bookinfo' };
    const errored = traces.filter((t) => t.spans.some(ownSpanMatches(pp, { errorsOnly: true })));
    expect(errored.length).toBeGreaterThan(0);
    expect(errored.length).toBeLessThan(traces.length);
    const fi = traces.filter((t) =>
      t.spans.some(ownSpanMatches(pp, { errorsOnly: false, tag: { key: 'response_flags', value: 'FI' } })),
    );
    expect(fi.map((t) => t.id)).toEqual(
      errored.filter((t) => t.spans.some((s) => s.responseFlags === 'FI')).map((t) => t.id),
    );
    // an error elsewhere in the trace is not the entity's
    const details = { service: 'details.bookinfo' };
    expect(traces.filter((t) => t.spans.some(ownSpanMatches(details, { errorsOnly: true })))).toEqual([]);
    // an edge's traces: productpage's calls to details only, with the fault's errors among them
    const calls = (peer: string, errorsOnly: boolean) =>
      traces.filter((t) => t.spans.some(ownSpanMatches(pp, { errorsOnly, peer })));
    expect(calls('details.bookinfo', true).map((t) => t.id)).toEqual(errored.map((t) => t.id));
    expect(calls('reviews.bookinfo', true)).toEqual([]);
    expect(calls('reviews.bookinfo', false)).toHaveLength(traces.length);
    const slow = traces.filter((t) =>
      t.spans.some(ownSpanMatches(pp, { errorsOnly: false, minDurationMs: 1e6 })),
    );
    expect(slow).toEqual([]);
  });
});

describe('span statistics', () => {
  it('counts inbound by caller and outbound by callee, with errors and percentiles', () => {
    const stats = spanStats(traces, { service: 'reviews.bookinfo' });
    const inbound = stats.find((s) => s.direction === 'inbound')!;
    expect(inbound.peer).toBe('productpage.bookinfo');
    expect(inbound.count).toBe(
      traces.filter((t) => t.spans.some((s) => s.service === 'reviews.bookinfo' && s.kind === 'server'))
        .length,
    );
    expect(inbound.p95Ms).toBeGreaterThanOrEqual(inbound.p50Ms);
    const out = stats.find((s) => s.direction === 'outbound')!;
    expect(out.peer).toBe('ratings.bookinfo.svc.cluster.local:9080/*');
    // ratings fails 40 % of its attempts (each attempt a server span of its own)
    const ratings = spanStats(traces, { service: 'ratings.bookinfo' }).find(
      (s) => s.direction === 'inbound',
    )!;
    expect(ratings.peer).toBe('reviews.bookinfo');
    expect(ratings.count).toBeGreaterThan(out.count);
    expect(ratings.errorPercent).toBeGreaterThan(0);
    expect(ratings.errorPercent).toBeLessThan(100);
  });
});

describe('redact', () => {
  it('keeps the timing of spans outside what the user reads, and nothing else', () => {
    const t = traces[0]!;
    const r = redact(t, new Set(['bookinfo']));
    const gateway = r.spans.find((s) => s.spanId === t.spans[0]!.spanId)!;
    expect(gateway).toEqual({
      spanId: t.spans[0]!.spanId,
      parentId: t.spans[0]!.parentId,
      service: 'no access',
      kind: 'client',
      operation: '',
      startUs: t.spans[0]!.startUs,
      durationUs: t.spans[0]!.durationUs,
      error: t.spans[0]!.error,
      tags: {},
    });
    expect(r.spans.slice(1)).toEqual(t.spans.slice(1));
    expect(redact(t, 'all')).toBe(t);
  });
});

describe('a very large or deep trace from the backend', () => {
  it('is read without exhausting the stack: 200,000 spans, each the child of the one before', () => {
    const n = 200_000;
    const spans = Array.from({ length: n }, (_, i) => ({
      traceID: 'deep',
      spanID: `s${i}`,
      operationName: 'op',
      references: i ? [{ refType: 'CHILD_OF', traceID: 'deep', spanID: `s${i - 1}` }] : [],
      // all in one microsecond: the order is the parents' (depth), not the start
      startTime: 1_000,
      duration: 10,
      tags: [],
      processID: 'p1',
    }));
    const raw = JaegerTraceSchema.parse({
      traceID: 'deep',
      spans: spans.reverse(),
      processes: { p1: { serviceName: 'x.bookinfo', tags: [] } },
    });
    const t = toTrace(raw);
    expect(t.spans).toHaveLength(n);
    expect(t.spans[0]!.spanId).toBe('s0');
    expect(t.spans[n - 1]!.spanId).toBe(`s${n - 1}`);
    expect(t.startUs).toBe(1_000);
    expect(t.durationUs).toBe(10);
  });
});
