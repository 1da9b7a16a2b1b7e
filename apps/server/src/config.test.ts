import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCommand, configFromFlags } from './config';

const parse = (argv: string[], env: Record<string, string> = {}) => {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return configFromFlags(buildCommand().exitOverride().parse(argv, { from: 'user' }).opts());
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
  }
};

/** Temporary folders of a test, removed after it. */
const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('config', () => {
  it('has defaults', async () => {
    const c = await parse([]);
    expect(c).toMatchObject({
      port: 20001,
      basePath: '',
      ui: { refreshIntervalMs: 15_000, durationSeconds: 300, defaultGraphType: 'versionedApp' },
    });
    expect(c.prometheus.url).toBe('http://127.0.0.1:9090');
    expect(c.prometheus.compression).toBe('auto');
  });

  it('reads how Prometheus answers are compressed, and names a bad mode', async () => {
    expect((await parse(['--prometheus-compression', 'none'])).prometheus.compression).toBe('none');
    const fromEnv = await parse([], { PROMETHEUS_COMPRESSION: 'gzip' });
    expect(fromEnv.prometheus.compression).toBe('gzip');
    await expect(parse(['--prometheus-compression', 'brotli'])).rejects.toThrow(/prometheus\.compression/);
  });

  it('reads the UI defaults (range, refresh, graph type) and names a bad graph type', async () => {
    const c = await parse(['--duration', '2h', '--refresh-interval', '45s', '--graph-type', 'workload']);
    expect(c.ui).toMatchObject({
      durationSeconds: 7200,
      refreshIntervalMs: 45_000,
      defaultGraphType: 'workload',
    });
    await expect(parse(['--graph-type', 'pods'])).rejects.toThrow(/defaultGraphType/);
  });

  it('layers flags over env over the YAML file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlens-config-'));
    temporary.push(dir);
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      [
        'port: 1111',
        'basePath: /from-file',
        'prometheus: { url: "http://file:9090", headers: { X-Org: a } }',
        'health:',
        '  rate:',
        '    - namespace: shop',
        '      tolerance: [{ code: 5XX, degraded: 1, failure: 5 }]',
      ].join('\n'),
    );
    const c = await parse(['--config', file, '--port', '3333', '--prometheus-header', 'X-Scope: t1'], {
      MESHLENS_PORT: '2222',
      PROMETHEUS_URL: 'http://env:9090',
      MESHLENS_REFRESH_INTERVAL: '30s',
    });
    expect(c.port).toBe(3333);
    expect(c.basePath).toBe('/from-file');
    expect(c.prometheus.url).toBe('http://env:9090');
    expect(c.prometheus.headers).toEqual({ 'X-Org': 'a', 'X-Scope': 't1' });
    expect(c.ui.refreshIntervalMs).toBe(30_000);
    expect(c.health.rate[0]?.tolerance[0]).toMatchObject({ code: '5XX', failure: 5, protocol: 'http|grpc' });
  });

  it('reads the upstream timeouts, limits, metrics port and Prometheus TLS from flags and env', async () => {
    const c = await parse(
      [
        '--kube-timeout',
        '3s',
        '--metrics-port',
        '9102',
        '--graph-max-computations',
        '30',
        '--logs-max-follows',
        '3',
        '--prometheus-insecure-skip-verify',
      ],
      {
        MESHLENS_KUBE_WATCH_TIMEOUT: '2m',
        MESHLENS_READY_TIMEOUT: '2s',
        MESHLENS_GRAPH_MAX_DURATION: '1d',
        MESHLENS_GRAPH_MAX_NAMESPACES: '50',
        PROMETHEUS_CA_FILE: '/etc/prom/ca.pem',
        PROMETHEUS_PASSWORD_FILE: '/etc/prom/password',
      },
    );
    expect(c).toMatchObject({
      metricsPort: 9102,
      readyTimeoutMs: 2000,
      kubernetes: { timeoutMs: 3000, watchTimeoutMs: 120_000 },
      prometheus: {
        caFile: '/etc/prom/ca.pem',
        passwordFile: '/etc/prom/password',
        insecureSkipVerify: true,
      },
      graph: { maxDurationSeconds: 86_400, maxNamespaces: 50, maxComputationsPerClientPerMinute: 30 },
      logs: { maxFollowsPerClient: 3 },
    });
    const defaults = await parse([], { PROMETHEUS_INSECURE_SKIP_VERIFY: 'false' });
    expect(defaults).toMatchObject({
      readyTimeoutMs: 1000,
      kubernetes: { timeoutMs: 10_000, watchTimeoutMs: 300_000 },
      prometheus: { insecureSkipVerify: false },
      graph: { maxDurationSeconds: 30 * 86_400, maxNamespaces: 200, maxComputationsPerClientPerMinute: 120 },
      logs: { maxFollowsPerClient: 10 },
    });
    expect((await parse([], { MESHLENS_LOGS_MAX_FOLLOWS: '0' })).logs.maxFollowsPerClient).toBe(0);
    await expect(parse(['--logs-max-follows', '-1'])).rejects.toThrow(/logs\.maxFollowsPerClient/);
    expect(defaults.metricsPort).toBeUndefined();
    await expect(parse(['--prometheus-insecure-skip-verify', 'maybe'])).rejects.toThrow(
      /--prometheus-insecure-skip-verify: expected true or false/,
    );
  });

  it('reads the tracing backend like Prometheus: URL, UI link, auth, TLS, headers, timeout', async () => {
    const c = await parse(
      [
        '--tracing-url',
        'http://jaeger-query:16686/jaeger',
        '--tracing-header',
        'X-Scope-OrgID: t1',
        '--tracing-timeout',
        '4s',
        '--tracing-max-response',
        '8',
      ],
      {
        TRACING_EXTERNAL_URL: 'https://jaeger.example',
        TRACING_TOKEN_FILE: '/etc/jaeger/token',
        TRACING_CA_FILE: '/etc/jaeger/ca.pem',
        TRACING_INSECURE_SKIP_VERIFY: 'true',
      },
    );
    expect(c.tracing).toEqual({
      url: 'http://jaeger-query:16686/jaeger',
      externalUrl: 'https://jaeger.example',
      bearerTokenFile: '/etc/jaeger/token',
      caFile: '/etc/jaeger/ca.pem',
      insecureSkipVerify: true,
      headers: { 'X-Scope-OrgID': 't1' },
      timeoutMs: 4000,
      maxResponseMb: 8,
    });
    expect((await parse([])).tracing).toEqual({
      headers: {},
      insecureSkipVerify: false,
      timeoutMs: 10_000,
      maxResponseMb: 32,
    });
    await expect(parse(['--tracing-max-response', '0'])).rejects.toThrow(/tracing\.maxResponseMb/);
    await expect(parse(['--tracing-url', 'jaeger'])).rejects.toThrow(/tracing\.url/);
    await expect(parse(['--tracing-header', 'nocolon'])).rejects.toThrow(
      /--tracing-header: expected "Name: value"/,
    );
  });

  it('reads the Grafana URL from the file, GRAFANA_URL or --grafana-url; none by default', async () => {
    expect((await parse([])).grafana.url).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'meshlens-config-'));
    temporary.push(dir);
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'grafana: { url: "http://file:3000", serviceDashboard: /d/x/svc }\n');
    const fromFile = await parse(['--config', file]);
    expect(fromFile.grafana).toMatchObject({ url: 'http://file:3000', serviceDashboard: '/d/x/svc' });
    expect(fromFile.grafana.workloadDashboard).toBe('/d/UbsSZTDik/istio-workload-dashboard');
    expect((await parse(['--config', file], { GRAFANA_URL: 'http://env:3000' })).grafana.url).toBe(
      'http://env:3000',
    );
    expect((await parse(['--grafana-url', 'http://flag:3000'])).grafana.url).toBe('http://flag:3000');
    await expect(async () => parse(['--grafana-url', 'not a url'])).rejects.toThrow(/grafana\.url/);
  });

  it('says which setting is wrong', async () => {
    await expect(parse(['--port', 'abc'])).rejects.toThrow(/--port: expected a whole number/);
    await expect(parse(['--duration', 'soon'])).rejects.toThrow(/--duration/);
    await expect(parse(['--prometheus-url', 'not a url'])).rejects.toThrow(/prometheus\.url/);
  });
});
