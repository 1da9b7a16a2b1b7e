/**
 * The tracing client reads at most `maxResponseBytes` of an answer: against a loopback server that
 * sends more (a long chunked body, a large Content-Length, or gzipped small and large once decoded), the
 * read stops at the bound and the user is told why, instead of the console buffering it all.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ErrorBodySchema } from '@meshlens/contract';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type KubeAccess } from '../app';
import { parseConfig } from '../config';
import { unreachablePrometheus } from '../../test/stackHelpers';
import { createJaegerClient, TracingError } from './jaegerClient';

const MAX = 256 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
/** What the backend answers on each path. */
const answers: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {};
/** Bytes the long answer wrote before its client went away. */
let endlessWritten = 0;
let endlessClosed: Promise<unknown> = Promise.resolve();
let backend: Server;
let url: string;

beforeAll(async () => {
  backend = createServer((req, res) => {
    const answer = answers[new URL(req.url ?? '/', 'http://x').pathname];
    if (answer) answer(req, res);
    else res.writeHead(404).end();
  });
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
afterAll(async () => {
  backend?.closeAllConnections();
  await new Promise((resolve) => backend?.close(resolve));
});

/** `{"data":["…` and then spaces, chunked, as fast as the client reads: 64 MiB, far past the bound. */
const ENDLESS = 64 * 2 ** 20;
answers['/api/services'] = (_req, res) => {
  endlessWritten = 0;
  endlessClosed = once(res, 'close');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"data":["');
  const pump = () => {
    while (!res.destroyed) {
      if (endlessWritten >= ENDLESS) return void res.end('"]}');
      endlessWritten += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once('drain', pump);
    }
  };
  pump();
};
/** Declares more than the bound, then sends a little and waits. */
answers['/api/traces/declared'] = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX * 100) });
  res.write('{"data":[');
};
/** A few kilobytes gzipped, 4 MiB of JSON once decoded. */
const bomb = gzipSync(Buffer.from(`{"data":[],"pad":"${' '.repeat(4 * 2 ** 20)}"}`));
answers['/api/traces/b0b'] = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  res.end(bomb);
};
/** Under the bound: a real answer. */
const trace = {
  traceID: 'abc',
  spans: [
    {
      traceID: 'abc',
      spanID: '1',
      operationName: 'reviews.bookinfo.svc.cluster.local:9080/*',
      startTime: 1,
      duration: 2,
      processID: 'p1',
    },
  ],
  processes: { p1: { serviceName: 'reviews.bookinfo' } },
};
answers['/api/traces/abc'] = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ data: [trace], pad: ' '.repeat(MAX - 1024) }));
};

const client = () => createJaegerClient({ url, maxResponseBytes: MAX, timeoutMs: 5000 });

async function refusal(p: Promise<unknown>): Promise<TracingError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TracingError);
  return err as TracingError;
}

describe('the tracing client bounds what it reads', () => {
  it('stops a long chunked answer at the bound and closes the connection', async () => {
    const jaeger = client();
    const err = await refusal(jaeger.services());
    expect(err.kind).toBe('too_large');
    expect(err.message).toBe(
      "the tracing backend's answer is larger than 0.25 MiB, the most the console reads " +
        '(tracing.maxResponseMb): ask for fewer traces or a shorter time window',
    );
    await endlessClosed;
    // What was read, plus what the sockets held: nowhere near what an unbounded read would take.
    expect(endlessWritten).toBeLessThan(MAX + 8 * 2 ** 20);
    await jaeger.close();
  });

  it('refuses a declared Content-Length above the bound without reading it', async () => {
    const jaeger = client();
    expect((await refusal(jaeger.trace('declared'))).kind).toBe('too_large');
    await jaeger.close();
  });

  it('counts the bytes once decoded: a small gzipped answer that inflates past the bound', async () => {
    const jaeger = client();
    expect(bomb.length).toBeLessThan(MAX);
    expect((await refusal(jaeger.trace('b0b'))).kind).toBe('too_large');
    await jaeger.close();
  });

  it('reads an answer under the bound as before', async () => {
    const jaeger = client();
    expect((await jaeger.trace('abc'))?.spans).toHaveLength(1);
    await jaeger.close();
  });

  it('tells the user through the API: 502 naming the setting', async () => {
    const kube: KubeAccess = {
      snapshot: () => ({ namespaces: [], workloads: [], services: [], synced: true }) as never,
      ping: async () => undefined,
    };
    const jaeger = client();
    const app = createApp({
      kube,
      prometheus: unreachablePrometheus(),
      config: parseConfig({}),
      logger: pino({ level: 'silent' }),
      tracing: jaeger,
    });
    const big = await request(app).get('/api/traces/b0b');
    expect(big.status).toBe(502);
    expect(ErrorBodySchema.parse(big.body).error).toMatchObject({
      name: 'UpstreamError',
      message: expect.stringMatching(/larger than 0\.25 MiB.*\(tracing\.maxResponseMb\)/),
    });
    await jaeger.close();
  });
});
