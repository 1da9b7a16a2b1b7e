/**
 * docker-compose.yml: the container's kubeconfig. Docker does not run here, so the test checks the compose
 * file's settings and runs, as its entrypoints do, deploy/compose/kubeconfig.mjs: a server on the host's
 * loopback is reached through another name (host.docker.internal in Docker Desktop; `localhost` here) with
 * tls-server-name keeping TLS verified — against a real https server whose certificate names 127.0.0.1
 * only — and what cannot work in the container (files not mounted, exec plugins not in the image) stops the
 * start with a message saying what to do.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreApi, KubeConfig } from '@kubernetes/client-node';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = 'deploy/compose/kubeconfig.mjs';

interface Service {
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  network_mode?: string;
  ports?: string[];
  extra_hosts?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  entrypoint?: string[];
  profiles?: string[];
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

/** The script invocation of a service's entrypoint, with the container's paths replaced by `paths`. */
function scriptArgs(service: Service, paths: Record<string, string>): string[] {
  const shell = service.entrypoint?.at(-1) ?? '';
  const m = new RegExp(`node ${SCRIPT.replace(/\./g, '\\.')} ([^&]+?) &&`).exec(shell);
  if (!m) throw new Error(`the entrypoint does not run ${SCRIPT}: ${shell}`);
  return m[1]!.split(' ').map((a) => paths[a] ?? a);
}

function runScript(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, SCRIPT), ...args], { cwd: ROOT }, (err, _out, stderr) => {
      const e = err as (Error & { code?: number }) | null;
      resolve({ code: typeof e?.code === 'number' ? e.code : e ? 1 : 0, stderr });
    });
  });
}

describe('docker-compose.yml', () => {
  it('runs each service as a non-root user on a read-only root, with the kubeconfig mounted read-only', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.user, name).toMatch(/^\$\{MESHLENS_UID:-1000\}:\$\{MESHLENS_GID:-1000\}$/);
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop, name).toEqual(['ALL']);
      expect(s.volumes, name).toContain('${KUBECONFIG_FILE:-~/.kube/config}:/kube/config:ro');
      // The server reads the checked copy, never the mounted file.
      expect(s.entrypoint?.at(-1), name).toMatch(
        /&& exec node apps\/server\/bin\/meshlens\.js --kubeconfig \/tmp\/kubeconfig$/,
      );
      expect(scriptArgs(s, {}).slice(0, 2)).toEqual(['/kube/config', '/tmp/kubeconfig']);
    }
  });

  it("on Linux shares the host's network and listens on its loopback only", () => {
    const s = compose.services.meshlens!;
    expect(s.network_mode).toBe('host');
    expect(s.environment?.MESHLENS_HOST).toBe('127.0.0.1');
    expect(s.ports).toBeUndefined();
    expect(scriptArgs(s, {})).not.toContain('--loopback-host');
  });

  it('on Docker Desktop reaches the host as host.docker.internal and publishes on loopback', () => {
    const s = compose.services['meshlens-desktop']!;
    expect(s.profiles).toEqual(['desktop']);
    expect(s.extra_hosts).toContain('host.docker.internal:host-gateway');
    expect(s.ports).toEqual(['127.0.0.1:20001:20001']);
    expect(scriptArgs(s, {}).slice(2)).toEqual(['--loopback-host', 'host.docker.internal']);
  });
});

const keyPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });

function certificate(publicKey: string, signerKey: string, ca: boolean): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = ca ? '01' : '02';
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: ca ? 'test CA' : '127.0.0.1' }]);
  cert.setIssuer([{ name: 'commonName', value: 'test CA' }]);
  cert.setExtensions(
    ca
      ? [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', keyCertSign: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'extKeyUsage', serverAuth: true },
          // The address only, as kind's and minikube's API server certificates name it: no `localhost`.
          { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
        ],
  );
  cert.sign(forge.pki.privateKeyFromPem(signerKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

describe('deploy/compose/kubeconfig.mjs', () => {
  let dir: string;
  let api: Server;
  let port: number;
  let caPem: string;
  const TOKEN = 'the-users-token';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshlens-compose-'));
    const ca = keyPair();
    caPem = certificate(ca.publicKey, ca.privateKey, true);
    const server = keyPair();
    api = createServer(
      { cert: certificate(server.publicKey, ca.privateKey, false), key: server.privateKey },
      (req, res) => {
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }));
      },
    );
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    port = (api.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => api?.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const kubeconfig = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}) =>
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'kind',
      contexts: [{ name: 'kind', context: { cluster: 'kind', user: 'me' } }],
      clusters: [
        {
          name: 'kind',
          cluster: {
            server: `https://127.0.0.1:${port}`,
            'certificate-authority-data': Buffer.from(caPem).toString('base64'),
            ...cluster,
          },
        },
      ],
      users: [{ name: 'me', user }],
    });

  const versions = async (file: string) => {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return (await kc.makeApiClient(CoreApi).getAPIVersions()).versions;
  };

  it('reaches a loopback API server through another name, its certificate still verified', async () => {
    const input = join(dir, 'config');
    const output = join(dir, 'out');
    await writeFile(input, kubeconfig({ token: TOKEN }));
    // The desktop entrypoint's rewrite: host.docker.internal, which only the container resolves.
    const desktop = scriptArgs(compose.services['meshlens-desktop']!, {
      '/kube/config': input,
      '/tmp/kubeconfig': output,
    });
    expect((await runScript(desktop)).code).toBe(0);
    const cluster = (
      parse(readFileSync(output, 'utf8')) as { clusters: { cluster: Record<string, string> }[] }
    ).clusters[0]!.cluster;
    expect(cluster.server).toBe(`https://host.docker.internal:${port}`);
    expect(cluster['tls-server-name']).toBe('127.0.0.1');
    // The same with a name that resolves here: the console's client connects and verifies TLS.
    expect((await runScript([input, output, '--loopback-host', 'localhost'])).code).toBe(0);
    expect(await versions(output)).toEqual(['v1']);
    // Without tls-server-name the certificate does not name the host: the rewrite is what makes it work.
    const bare = parse(readFileSync(output, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
    delete bare.clusters[0]!.cluster['tls-server-name'];
    await writeFile(join(dir, 'bare'), stringify(bare));
    await expect(versions(join(dir, 'bare'))).rejects.toThrow(/altnames|Hostname\/IP does not match/);
  });

  it('inlines the files it names, and says how to flatten when they are not mounted', async () => {
    await writeFile(join(dir, 'ca.crt'), caPem);
    await writeFile(join(dir, 'token'), `${TOKEN}\n`);
    const input = join(dir, 'files');
    await writeFile(
      input,
      kubeconfig(
        { tokenFile: 'token' },
        { 'certificate-authority-data': undefined, 'certificate-authority': 'ca.crt' },
      ),
    );
    expect((await runScript([input, join(dir, 'files.out')])).code).toBe(0);
    expect(await versions(join(dir, 'files.out'))).toEqual(['v1']);
    const missing = join(dir, 'missing');
    await writeFile(
      missing,
      kubeconfig({ token: TOKEN }, { 'certificate-authority': '/home/me/.minikube/ca.crt' }),
    );
    const r = await runScript([missing, join(dir, 'missing.out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'cluster kind names the file /home/me/.minikube/ca.crt, which is not in the container: flatten the kubeconfig first (kubectl config view --minify --flatten',
    );
  });

  it('stops on an exec credential plugin the container does not have, and names it', async () => {
    const input = join(dir, 'exec');
    await writeFile(
      input,
      kubeconfig({
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'aws-not-installed',
          args: ['eks', 'get-token'],
        },
      }),
    );
    const r = await runScript([input, join(dir, 'exec.out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'user me gets its credentials from the exec plugin "aws-not-installed", which is not in this image',
    );
    expect(r.stderr).toContain('kubectl create token');
    // A plugin that is there (mounted) passes.
    await writeFile(
      input,
      kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath } }),
    );
    expect((await runScript([input, join(dir, 'exec.out')])).code).toBe(0);
  });
});
