/**
 * Tracing in the simulation: spans as Envoy with Istio's tracing records them (a client span in the
 * caller's proxy, a server span per attempt in the callee's), sampled at the first proxy, served over
 * Jaeger's query API.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/simulate';
import { inventoryFromObjects } from '../src/engine/inventory';
import { renderText } from '../src/metrics/render';
import { scenarioObjects } from '../src/scenario/manifests';
import { jaegerQuery, parseGoDuration } from '../src/tracing/jaeger';
import { Tracer } from '../src/tracing/tracer';
import { spanTags, type RecordedSpan, type StoredTrace } from '../src/tracing/store';
import { send, simulation, yaml, type SimSetup } from './helpers';

const TRACED = { 'x-b3-sampled': '1' };

function traced(setup: SimSetup = {}, n = 40) {
  const { engine } = simulation(setup);
  engine.clock = 1_700_000_000_000;
  send(engine, n, { headers: TRACED });
  const store = engine.tracer!.store;
  const traces = store.find({
    service: 'istio-ingressgateway.istio-system',
    startUs: 0,
    endUs: Infinity,
    limit: 1e9,
  });
  return { engine, store, traces };
}

/** A VirtualService on details with `fault` (inline YAML) for every request. */
const detailsFault = (fault: string) =>
  yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: details }
spec:
  hosts: [details]
  http:
    - fault: ${fault}
      route: [{ destination: { host: details } }]
`);

const byId = (t: StoredTrace) => new Map(t.spans.map((s) => [s.spanId, s]));
const parentOf = (t: StoredTrace, s: RecordedSpan) => (s.parentId ? byId(t).get(s.parentId) : undefined);
const spansOf = (t: StoredTrace, service: string, kind: 'client' | 'server') =>
  t.spans.filter((s) => s.proxy.service === service && s.kind === kind);

describe('spans', () => {
  it('a traced request has gateway -> productpage -> reviews -> ratings in parent/child order', () => {
    const { traces } = traced();
    expect(traces).toHaveLength(40);
    // reviews v2 and v3 call ratings: find a trace through ratings
    const t = traces.find((x) => spansOf(x, 'ratings.bookinfo', 'server').length > 0)!;
    expect(t).toBeDefined();
    const roots = t.spans.filter((s) => !s.parentId);
    expect(roots.map((s) => [s.proxy.service, s.kind])).toEqual([
      ['istio-ingressgateway.istio-system', 'client'],
    ]);
    const ratings = spansOf(t, 'ratings.bookinfo', 'server')[0]!;
    const chain: string[] = [];
    for (let s: RecordedSpan | undefined = ratings; s; s = parentOf(t, s))
      chain.unshift(`${s.proxy.service}/${s.kind}`);
    expect(chain).toEqual([
      'istio-ingressgateway.istio-system/client',
      'productpage.bookinfo/server',
      'productpage.bookinfo/client',
      'reviews.bookinfo/server',
      'reviews.bookinfo/client',
      'ratings.bookinfo/server',
    ]);
    // one trace id and one x-request-id throughout; each child inside its parent's time
    expect(new Set(t.spans.map((s) => s.traceId)).size).toBe(1);
    expect(new Set(t.spans.map((s) => s.requestId)).size).toBe(1);
    for (const s of t.spans) {
      const p = parentOf(t, s);
      if (!p || s.kind === 'client') continue; // a server span sits inside its client span
      expect(s.startUs).toBeGreaterThanOrEqual(p.startUs);
      expect(s.startUs + s.durationUs).toBeLessThanOrEqual(p.startUs + p.durationUs + 1);
    }
    const tags = spanTags(ratings);
    expect(tags).toMatchObject({
      component: 'proxy',
      'span.kind': 'server',
      'istio.canonical_service': 'ratings',
      'istio.namespace': 'bookinfo',
      'http.status_code': '200',
      response_flags: '-',
      upstream_cluster: 'inbound|9080||',
    });
    expect(tags.node_id).toMatch(/^sidecar~[\d.]+~ratings-v1-[^.]+\.bookinfo~bookinfo\.svc\.cluster\.local$/);
    expect(spanTags(parentOf(t, ratings)!).upstream_cluster).toBe(
      'outbound|9080||ratings.bookinfo.svc.cluster.local',
    );
  });

  it("a delay fault stretches the caller's client span; the server span starts after the delay", () => {
    const { traces } = traced(
      { objects: detailsFault('{ delay: { percentage: { value: 100 }, fixedDelay: 2s } }') },
      10,
    );
    for (const t of traces) {
      const client = spansOf(t, 'productpage.bookinfo', 'client').find((s) =>
        s.operation.startsWith('details.'),
      )!;
      const server = spansOf(t, 'details.bookinfo', 'server')[0]!;
      expect(client.durationUs).toBeGreaterThanOrEqual(2_000_000);
      expect(client.durationUs).toBeLessThan(2_100_000);
      expect(client.flags).toBe('DI');
      expect(server.parentId).toBe(client.spanId);
      expect(server.startUs - client.startUs).toBeGreaterThanOrEqual(2_000_000);
    }
  });

  it('an abort fault is an errored client span with flag FI and no server span', () => {
    const { traces } = traced(
      { objects: detailsFault('{ abort: { percentage: { value: 100 }, httpStatus: 503 } }') },
      10,
    );
    for (const t of traces) {
      const client = spansOf(t, 'productpage.bookinfo', 'client').find((s) =>
        s.operation.startsWith('details.'),
      )!;
      expect(spanTags(client)).toMatchObject({
        error: true,
        response_flags: 'FI',
        'http.status_code': '503',
      });
      expect(spansOf(t, 'details.bookinfo', 'server')).toHaveLength(0);
    }
  });

  it('retries are sibling server spans under one client span', () => {
    const { traces } = traced({
      behaviour: { 'ratings-v1': { errorRate: 1, errorCodes: { '500': 1 } } },
      objects: yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings }
spec:
  hosts: [ratings]
  http:
    - route: [{ destination: { host: ratings } }]
      retries: { attempts: 2, retryOn: 5xx }
`),
    });
    const withRatings = traces.filter((t) => spansOf(t, 'ratings.bookinfo', 'server').length > 0);
    expect(withRatings.length).toBeGreaterThan(5);
    for (const t of withRatings) {
      const attempts = spansOf(t, 'ratings.bookinfo', 'server');
      expect(attempts).toHaveLength(3);
      const client = parentOf(t, attempts[0]!)!;
      expect(client.kind).toBe('client');
      expect(attempts.every((a) => a.parentId === client.spanId)).toBe(true);
      expect(spanTags(client)).toMatchObject({ error: true, response_flags: 'URX' });
      // attempts follow one another inside the client span
      const starts = attempts.map((a) => a.startUs);
      expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    }
  });
});

describe('sampling', () => {
  const run = (percent: number, headers: Record<string, string> = {}) => {
    const { scenario } = simulation();
    const engine = new Engine(scenario, inventoryFromObjects(scenarioObjects(scenario)), {
      seed: 7,
      tracing: { samplingPercent: percent },
    });
    send(engine, 100, { headers });
    return engine.tracer!.store.size;
  };

  it('traces about the configured share at the first proxy', () => {
    const share = (percent: number) => {
      const tracer = new Tracer({ samplingPercent: percent, seed: 7 });
      let n = 0;
      for (let i = 0; i < 10_000; i++) if (tracer.begin({})) n++;
      return n;
    };
    // binomial(10,000, p): sd ~30 at 10 %, ~10 at 1 %
    expect(share(10)).toBeGreaterThan(880);
    expect(share(10)).toBeLessThan(1120);
    expect(share(1)).toBeGreaterThan(60);
    expect(share(1)).toBeLessThan(140);
    expect(share(0)).toBe(0);
    expect(share(100)).toBe(10_000);
  });

  it('x-b3-sampled and traceparent force or refuse it for the whole request', () => {
    expect(run(0, { 'x-b3-sampled': '1' })).toBe(100);
    expect(run(100, { 'x-b3-sampled': '0' })).toBe(0);
    expect(run(0, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })).toBe(1);
    expect(run(100, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' })).toBe(0);
  });

  it('a sampled traceparent keeps its trace id and parent', () => {
    const { engine } = simulation();
    send(engine, 1, { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    const t = engine.tracer!.store.get('0af7651916cd43dd8448eb211c80319c')!;
    expect(t.spans.filter((s) => !byId(t).has(s.parentId ?? '')).map((s) => s.parentId)).toEqual([
      'b7ad6b7169203331',
    ]);
  });

  it('tracing changes nothing in the simulated traffic', () => {
    const metrics = (tracing: false | { samplingPercent: number }) => {
      const { scenario } = simulation();
      const engine = new Engine(scenario, inventoryFromObjects(scenarioObjects(scenario)), {
        seed: 42,
        tracing,
      });
      send(engine, 200, { headers: {} });
      return renderText(engine.store);
    };
    expect(metrics({ samplingPercent: 100 })).toBe(metrics(false));
  });

  it('holds at most maxTraces, dropping the oldest', () => {
    const { scenario } = simulation();
    const engine = new Engine(scenario, inventoryFromObjects(scenarioObjects(scenario)), {
      tracing: { samplingPercent: 100, maxTraces: 50 },
    });
    send(engine, 120);
    const store = engine.tracer!.store;
    expect(store.size).toBe(50);
    const all = store.find({
      service: 'productpage.bookinfo',
      startUs: -Infinity,
      endUs: Infinity,
      limit: 1000,
    });
    expect(all).toHaveLength(50);
    expect(store.spans).toBe(all.reduce((n, t) => n + t.spans.length, 0));
  });
});

describe("Jaeger's query API", () => {
  const { store, traces } = traced(
    { behaviour: { 'details-v1': { errorRate: 0.3, errorCodes: { '500': 1 } } } },
    60,
  );
  interface JSpan {
    spanID: string;
    processID: string;
    duration: number;
    tags: { key: string; value: unknown }[];
    references: { refType: string; traceID: string; spanID: string }[];
  }
  interface JTrace {
    traceID: string;
    spans: JSpan[];
    processes: Record<string, { serviceName: string }>;
  }
  const q = (path: string, params: Record<string, string | string[]> = {}) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) p.append(k, x);
    return jaegerQuery(store, path, p, 1_800_000_000_000_000) as {
      status: number;
      body: { data: unknown; total: number; errors: { code: number; msg: string }[] | null };
    };
  };
  const ALL = { start: '0' };

  it('lists services and operations', () => {
    expect(q('/api/services').body.data).toEqual([
      'details.bookinfo',
      'istio-ingressgateway.istio-system',
      'productpage.bookinfo',
      'ratings.bookinfo',
      'reviews.bookinfo',
    ]);
    expect(q('/api/services/details.bookinfo/operations').body.data).toEqual([
      'details.bookinfo.svc.cluster.local:9080/*',
    ]);
    expect(q('/api/operations', { service: 'productpage.bookinfo', spanKind: 'client' }).body.data).toEqual([
      { name: 'details.bookinfo.svc.cluster.local:9080/*', spanKind: 'client' },
      { name: 'reviews.bookinfo.svc.cluster.local:9080/*', spanKind: 'client' },
    ]);
  });

  it('searches by service, tags, duration and limit, newest first', () => {
    const all = q('/api/traces', { ...ALL, service: 'details.bookinfo', limit: '1000' }).body
      .data as JTrace[];
    expect(all).toHaveLength(60);
    const errors = q('/api/traces', {
      ...ALL,
      service: 'details.bookinfo',
      tags: '{"error":"true"}',
      limit: '1000',
    }).body.data as JTrace[];
    expect(errors.length).toBeGreaterThan(5);
    expect(errors.length).toBeLessThan(40);
    for (const t of errors)
      expect(
        t.spans.some(
          (s: JSpan) =>
            t.processes[s.processID]!.serviceName === 'details.bookinfo' &&
            s.tags.some((x) => x.key === 'error' && x.value === true),
        ),
      ).toBe(true);
    expect(
      q('/api/traces', { ...ALL, service: 'details.bookinfo', tag: 'error:true', limit: '1000' }).body.data,
    ).toHaveLength(errors.length);
    expect(q('/api/traces', { ...ALL, service: 'details.bookinfo', limit: '7' }).body.data).toHaveLength(7);
    // newest first: the last trace sent comes first
    expect(
      (q('/api/traces', { ...ALL, service: 'details.bookinfo', limit: '1' }).body.data as JTrace[])[0]!
        .traceID,
    ).toBe(traces[0]!.id);
    const slow = q('/api/traces', {
      ...ALL,
      service: 'productpage.bookinfo',
      minDuration: '10ms',
      limit: '1000',
    }).body.data as JTrace[];
    for (const t of slow)
      expect(
        t.spans.some(
          (s: JSpan) =>
            t.processes[s.processID]!.serviceName === 'productpage.bookinfo' && s.duration >= 10_000,
        ),
      ).toBe(true);
    // the default window is the last hour before `end`: these spans are older
    expect(q('/api/traces', { service: 'details.bookinfo' }).body.data).toEqual([]);
  });

  it("answers one trace in Jaeger's shape, or 404", () => {
    const id = traces[3]!.id;
    const res = q(`/api/traces/${id}`);
    expect(res.status).toBe(200);
    const t = (res.body.data as JTrace[])[0]!;
    expect(t.traceID).toBe(id);
    const span = t.spans[0]!;
    expect(Object.keys(span).sort()).toEqual(
      [
        'duration',
        'flags',
        'logs',
        'operationName',
        'processID',
        'references',
        'spanID',
        'startTime',
        'tags',
        'traceID',
        'warnings',
      ].sort(),
    );
    for (const s of t.spans) {
      expect(t.processes[s.processID]!.serviceName).toMatch(/\./);
      for (const r of s.references) expect(r).toMatchObject({ refType: 'CHILD_OF', traceID: id });
    }
    expect(q('/api/traces/00000000000000000000000000000bad')).toMatchObject({
      status: 404,
      body: { data: null, errors: [{ code: 404, msg: 'trace not found' }] },
    });
  });

  it('refuses bad parameters as Jaeger does', () => {
    const bad = (params: Record<string, string>, msg: RegExp) => {
      const res = q('/api/traces', params);
      expect(res.status).toBe(400);
      expect(res.body.errors![0]!.msg).toMatch(msg);
    };
    bad({}, /parameter 'service' is required/);
    bad(
      { service: 'x', minDuration: 'fast' },
      /unable to parse param 'minDuration': time: invalid duration "fast"/,
    );
    bad({ service: 'x', start: 'yesterday' }, /unable to parse param 'start'/);
    bad({ service: 'x', tags: '{"error":true' }, /malformed 'tags' parameter/);
    bad(
      { service: 'x', minDuration: '2s', maxDuration: '1s' },
      /'maxDuration' should be greater than 'minDuration'/,
    );
    expect(q('/api/traces/not-hex').status).toBe(400);
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500_000);
    expect(parseGoDuration('250ms')).toBe(250_000);
    expect(parseGoDuration('1500us')).toBe(1500);
  });
});
