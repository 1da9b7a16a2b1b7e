import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, startStack, waitForPromQL, type Endpoints, type Stack } from '../src/index';

const run = promisify(execFile);

/** Listens on a free loopback port, as another program would; returns the port and the listener. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve);
  });
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

const portOf = (url: string | null) => Number(new URL(url ?? 'http://invalid').port);

describe('startStack with the bookinfo scenario', () => {
  let stateDir: string;
  let stack: Stack | undefined;
  // Each component is asked for a port that another program holds when the component binds it.
  let held: Record<'console' | 'prometheus' | 'cluster' | 'meshSim', { port: number; server: Server }>;
  const progress: string[] = [];

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'meshlens-stack-test-'));
    held = {
      console: await holdPort(),
      prometheus: await holdPort(),
      cluster: await holdPort(),
      meshSim: await holdPort(),
    };
    stack = await startStack({
      scenario: 'bookinfo',
      stateDir,
      scrapeIntervalSeconds: 1,
      handleSignals: false,
      consolePort: held.console.port,
      prometheusPort: held.prometheus.port,
      clusterPort: held.cluster.port,
      metricsPort: held.meshSim.port,
      onProgress: (message) => progress.push(message),
      // mesh-sim's telemetry passthrough: the profile, and explicit duration buckets that replace its buckets.
      telemetryProfile: 'large-mesh',
      meshSimArgs: ['--histogram-buckets', '{"istiocustom.istio_request_duration_milliseconds":[5,50,500]}'],
      // The demo users, with tokens the demo cluster accepts and their roles from data/demo/users.yaml.
      auth: 'token',
    });
  });

  afterAll(async () => {
    await stack?.stop();
    for (const { server } of Object.values(held ?? {})) server.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('starts a component whose port is taken at bind time on a free port, and carries on', async () => {
    const { urls } = stack!;
    const names = {
      console: 'the console',
      prometheus: 'Prometheus',
      cluster: 'demo-cluster',
      meshSim: 'mesh-sim',
    };
    for (const key of ['console', 'prometheus', 'cluster', 'meshSim'] as const) {
      const { port, server } = held[key];
      expect(server.listening).toBe(true); // still ours: the component went elsewhere
      expect(portOf(urls[key])).toBeGreaterThan(0);
      expect(portOf(urls[key])).not.toBe(port);
      expect(progress).toContain(`port ${port} is taken: ${names[key]} gets a free port`);
    }
    // The first attempt did fail on the port: its log says so, and the retry's READY follows.
    const consoleLog = await readFile(join(stateDir, 'logs', 'meshlens.log'), 'utf8');
    expect(consoleLog).toContain(`EADDRINUSE: address already in use 127.0.0.1:${held.console.port}`);
    // Every component serves on the port it got.
    expect((await fetch(`${urls.console}/healthz`)).status).toBe(200);
    expect((await fetch(`${urls.prometheus}/-/ready`)).status).toBe(200);
    expect((await fetch(`${urls.meshSim}/metrics`)).status).toBe(200);
    expect((await fetch(`${urls.cluster}/version`)).status).toBe(200);
  });

  it('writes endpoints.json with every URL once all components are ready', async () => {
    const endpoints = JSON.parse(await readFile(join(stateDir, 'endpoints.json'), 'utf8')) as Endpoints;
    expect(endpoints).toEqual(stack!.endpoints);
    expect(endpoints.scenario).toBe('bookinfo');
    expect(endpoints.kubeconfig).toBe(join(stateDir, 'kubeconfig'));
    for (const url of [endpoints.console, endpoints.prometheus, endpoints.cluster, endpoints.meshSim]) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    }
    expect((await fetch(`${endpoints.prometheus}/-/ready`)).status).toBe(200);
    expect((await fetch(`${endpoints.console}/healthz`)).status).toBe(200);
  });

  it('gives kubectl a working kubeconfig with the bookinfo objects', async () => {
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      stack!.kubeconfigPath,
      'get',
      'svc',
      '-n',
      'bookinfo',
      '-o',
      'name',
    ]);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual([
      'service/details',
      'service/productpage',
      'service/ratings',
      'service/reviews',
    ]);
  });

  it('signs the demo users in with tokens made for this run, each with its own rights', async () => {
    const usersPath = join(stateDir, 'users.json');
    expect(stack!.endpoints.users).toBe(usersPath);
    const { users } = JSON.parse(await readFile(usersPath, 'utf8')) as {
      users: { name: string; token: string; description: string }[];
    };
    expect(users).toEqual(stack!.users);
    expect(users.map((u) => u.name)).toEqual(['admin', 'bookinfo-editor', 'viewer']);
    expect(new Set(users.map((u) => u.token)).size).toBe(3);
    const cluster = stack!.urls.cluster;
    const post = async (token: string, path: string, body: unknown) =>
      (await (
        await fetch(`${cluster}${path}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { status: { allowed?: boolean; userInfo?: { username: string } } };
    const can = async (token: string, verb: string, namespace: string) =>
      (
        await post(token, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
          spec: {
            resourceAttributes: {
              verb,
              namespace,
              group: 'networking.istio.io',
              resource: 'virtualservices',
            },
          },
        })
      ).status.allowed;
    const [admin, editor, viewer] = users.map((u) => u.token) as [string, string, string];
    for (const u of users) {
      const me = await post(u.token, '/apis/authentication.k8s.io/v1/selfsubjectreviews', {});
      expect(me.status.userInfo?.username).toBe(u.name);
    }
    expect(await can(admin, 'delete', 'istio-system')).toBe(true);
    expect(await can(editor, 'create', 'bookinfo')).toBe(true);
    expect(await can(editor, 'create', 'istio-system')).toBe(false);
    expect(await can(viewer, 'list', '')).toBe(true);
    expect(await can(viewer, 'patch', 'bookinfo')).toBe(false);
    // The console signs them in: strategy token, and a user's token presented by a script names the user.
    const info = async (token?: string) =>
      (await (
        await fetch(`${stack!.urls.console}/api/auth/info`, {
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        })
      ).json()) as { strategy: string; authenticated: boolean; identity?: { username: string } };
    expect(await info()).toMatchObject({ strategy: 'token', authenticated: false });
    expect(await info(viewer)).toMatchObject({ authenticated: true, identity: { username: 'viewer' } });
  });

  it('has istio_requests_total from mesh-sim in Prometheus within 30 s', async () => {
    const samples = await waitForPromQL(
      stack!.urls.prometheus,
      'sum by (destination_service_name) (istio_requests_total{reporter="destination", destination_service_namespace="bookinfo"})',
      (s) => s.length >= 4,
      30_000,
    );
    expect(samples.map((s) => s.metric.destination_service_name).sort()).toEqual([
      'details',
      'productpage',
      'ratings',
      'reviews',
    ]);
  }, 40_000);

  it('passes the telemetry profile and extra arguments to mesh-sim', async () => {
    const prom = stack!.urls.prometheus;
    const les = await waitForPromQL(
      prom,
      'count by (le, reporter) (istio_request_duration_milliseconds_bucket)',
      (s) => s.length >= 4,
      30_000,
    );
    expect(les.map((s) => `${s.metric.reporter} ${s.metric.le}`).sort()).toEqual([
      'source +Inf',
      'source 5',
      'source 50',
      'source 500',
    ]);
    // The profile leaves out request sizes; response sizes only from the client, on Envoy's buckets again.
    const families = await waitForPromQL(
      prom,
      'count by (__name__, reporter) ({__name__=~"istio_request_bytes_count|istio_response_bytes_count|istio_requests_total"})',
      (s) => s.length >= 3,
      30_000,
    );
    expect(families.map((s) => `${s.metric.__name__} ${s.metric.reporter}`).sort()).toEqual([
      'istio_requests_total destination',
      'istio_requests_total source',
      'istio_response_bytes_count source',
    ]);
    const responseLes = await waitForPromQL(
      prom,
      'count by (le) (istio_response_bytes_bucket)',
      (s) => s.length > 0,
      30_000,
    );
    expect(responseLes).toHaveLength(20);
  }, 40_000);

  it('refuses a second stack in the same state folder while this one runs', async () => {
    await expect(startStack({ stateDir, handleSignals: false })).rejects.toThrow(
      /already running with its state in/,
    );
    expect(existsSync(join(stateDir, 'endpoints.json'))).toBe(true);
  });

  it('stop() leaves no component process and removes endpoints.json', async () => {
    const pids = Object.values(stack!.endpoints.pids).filter((p): p is number => typeof p === 'number');
    expect(pids).toHaveLength(4);
    expect(pids.every(isAlive)).toBe(true);
    await stack!.stop();
    stack = undefined;
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(join(stateDir, 'endpoints.json'))).toBe(false);
    // The tokens died with the cluster: their list goes too.
    expect(existsSync(join(stateDir, 'users.json'))).toBe(false);
  });
});
