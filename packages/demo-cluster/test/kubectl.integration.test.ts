/**
 * The real kubectl against the emulator, as a new user would use it: apply the Bookinfo manifests and the
 * networking samples unchanged, get, -o yaml, apply a change, delete -f, and get -w printing live changes.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '../src/server';
import { bookinfoFile, waitFor } from './helpers';

const run = promisify(execFile);
// The machine's kubectl (1.32 here); KUBECTL=/path overrides it. Also passes with Debian's kubernetes-client 1.20.
const KUBECTL =
  process.env.KUBECTL ??
  ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p)) ??
  'kubectl';

let dc: DemoCluster;
let dir: string;
let env: NodeJS.ProcessEnv;

async function kubectl(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(KUBECTL, [...args, `--cache-dir=${join(dir, 'cache')}`], {
      env,
      timeout: 15_000,
    });
    return stdout;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') {
      throw new Error(
        'kubectl not found: install it (Debian package kubernetes-client) so that this test can run the real CLI',
      );
    }
    throw new Error(`kubectl ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

beforeAll(async () => {
  dc = await startDemoCluster({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'demo-cluster-kubectl-'));
  await dc.writeKubeconfig(join(dir, 'kubeconfig'));
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
});

afterAll(async () => {
  await dc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl against the demo cluster', () => {
  it('applies the Bookinfo manifests unchanged and lists pods, services and deployments', async () => {
    expect(await kubectl('create', 'namespace', 'bookinfo')).toContain('namespace/bookinfo created');
    expect(await kubectl('label', 'namespace', 'bookinfo', 'istio-injection=enabled')).toContain('labeled');
    const out = await kubectl('apply', '-n', 'bookinfo', '-f', bookinfoFile('bookinfo.yaml'));
    expect(out).toContain('deployment.apps/reviews-v3 created');
    expect(out).toContain('service/productpage created');
    await waitFor(
      async () => !(await kubectl('get', 'pods', '-n', 'bookinfo', '--no-headers')).includes('Pending'),
      'pods running',
    );
    const got = await kubectl('get', 'pods,svc,deploy', '-n', 'bookinfo');
    expect(got).toMatch(/pod\/reviews-v2-[a-z0-9]+-[a-z0-9]+\s+2\/2\s+Running\s+0\s+\d+s/);
    expect(got).toMatch(/service\/reviews\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+9080\/TCP/);
    expect(got).toMatch(/deployment\.apps\/productpage-v1\s+1\/1\s+1\s+1/);
  });

  it('applies the networking samples and lists them with -A and short names', async () => {
    const out = await kubectl(
      'apply',
      '-n',
      'bookinfo',
      '-f',
      bookinfoFile('bookinfo-gateway.yaml'),
      '-f',
      bookinfoFile('destination-rule-all.yaml'),
      '-f',
      bookinfoFile('virtual-service-all-v1.yaml'),
    );
    expect(out).toContain('gateway.networking.istio.io/bookinfo-gateway created');
    expect(out).toContain('destinationrule.networking.istio.io/reviews created');
    const list = await kubectl('get', 'vs,dr', '-A');
    expect(list).toMatch(/^NAMESPACE\s+NAME\s+GATEWAYS\s+HOSTS\s+AGE/m);
    expect(list).toMatch(
      /bookinfo\s+virtualservice\.networking\.istio\.io\/bookinfo\s+\["bookinfo-gateway"\]\s+\["\*"\]/,
    );
    expect(list).toMatch(/bookinfo\s+destinationrule\.networking\.istio\.io\/reviews\s+reviews/);
    const vs = YAML.parse(await kubectl('get', 'vs', 'reviews', '-n', 'bookinfo', '-o', 'yaml')) as {
      spec: unknown;
      metadata: { generation: number };
    };
    expect(vs.spec).toEqual({
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
    });
    expect(vs.metadata.generation).toBe(1);
  });

  it('applies a changed VirtualService and deletes with -f', async () => {
    expect(
      await kubectl('apply', '-n', 'bookinfo', '-f', bookinfoFile('virtual-service-reviews-80-20.yaml')),
    ).toContain('virtualservice.networking.istio.io/reviews configured');
    const vs = JSON.parse(await kubectl('get', 'vs', 'reviews', '-n', 'bookinfo', '-o', 'json')) as {
      spec: { http: { route: { weight: number }[] }[] };
      metadata: { generation: number };
    };
    expect(vs.spec.http[0]?.route.map((r) => r.weight)).toEqual([80, 20]);
    expect(vs.metadata.generation).toBe(2);
    const del = await kubectl('delete', '-n', 'bookinfo', '-f', bookinfoFile('virtual-service-all-v1.yaml'));
    expect(del).toContain('virtualservice.networking.istio.io "reviews" deleted');
    expect((await kubectl('get', 'vs', '-n', 'bookinfo', '-o', 'name')).trim()).toBe(
      'virtualservice.networking.istio.io/bookinfo',
    );
  });

  it('rejects an invalid VirtualService with the field named, without --validate=false', async () => {
    const child = spawn(
      KUBECTL,
      ['apply', '-n', 'bookinfo', '-f', '-', `--cache-dir=${join(dir, 'cache')}`],
      { env },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(
      YAML.stringify({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'bad' },
        spec: { hosts: ['x'], http: [{ route: [{ destination: { host: 'x' }, weight: 'ten' }] }] },
      }),
    );
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('spec.http[0].route[0].weight');
    expect(stderr).toContain('must be of type integer');
  });

  it('scales with kubectl scale and prints pod changes as they happen with get -w', async () => {
    const child = spawn(
      KUBECTL,
      [
        'get',
        'pods',
        '-n',
        'bookinfo',
        '-l',
        'app=ratings',
        '-w',
        '--request-timeout=0',
        `--cache-dir=${join(dir, 'cache')}`,
      ],
      { env },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => /ratings-v1-\S+\s+2\/2\s+Running/.test(out), 'initial watch output');
      expect(await kubectl('scale', 'deployment', 'ratings-v1', '-n', 'bookinfo', '--replicas=2')).toContain(
        'scaled',
      );
      await waitFor(() => (out.match(/^ratings-v1-/gm) ?? []).length >= 3, 'the new pod printed by get -w');
      const names = new Set((out.match(/^ratings-v1-\S+/gm) ?? []).map(String));
      expect(names.size).toBe(2);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
