/**
 * What the Prometheus client sends: a bearer token (also from a file, read again when it rotates), extra
 * headers such as a tenant id. Prometheus itself ignores these headers, so a loopback server records them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createPrometheusClient, SECRET_FILE_TTL_MS } from './client';

const seen: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
  seen.push(req.headers);
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    const body = JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [1, '2'] }] },
    });
    // As Prometheus does: gzipped when the client accepts it.
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      res.setHeader('content-encoding', 'gzip');
      res.end(gzipSync(body));
    } else res.end(body);
  });
});
let url: string;
let dir: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'meshlens-prom-client-'));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

it('sends the bearer token and the extra headers (a tenant id) on every query', async () => {
  const client = createPrometheusClient({
    url,
    bearerToken: 'tok-1',
    username: 'ignored-when-a-token-is-set',
    headers: { 'X-Scope-OrgID': 'team-a' },
  });
  seen.length = 0;
  await client.query('up');
  await client.ping();
  expect(seen).toHaveLength(2);
  for (const h of seen) expect(h).toMatchObject({ authorization: 'Bearer tok-1', 'x-scope-orgid': 'team-a' });
  await client.close?.();
});

it('reads a token file, and again once it may have rotated', async () => {
  const file = join(dir, 'token');
  writeFileSync(file, 'first\n');
  const start = performance.now();
  const clock = vi.spyOn(performance, 'now');
  clock.mockReturnValue(start);
  const client = createPrometheusClient({ url, bearerTokenFile: file });
  try {
    seen.length = 0;
    await client.query('up');
    writeFileSync(file, 'second\n');
    await client.query('up'); // within the reuse period: the token read first
    clock.mockReturnValue(start + SECRET_FILE_TTL_MS + 1);
    await client.query('up');
    expect(seen.map((h) => h.authorization)).toEqual(['Bearer first', 'Bearer first', 'Bearer second']);
  } finally {
    clock.mockRestore();
    await client.close?.();
  }
});

it('asks for gzipped answers and inflates them, or for plain ones when gzip is off', async () => {
  const zipped = createPrometheusClient({ url });
  const plain = createPrometheusClient({ url, gzip: false });
  const theirs = createPrometheusClient({ url, gzip: false, headers: { 'Accept-Encoding': 'gzip' } });
  try {
    seen.length = 0;
    const a = await zipped.query('up');
    const b = await plain.query('up');
    const c = await theirs.query('up');
    expect(seen.map((h) => h['accept-encoding'])).toEqual(['gzip', 'identity', 'gzip']);
    for (const r of [a, b, c]) expect(r.samples).toEqual([{ metric: { job: 'x' }, value: [1, '2'] }]);
  } finally {
    await Promise.all([zipped, plain, theirs].map((x) => x.close?.()));
  }
});
