/**
 * Telemetry settings that cut the metrics' cost: overrides disabled per mode (CLIENT / SERVER /
 * CLIENT_AND_SERVER), histogram buckets per pod (statsHistogramBuckets annotation) or mesh-wide, and the
 * large-mesh profile. Assertions read the rendered exposition text.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/simulate';
import { inventoryFromObjects } from '../src/engine/inventory';
import { FragmentTable } from '../src/metrics/labels';
import { exposedSeries, renderText } from '../src/metrics/render';
import { MetricsStore } from '../src/metrics/store';
import {
  HISTOGRAM_BUCKETS_ANNOTATION,
  disabledByReporter,
  histogramLayout,
  parseDisabledMetrics,
  parseHistogramBuckets,
  telemetrySettings,
  type HistogramBucketsSpec,
} from '../src/metrics/telemetry';
import { loadScenario, type KubeObject } from '../src/scenario/load';
import { scenarioObjects } from '../src/scenario/manifests';
import { parseExposition, send, type Series } from './helpers';

const DURATION = 'istio_request_duration_milliseconds';
const family = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
const withoutLe = (l: Record<string, string>) =>
  JSON.stringify(Object.entries(l).filter(([k]) => k !== 'le'));

/** Reporters seen per family. */
function reporters(series: Series[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const s of series) (out[family(s.name)] ??= new Set()).add(s.labels.reporter ?? '');
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** `le` lists per histogram series of a family, in exposition order. */
function leLists(series: Series[], name: string, match: Record<string, string> = {}): string[][] {
  const lists = new Map<string, string[]>();
  for (const s of series) {
    if (s.name !== `${name}_bucket`) continue;
    if (Object.entries(match).some(([k, v]) => s.labels[k] !== v)) continue;
    const k = withoutLe(s.labels);
    lists.set(k, [...(lists.get(k) ?? []), s.labels.le!]);
  }
  return [...lists.values()];
}

/** The travels demo (meshed callers, an unmeshed caller, gRPC, TCP), 10 simulated seconds. */
function travels(histogramBuckets?: HistogramBucketsSpec): Engine {
  const scenario = loadScenario('travels');
  const engine = new Engine(scenario, inventoryFromObjects(scenarioObjects(scenario)), {
    seed: 5,
    ...(histogramBuckets ? { histogramBuckets } : {}),
  });
  for (let i = 0; i < 50; i++) engine.tick(i * 200, 200);
  return engine;
}

describe('Telemetry overrides with a mode', () => {
  it('parses METRIC and METRIC:MODE; a plain name is CLIENT_AND_SERVER', () => {
    expect(parseDisabledMetrics('request_size, RESPONSE_SIZE:SERVER,REQUEST_DURATION:client')).toEqual([
      { metric: 'REQUEST_SIZE' },
      { metric: 'RESPONSE_SIZE', mode: 'SERVER' },
      { metric: 'REQUEST_DURATION', mode: 'CLIENT' },
    ]);
    const d = disabledByReporter(
      parseDisabledMetrics('REQUEST_SIZE,RESPONSE_SIZE:SERVER,REQUEST_DURATION:CLIENT'),
    );
    expect([...d.source].sort()).toEqual(['REQUEST_DURATION', 'REQUEST_SIZE']);
    expect([...d.destination].sort()).toEqual(['REQUEST_SIZE', 'RESPONSE_SIZE']);
    expect(disabledByReporter([{ metric: 'ALL_METRICS', mode: 'SERVER' }]).destination.size).toBe(10);
    expect(() => parseDisabledMetrics('REQUEST_SIZES')).toThrow(/unknown metric REQUEST_SIZES/);
    expect(() => parseDisabledMetrics('REQUEST_SIZE:INBOUND')).toThrow(/unknown mode INBOUND/);
    expect(() => parseDisabledMetrics('REQUEST_SIZE:SERVER:X')).toThrow(/METRIC:MODE/);
  });

  it('a metric off for SERVER keeps the client report, off for CLIENT keeps the server one', () => {
    const engine = travels();
    const full = reporters(parseExposition(renderText(engine.store)));
    expect(full[DURATION]).toEqual(['destination', 'source']);
    const disabled = disabledByReporter(
      parseDisabledMetrics('REQUEST_DURATION:SERVER,REQUEST_SIZE:CLIENT,RESPONSE_SIZE:CLIENT_AND_SERVER'),
    );
    const series = parseExposition(renderText(engine.store, disabled));
    const seen = reporters(series);
    expect(seen[DURATION]).toEqual(['source']);
    expect(seen.istio_request_bytes).toEqual(['destination']);
    expect(seen.istio_response_bytes).toBeUndefined();
    expect(seen.istio_requests_total).toEqual(['destination', 'source']);
    expect(seen.istio_tcp_sent_bytes_total).toEqual(['destination', 'source']);
    // Faithful to Istio: the server's report of calls from an unmeshed caller is gone with it.
    const fromUnknown = (name: string) =>
      series.filter((s) => s.name === name && s.labels.source_workload === 'unknown').length;
    expect(fromUnknown('istio_requests_total')).toBeGreaterThan(0);
    expect(fromUnknown(`${DURATION}_bucket`)).toBe(0);
    // The family is not declared when nothing of it is reported.
    expect(renderText(engine.store, disabled)).not.toContain('# TYPE istio_response_bytes');
    expect(exposedSeries(engine.store, disabled)).toBe(series.length);
  });

  it('ALL_METRICS for SERVER leaves only the client reports', () => {
    const engine = travels();
    const disabled = disabledByReporter([{ metric: 'ALL_METRICS', mode: 'SERVER' }]);
    const series = parseExposition(renderText(engine.store, disabled)).filter(
      (s) => s.name !== 'istio_build',
    );
    expect(series.length).toBeGreaterThan(0);
    expect(new Set(series.map((s) => s.labels.reporter))).toEqual(new Set(['source']));
  });
});

describe('histogram buckets (sidecar.istio.io/statsHistogramBuckets)', () => {
  it('reads the annotation JSON or a plain list; rejects what Envoy would', () => {
    expect(parseHistogramBuckets('{"istiocustom":[10,1,5,5]}')).toEqual({ istiocustom: [1, 5, 10] });
    expect(parseHistogramBuckets('1, 5,10')).toEqual({ istiocustom: [1, 5, 10] });
    expect(() => parseHistogramBuckets('{"istiocustom":[0,5]}')).toThrow(/0 is not a positive number/);
    expect(() => parseHistogramBuckets('{"istiocustom":[]}')).toThrow(/non-empty list/);
    expect(() => parseHistogramBuckets('1,,5')).toThrow(/null is not a positive number/);
    expect(() => parseHistogramBuckets('{"istiocustom":')).toThrow(/not valid JSON/);
    expect(() => parseHistogramBuckets('[1,2]')).toThrow(/expected a JSON object/);
  });

  it('prefixes match stat names istiocustom.<family>, sorted, first match wins (as Istio and Envoy do)', () => {
    const l = histogramLayout({ 'istiocustom.istio_response_bytes': [100, 1000], istiocustom: [1, 2] });
    expect(l.duration.bounds).toEqual([1, 2]);
    expect(l.responseBytes.bounds).toEqual([1, 2]); // `istiocustom` sorts first and shadows the longer prefix
    const only = histogramLayout({ 'istiocustom.istio_response_bytes': [100, 1000] });
    expect(only.responseBytes.bounds).toEqual([100, 1000]);
    expect(only.duration.bounds).toHaveLength(19); // Envoy's defaults
    expect(histogramLayout({ cluster_manager: [1] }).requestBytes.bounds).toHaveLength(19);
  });

  it('counts observations into the given buckets: cumulative, +Inf = _count, exact _sum', () => {
    const store = new MetricsStore();
    const table = new FragmentTable();
    const src = table.source({
      source_workload: 'a',
      source_canonical_service: 'a',
      source_canonical_revision: 'v1',
      source_workload_namespace: 'ns',
      source_principal: 'unknown',
      source_app: 'a',
      source_version: 'v1',
      source_cluster: 'Kubernetes',
    });
    const dst = table.destination({
      destination_workload: 'b',
      destination_workload_namespace: 'ns',
      destination_principal: 'unknown',
      destination_app: 'b',
      destination_version: 'v1',
      destination_service: 'b.ns.svc.cluster.local',
      destination_canonical_service: 'b',
      destination_canonical_revision: 'v1',
      destination_service_name: 'b',
      destination_service_namespace: 'ns',
      destination_cluster: 'Kubernetes',
    });
    const buckets = histogramLayout({ istiocustom: [5, 10, 50] });
    for (const ms of [3, 5, 7.9, 60, 20000])
      store.recordHttp({
        reporter: 'source',
        source: src,
        destination: dst,
        protocol: 'http',
        code: 200,
        grpcStatus: '',
        flags: '-',
        security: 'unknown',
        durationMs: ms,
        requestBytes: 100,
        responseBytes: 7,
        buckets,
      });
    const series = parseExposition(renderText(store));
    const values = (name: string) => series.filter((s) => s.name === name).map((s) => [s.labels.le, s.value]);
    // Envoy records whole milliseconds: 3, 5, 7, 60, 20000; `le` is inclusive.
    expect(values(`${DURATION}_bucket`)).toEqual([
      ['5', 2],
      ['10', 3],
      ['50', 3],
      ['+Inf', 5],
    ]);
    expect(values(`${DURATION}_sum`)).toEqual([[undefined, 20075]]);
    expect(values(`${DURATION}_count`)).toEqual([[undefined, 5]]);
    expect(values('istio_response_bytes_bucket').map(([, v]) => v)).toEqual([0, 5, 5, 5]);
  });

  it('mesh-wide buckets apply to every proxy; counts stay consistent with requests_total', () => {
    const series = parseExposition(renderText(travels({ istiocustom: [1, 10, 100, 1000] }).store));
    const lists = leLists(series, DURATION);
    expect(lists.length).toBeGreaterThan(10);
    for (const l of lists) expect(l).toEqual(['1', '10', '100', '1000', '+Inf']);
    for (const l of leLists(series, 'istio_request_bytes'))
      expect(l).toEqual(['1', '10', '100', '1000', '+Inf']);
    const byKey = (name: string) =>
      new Map(series.filter((s) => s.name === name).map((s) => [withoutLe(s.labels), s.value]));
    const inf = new Map(
      series
        .filter((s) => s.name === `${DURATION}_bucket` && s.labels.le === '+Inf')
        .map((s) => [withoutLe(s.labels), s.value]),
    );
    const counts = byKey(`${DURATION}_count`);
    const totals = byKey('istio_requests_total');
    for (const [k, v] of inf) {
      expect(counts.get(k)).toBe(v);
      expect(totals.get(k)).toBe(v);
    }
  });

  it("a pod's annotation sets its own proxy's buckets (its server reports), and wins over the mesh-wide ones", () => {
    const scenario = loadScenario('bookinfo');
    const objects = scenarioObjects(scenario);
    const annotate = (name: string, value: string) => {
      const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as KubeObject & {
        spec: { template: { metadata: { annotations?: Record<string, string> } } };
      };
      d.spec.template.metadata.annotations = { [HISTOGRAM_BUCKETS_ANNOTATION]: value };
    };
    annotate('ratings-v1', '{"istiocustom":[2,20,200]}');
    annotate('details-v1', '{"istiocustom":[0]}'); // refused by Envoy: Istio's defaults instead
    const engine = new Engine(scenario, inventoryFromObjects(objects), {
      seed: 3,
      histogramBuckets: { istiocustom: [7, 70] },
    });
    send(engine, 300, { headers: {} });
    const series = parseExposition(renderText(engine.store));
    const les = (match: Record<string, string>) =>
      new Set(leLists(series, DURATION, match).map((l) => l.join(',')));
    expect(les({ reporter: 'destination', destination_workload: 'ratings-v1' })).toEqual(
      new Set(['2,20,200,+Inf']),
    );
    // reviews' proxy reports its calls to ratings with the mesh-wide buckets.
    expect(les({ reporter: 'source', destination_workload: 'ratings-v1' })).toEqual(new Set(['7,70,+Inf']));
    expect(les({ reporter: 'destination', destination_workload: 'details-v1' }).size).toBe(1);
    expect(
      [...les({ reporter: 'destination', destination_workload: 'details-v1' })][0]!.split(','),
    ).toHaveLength(20);
    expect(engine.world.warnings).toEqual([
      expect.stringMatching(
        /^bookinfo\/details-v1: sidecar.istio.io\/statsHistogramBuckets ignored: .*0 is not/,
      ),
    ]);
  });

  it('a scenario workload carries the annotation into its Deployment template; a change restarts the histogram', () => {
    const scenario = loadScenario('generated', { services: 20, namespaces: 2, seed: 4 });
    const svc = scenario.workloads.find((w) => w.name === 'svc-00-v1')!;
    svc.annotations = { [HISTOGRAM_BUCKETS_ANNOTATION]: '{"istiocustom":[3,30]}' };
    const objects = scenarioObjects(scenario);
    const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'svc-00-v1')!;
    expect(JSON.stringify(d.spec)).toContain('statsHistogramBuckets');
    const engine = new Engine(scenario, inventoryFromObjects(objects), { seed: 1 });
    for (let i = 0; i < 100; i++) engine.tick(i * 200, 200);
    const match = { reporter: 'destination', destination_workload: 'svc-00-v1' };
    let series = parseExposition(renderText(engine.store));
    expect(new Set(leLists(series, DURATION, match).map((l) => l.join(',')))).toEqual(new Set(['3,30,+Inf']));
    // New pods with another annotation: their proxies start from zero with the new buckets.
    svc.annotations = { [HISTOGRAM_BUCKETS_ANNOTATION]: '{"istiocustom":[4]}' };
    engine.setInventory(inventoryFromObjects(scenarioObjects(scenario)));
    for (let i = 100; i < 110; i++) engine.tick(i * 200, 200);
    series = parseExposition(renderText(engine.store));
    expect(new Set(leLists(series, DURATION, match).map((l) => l.join(',')))).toEqual(new Set(['4,+Inf']));
  });
});

describe('the large-mesh profile', () => {
  it('keeps what the graph reads and drops the rest, per reporter', () => {
    const t = telemetrySettings({ profile: 'large-mesh' });
    const engine = travels(t.histogramBuckets);
    const series = parseExposition(renderText(engine.store, t.disabled));
    expect(reporters(series)).toEqual({
      istio_requests_total: ['destination', 'source'],
      [DURATION]: ['source'],
      istio_response_bytes: ['source'],
      istio_tcp_sent_bytes_total: ['destination', 'source'],
      istio_tcp_received_bytes_total: ['destination', 'source'],
      istio_build: [''],
    });
    for (const l of leLists(series, DURATION))
      expect(l).toEqual([
        '1',
        '5',
        '10',
        '25',
        '50',
        '100',
        '250',
        '500',
        '1000',
        '2500',
        '5000',
        '10000',
        '+Inf',
      ]);
    for (const l of leLists(series, 'istio_response_bytes'))
      expect(l).toEqual(['100', '1000', '10000', '100000', '1000000', '+Inf']);
  });

  it('cuts the exposed series about five-fold on a generated mesh', () => {
    const scenario = loadScenario('generated', { services: 150, namespaces: 3, seed: 2 });
    const inventory = inventoryFromObjects(scenarioObjects(scenario));
    const t = telemetrySettings({ profile: 'large-mesh' });
    const run = (histogramBuckets?: HistogramBucketsSpec) => {
      const e = new Engine(scenario, inventory, {
        seed: 9,
        ...(histogramBuckets ? { histogramBuckets } : {}),
      });
      for (let i = 0; i < 100; i++) e.tick(i * 200, 200);
      return e;
    };
    const full = exposedSeries(run().store);
    const lean = run(t.histogramBuckets);
    const leanCount = exposedSeries(lean.store, t.disabled);
    expect(leanCount).toBe(parseExposition(renderText(lean.store, t.disabled)).length);
    expect(full / leanCount).toBeGreaterThan(4.5);
    // Explicit settings: disabled metrics add to the profile's, buckets replace its buckets.
    const mixed = telemetrySettings({
      profile: 'large-mesh',
      disabledMetrics: [{ metric: 'TCP_SENT_BYTES', mode: 'CLIENT' }],
      histogramBuckets: { istiocustom: [1] },
    });
    expect(mixed.disabled.source.has('TCP_SENT_BYTES')).toBe(true);
    expect(mixed.disabled.source.has('REQUEST_SIZE')).toBe(true);
    expect(mixed.histogramBuckets).toEqual({ istiocustom: [1] });
  });
});
