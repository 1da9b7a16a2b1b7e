/** The CLI contract: READY <url> on stdout, kubeconfig written, manifests loaded, state saved on SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookinfoFile } from './helpers';

const BIN = fileURLToPath(new URL('../bin/demo-cluster.js', import.meta.url));
let dir: string;

function start(args: string[]): {
  child: ChildProcess;
  ready: Promise<string>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^READY (\S+)$/m.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    // A start transpiles the emulator (tsx), loads the Istio CRDs and makes a CA and certificate: seconds
    // on a shared, busy 2-core machine.
    setTimeout(() => reject(new Error(`no READY line within 30 s: ${err}`)), 30_000).unref();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-cluster-cli-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('demo-cluster CLI', () => {
  it('prints READY, writes a kubeconfig, loads manifests, saves state on SIGTERM and reloads it', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const state = join(dir, 'state.json');
    const a = start([
      '--port',
      '0',
      '--kubeconfig-out',
      kubeconfig,
      '--state',
      state,
      '--load',
      bookinfoFile('bookinfo.yaml'),
      '--load',
      bookinfoFile('destination-rule-all.yaml'),
    ]);
    const url = await a.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const kc = YAML.parse(readFileSync(kubeconfig, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { token: string } }[];
    };
    // The same port over TLS (kubectl sends credentials only over https), verified with the CA.
    expect(kc.clusters[0]?.cluster.server).toBe(url.replace(/^http:/, 'https:'));
    expect(
      Buffer.from(kc.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString(),
    ).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const headers = { Authorization: `Bearer ${kc.users[0]?.user.token ?? ''}` };
    const drs = (await (
      await fetch(`${url}/apis/networking.istio.io/v1/namespaces/default/destinationrules`, { headers })
    ).json()) as { items: unknown[] };
    expect(drs.items).toHaveLength(4);
    const deploys = (await (
      await fetch(`${url}/apis/apps/v1/namespaces/default/deployments`, { headers })
    ).json()) as {
      items: unknown[];
    };
    expect(deploys.items).toHaveLength(6);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(existsSync(state)).toBe(true);

    const b = start(['--port', '0', '--state', state]);
    const url2 = await b.ready;
    try {
      // The state file keeps the admin token: the kubeconfig written before the restart still signs in.
      const pods = (await (await fetch(`${url2}/api/v1/namespaces/default/pods`, { headers })).json()) as {
        items: { status: { phase: string } }[];
      };
      expect(pods.items).toHaveLength(6);
      expect(pods.items.every((p) => p.status.phase === 'Running')).toBe(true);
    } finally {
      b.child.kill('SIGINT');
      expect(await b.exited).toBe(0);
    }
    // Two CLI starts (each transpiles the emulator with tsx and loads the Istio CRDs) on a shared 2-core box.
  }, 60_000);

  it('rejects a bad port with a message and a non-zero exit', async () => {
    const c = start(['--port', 'abc']);
    await expect(c.ready).rejects.toThrow(/must be an integer/);
    expect(await c.exited).not.toBe(0);
  });
});
