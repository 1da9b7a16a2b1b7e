// In-cluster configuration: KUBERNETES_SERVICE_HOST/PORT name the API server, the ServiceAccount's files
// name who calls and which CA to trust; kubernetes.serviceAccountDir moves those files elsewhere.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCommand, configFromFlags } from './config';
import { loadKubeConfig } from './server';

let dir: string;
const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshlens-sa-'));
  process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
  process.env.KUBERNETES_SERVICE_PORT = '6443';
});
afterEach(async () => {
  for (const [k, v] of [
    ['KUBERNETES_SERVICE_HOST', saved.host],
    ['KUBERNETES_SERVICE_PORT', saved.port],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  await rm(dir, { recursive: true, force: true });
});

describe('kubernetes.serviceAccountDir', () => {
  it('reads the token, CA and namespace from the folder, for the API server of the environment', async () => {
    await writeFile(join(dir, 'token'), 'the-sa-token');
    await writeFile(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\n');
    await writeFile(join(dir, 'namespace'), 'istio-system\n');
    const kc = loadKubeConfig(undefined, undefined, dir);
    expect(kc.getCurrentCluster()).toMatchObject({
      server: 'https://127.0.0.1:6443',
      caFile: join(dir, 'ca.crt'),
      skipTLSVerify: false,
    });
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('istio-system');
    const options = await kc.applyToFetchOptions({});
    expect(new Headers(options.headers as Record<string, string>).get('authorization')).toBe(
      'Bearer the-sa-token',
    );
  });

  it('names the file that is missing', async () => {
    await writeFile(join(dir, 'token'), 'x');
    expect(() => loadKubeConfig(undefined, undefined, dir)).toThrow(
      `kubernetes.serviceAccountDir: ${join(dir, 'ca.crt')} does not exist`,
    );
  });

  it('is a setting with a flag and an environment variable', async () => {
    const option = buildCommand().options.find((o) => o.long === '--service-account-dir');
    expect(option?.envVar).toBe('MESHLENS_SERVICEACCOUNT_DIR');
    const config = await configFromFlags({ serviceAccountDir: dir });
    expect(config.kubernetes.serviceAccountDir).toBe(dir);
  });
});
