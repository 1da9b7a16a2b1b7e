/**
 * Container logs of the simulation: each proxy writes one access-log line (Istio's default TEXT format)
 * per sample it records — the same codes, flags and counts as the metrics — and each app writes a line per
 * request it handles, ERROR when it answers an error. Reading them back the way the kubelet serves them.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/simulate';
import { inventoryFromObjects } from '../src/engine/inventory';
import { renderLine, rfc3339Nano } from '../src/logs/format';
import { parseLogQuery, selectLines } from '../src/logs/kubelet';
import { LogRing } from '../src/logs/ring';
import { renderText } from '../src/metrics/render';
import { scenarioObjects } from '../src/scenario/manifests';
import { requests, scrape, send, simulation, yaml } from './helpers';

/** Istio's default access-log format, field by field. */
const ACCESS =
  /^\[(\S+)\] "(\S+) (\S+) (HTTP\/1\.1|HTTP\/2)" (\d+) (\S+) (\S+) (\S+) "([^"]*)" (\d+) (\d+) (\d+) (\S+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$/;

interface Line {
  pod: string;
  container: string;
  text: string;
}

function lines(engine: Engine): Line[] {
  const out: Line[] = [];
  for (const [key, ring] of engine.logs!.all()) {
    const [, pod, container] = key.split('/') as [string, string, string];
    for (const e of ring.from(0)) out.push({ pod, container, text: renderLine(e.t, e.data) });
  }
  return out;
}

const count = <T>(xs: T[], key: (x: T) => string) => {
  const m: Record<string, number> = {};
  for (const x of xs) m[key(x)] = (m[key(x)] ?? 0) + 1;
  return m;
};

const RATINGS_ABORT = yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings }
spec:
  hosts: [ratings]
  http:
    - fault: { abort: { percentage: { value: 30 }, httpStatus: 503 } }
      route: [{ destination: { host: ratings } }]
`);

describe('access logs', () => {
  it('one line in Istio default format per sample, with the metrics codes and flags on each side', () => {
    const { engine } = simulation({
      objects: RATINGS_ABORT,
      behaviour: { 'details-v1': { errorRate: 0.2 } },
    });
    send(engine, 150);
    const s = scrape(engine);
    const access = lines(engine).filter((l) => l.container === 'istio-proxy');
    const parsed = access.map((l) => {
      const m = ACCESS.exec(l.text);
      if (!m) throw new Error(`not Istio's access-log format: ${l.text}`);
      return { ...l, m };
    });
    // Outbound lines (cluster outbound|…) are the source samples; inbound|… the destination ones.
    const outbound = parsed.filter((p) => p.m[19]!.startsWith('outbound|'));
    const inbound = parsed.filter((p) => p.m[19]!.startsWith('inbound|'));
    expect(outbound.length + inbound.length).toBe(parsed.length);
    for (const [side, rows, reporter] of [
      ['outbound', outbound, 'source'],
      ['inbound', inbound, 'destination'],
    ] as const) {
      const fromLogs = count(rows, (p) => `${p.m[5]} ${p.m[6]}`);
      const fromMetrics: Record<string, number> = {};
      for (const x of s.filter(
        (x) => x.name === 'istio_requests_total' && x.labels.reporter === reporter && x.value > 0,
      )) {
        const k = `${x.labels.response_code} ${x.labels.response_flags}`;
        fromMetrics[k] = (fromMetrics[k] ?? 0) + x.value;
      }
      expect(fromLogs, side).toEqual(fromMetrics);
    }
    // The fault shows at reviews' proxies as 503 FI with Envoy's details, and never reaches ratings.
    const faults = outbound.filter((p) => p.m[6] === 'FI');
    expect(faults.length).toBe(requests(s, { reporter: 'source', response_flags: 'FI' }));
    expect(faults.length).toBeGreaterThan(0);
    for (const f of faults) {
      expect(f.pod).toMatch(/^reviews-v[23]-/);
      expect(f.m[5]).toBe('503');
      expect(f.m[7]).toBe('fault_filter_abort');
      expect(f.m[19]).toBe('outbound|9080||ratings.bookinfo.svc.cluster.local');
    }
    // The gateway's line carries the client's X-Forwarded-For; every hop the same request id.
    const gw = outbound.filter((p) => p.pod.startsWith('istio-ingressgateway'));
    expect(gw.length).toBe(150);
    expect(gw[0]!.m[14]).toMatch(/^203\.0\.113\.\d+$/);
    const id = gw[0]!.m[16]!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const hops = parsed.filter((p) => p.m[16] === id).map((p) => p.pod.replace(/-[^-]+-[^-]+$/, ''));
    for (const hop of ['istio-ingressgateway', 'productpage-v1', 'details-v1']) expect(hops).toContain(hop);
    expect(hops.some((h) => /^reviews-v[123]$/.test(h))).toBe(true);
    // Inbound lines: the authority, the inbound cluster, SNI of the mTLS connection.
    const inDetails = inbound.find((p) => p.pod.startsWith('details-v1'))!;
    expect(inDetails.m[17]).toBe('details:9080');
    expect(inDetails.m[19]).toBe('inbound|9080||');
    expect(inDetails.m[23]).toBe('outbound_.9080_._.details.bookinfo.svc.cluster.local');
  });

  it('apps log each request; a request answered with an error is an ERROR line', () => {
    const { engine } = simulation({ behaviour: { 'details-v1': { errorRate: 0.3 } } });
    send(engine, 120);
    const all = lines(engine);
    const app = all.filter((l) => l.pod.startsWith('details-v1') && l.container === 'details');
    const proxy = all.filter((l) => l.pod.startsWith('details-v1') && l.container === 'istio-proxy');
    expect(app.length).toBe(proxy.length);
    const errors = app.filter((l) => / ERROR /.test(l.text));
    const proxy5xx = proxy.filter((l) => /HTTP\/1\.1" 5\d\d /.test(l.text));
    expect(errors.length).toBe(proxy5xx.length);
    expect(errors.length).toBeGreaterThan(10);
    expect(errors[0]!.text).toMatch(/^\S+Z ERROR GET \/details\/0 500 .*request_id=[0-9a-f-]{36}/);
    // productpage propagates the failure it got from details? No: it goes on without it, and says so.
    const warn = all.filter((l) => l.container === 'productpage' && / WARN /.test(l.text));
    expect(warn.length).toBe(errors.length);
  });

  it('logs change nothing in the simulated traffic', () => {
    const scenarioRun = (logs: boolean) => {
      const { engine: withDefaults, scenario } = simulation();
      const engine = logs
        ? withDefaults
        : new Engine(scenario, inventoryFromObjects(scenarioObjects(scenario)), { seed: 42, logs: false });
      send(engine, 100);
      return renderText(engine.store);
    };
    expect(scenarioRun(true)).toBe(scenarioRun(false));
  });

  it('keeps at most the ring capacity, and reads tail, since and timestamps like a kubelet', () => {
    const ring = new LogRing<{ kind: 'app'; level: 'INFO'; message: string }>(3);
    for (let i = 0; i < 5; i++)
      ring.append(1_700_000_000_000 + i * 1000, { kind: 'app', level: 'INFO', message: `m${i}` });
    expect(ring.size).toBe(3);
    expect(ring.from(0).map((e) => e.data.message)).toEqual(['m2', 'm3', 'm4']);
    expect(selectLines(ring.from(0), { tailLines: 2 }).map((e) => e.data.message)).toEqual(['m3', 'm4']);
    expect(selectLines(ring.from(0), { sinceMs: 1_700_000_003_000 }).map((e) => e.data.message)).toEqual([
      'm3',
      'm4',
    ]);
    expect(rfc3339Nano(1_700_000_000_123.457)).toBe('2023-11-14T22:13:20.123457Z');
    expect(rfc3339Nano(1_700_000_000_000)).toBe('2023-11-14T22:13:20Z');
    expect(() => parseLogQuery(new URLSearchParams('tailLines=-1'))).toThrow(/tailLines/);
    expect(parseLogQuery(new URLSearchParams('follow=true&timestamps=1')).follow).toBe(true);
  });
});
