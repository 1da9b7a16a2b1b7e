/**
 * Prometheus behind TLS and basic auth (its `--web.config.file`), as many production installs and
 * Thanos/Mimir gateways are: the client trusts a CA of its own, sends the user and password (also from a
 * file, as a mounted Secret), and says clearly what is wrong when either is missing. The real Prometheus,
 * with a CA and a server certificate made here, and the server started from config against it. Also what
 * the server asks of a Prometheus on this host: plain answers, unless told to ask for gzip.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadyResponseSchema } from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { startPrometheus, type PrometheusHandle } from '@meshlens/stack';
import bcrypt from 'bcryptjs';
import forge from 'node-forge';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient, PrometheusError } from '../src/prometheus/client';
import { startServer } from '../src/server';
import { getGraph } from './stackHelpers';

/** An RSA key pair as PEM (node:crypto: fast and native; forge only writes the certificates). */
const keyPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });

/** A certificate for `publicKey`, signed by `signer` (self-signed when issuer is the subject). */
function certificate(options: {
  publicKey: string;
  signerKey: string;
  subject: string;
  issuer: string;
  serial: string;
  ca: boolean;
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(options.publicKey);
  cert.serialNumber = options.serial;
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: options.subject }]);
  cert.setIssuer([{ name: 'commonName', value: options.issuer }]);
  cert.setExtensions(
    options.ca
      ? [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
        ],
  );
  cert.sign(forge.pki.privateKeyFromPem(options.signerKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

const USER = 'meshlens';
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;

let dir: string;
let caPem: string;
let prometheus: PrometheusHandle;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-prom-auth-'));
  const ca = keyPair();
  caPem = certificate({
    publicKey: ca.publicKey,
    signerKey: ca.privateKey,
    subject: 'meshlens test CA',
    issuer: 'meshlens test CA',
    serial: '01',
    ca: true,
  });
  const server = keyPair();
  const serverPem = certificate({
    publicKey: server.publicKey,
    signerKey: ca.privateKey,
    subject: '127.0.0.1',
    issuer: 'meshlens test CA',
    serial: '02',
    ca: false,
  });
  prometheus = await startPrometheus({
    scrapeTargets: [],
    dataDir: join(dir, 'prom'),
    web: {
      tls: { cert: serverPem, key: server.privateKey, ca: caPem },
      // Prometheus keeps only the bcrypt hash (cost 4: the lowest bcrypt allows, fast on a busy machine).
      basicAuth: { username: USER, password: PASSWORD, bcryptHash: bcrypt.hashSync(PASSWORD, 4) },
    },
  });
  cluster = await startDemoCluster({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await prometheus?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PrometheusError);
  return err as PrometheusError;
};

describe('the Prometheus client against Prometheus with TLS and basic auth', () => {
  it('serves https only, and refuses a client without credentials (401)', async () => {
    expect(prometheus.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const anonymous = createPrometheusClient({ url: prometheus.url, ca: caPem });
    try {
      expect(await failure(anonymous.query('vector(1)'))).toMatchObject({ kind: 'http', status: 401 });
    } finally {
      await anonymous.close?.();
    }
  });

  it('queries with the CA and the user and password', async () => {
    const client = createPrometheusClient({
      url: prometheus.url,
      ca: caPem,
      username: USER,
      password: PASSWORD,
    });
    try {
      const r = await client.query('vector(42)');
      expect(r.samples.map((s) => s.value[1])).toEqual(['42']);
    } finally {
      await client.close?.();
    }
  });

  it('reads the password from a file (a mounted Secret)', async () => {
    const file = join(dir, 'password');
    writeFileSync(file, `${PASSWORD}\n`);
    const client = createPrometheusClient({
      url: prometheus.url,
      ca: caPem,
      username: USER,
      passwordFile: file,
    });
    try {
      expect((await client.query('vector(1)')).samples).toHaveLength(1);
    } finally {
      await client.close?.();
    }
  });

  it('a wrong password: Prometheus answers 401 and the error says so', async () => {
    const client = createPrometheusClient({
      url: prometheus.url,
      ca: caPem,
      username: USER,
      password: 'nope',
    });
    try {
      const err = await failure(client.query('vector(1)'));
      expect(err).toMatchObject({ kind: 'http', status: 401 });
      expect(err.message).toMatch(/HTTP 401/);
    } finally {
      await client.close?.();
    }
  });

  it('without the CA the certificate is refused; insecureSkipVerify accepts it', async () => {
    const strict = createPrometheusClient({ url: prometheus.url, username: USER, password: PASSWORD });
    const lax = createPrometheusClient({
      url: prometheus.url,
      username: USER,
      password: PASSWORD,
      insecureSkipVerify: true,
    });
    try {
      const err = await failure(strict.query('vector(1)'));
      expect(err.kind).toBe('unreachable');
      expect(err.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|unable to verify/i);
      expect((await lax.query('vector(1)')).samples).toHaveLength(1);
    } finally {
      await strict.close?.();
      await lax.close?.();
    }
  });
});

describe('the server configured for it', () => {
  it('is ready and builds graphs with Prometheus answering every query', { timeout: 60_000 }, async () => {
    const kubeconfigPath = join(dir, 'kubeconfig');
    await cluster.writeKubeconfig(kubeconfigPath);
    const caFile = join(dir, 'ca.pem');
    const passwordFile = join(dir, 'server-password');
    writeFileSync(caFile, caPem);
    writeFileSync(passwordFile, PASSWORD);
    const server = await startServer({
      kubeconfigPath,
      port: 0,
      config: {
        prometheus: { url: prometheus.url, caFile, username: USER, passwordFile, timeoutMs: 5000 },
        readyTimeoutMs: 5000,
      },
      logger: pino({ level: 'silent' }),
    });
    try {
      const ready = ReadyResponseSchema.parse(await (await fetch(`${server.url}/readyz`)).json());
      expect(ready.checks.prometheus).toMatchObject({ ok: true, message: 'ok' });
      const g = await getGraph(server.url, { namespaces: 'default', debug: 'true' });
      // requests (with mTLS), response time, throughput, TCP: every appender of the default request
      expect(g.debug!.queries).toHaveLength(4);
      expect(g.debug!.queries.filter((q) => q.error)).toEqual([]);
      expect(g.warnings.filter((w) => w.code.startsWith('Prometheus'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('asks a Prometheus on this host for plain answers, and for gzipped ones when told', async () => {
    const kubeconfigPath = join(dir, 'kubeconfig-compression');
    await cluster.writeKubeconfig(kubeconfigPath);
    // A loopback stand-in for Prometheus that records what the server asks for.
    const asked: (string | undefined)[] = [];
    const recorder = createServer((req, res) => {
      asked.push(req.headers['accept-encoding']);
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
    try {
      for (const [compression, expected] of [
        [undefined, 'identity'],
        ['gzip', 'gzip'],
      ] as const) {
        asked.length = 0;
        const server = await startServer({
          kubeconfigPath,
          port: 0,
          config: { prometheus: { url, ...(compression ? { compression } : {}) }, readyTimeoutMs: 5000 },
          logger: pino({ level: 'silent' }),
        });
        try {
          const ready = ReadyResponseSchema.parse(await (await fetch(`${server.url}/readyz`)).json());
          expect(ready.checks.prometheus).toMatchObject({ ok: true });
          expect(asked.length).toBeGreaterThan(0);
          expect(new Set(asked)).toEqual(new Set([expected]));
        } finally {
          await server.close();
        }
      }
    } finally {
      await new Promise((resolve) => recorder.close(resolve));
    }
  });
});
