/**
 * A follow's place is given back however its response ends: the cluster ends the stream, the stream
 * fails midway, or the cluster refuses the request. (The client going away, and
 * the cap itself, are tested against the demo cluster in test/logs.integration.test.ts.) The upstream
 * here is a stream the test ends itself; the route, the limiter and the HTTP server are the real ones.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { LogStreamEventSchema, podLogsPath, type LogStreamEvent } from '@meshlens/contract';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../http/errors';
import { KubeApiError } from '../istio/kubeClient';
import { followLimiter } from './follows';
import { logsRouter } from './router';

const follows = followLimiter(1);
/** What the next log request gets from "the cluster". */
let next: () => Promise<PassThrough>;
let server: Server;
let url: string;

beforeAll(async () => {
  const app = express();
  app.use(
    logsRouter({
      auth: {
        podLogs: () => next(),
        requireReadable: async () => undefined,
        istioClient: () => {
          throw new Error('not used');
        },
      },
      follows,
      clientOf: () => 'user:jane',
      maxFollowMs: 60_000,
    }),
  );
  app.use(errorHandler(pino({ level: 'silent' })));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const follow = () => fetch(`${url}${podLogsPath('bookinfo', 'reviews-v1-abc')}?follow=true&tailLines=0`);

async function eventsOf(res: Response): Promise<LogStreamEvent[]> {
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => LogStreamEventSchema.parse(JSON.parse(l)));
}

describe('a follow gives its place back', () => {
  it('when the cluster ends the stream', async () => {
    const upstream = new PassThrough();
    next = async () => upstream;
    const res = await follow();
    expect(res.status).toBe(200);
    expect(follows.open('user:jane')).toBe(1);
    expect((await follow()).status).toBe(429);
    upstream.end('2026-12-06T17:00:00Z a line\n');
    expect((await eventsOf(res)).map((e) => e.kind)).toEqual(['line', 'end']);
    expect(follows.open('user:jane')).toBe(0);
  });

  it('when the stream fails midway', async () => {
    const upstream = new PassThrough();
    next = async () => upstream;
    const res = await follow();
    expect(res.status).toBe(200);
    upstream.destroy(new Error('connection reset'));
    expect((await eventsOf(res)).at(-1)).toMatchObject({ kind: 'end', reason: 'closed' });
    expect(follows.open('user:jane')).toBe(0);
  });

  it('when the cluster refuses the request', async () => {
    next = () => Promise.reject(new KubeApiError(404, 'pods "reviews-v1-abc" not found'));
    const res = await follow();
    expect(res.status).toBe(404);
    await res.body?.cancel();
    expect(follows.open('user:jane')).toBe(0);
    const upstream = new PassThrough();
    next = async () => upstream;
    const ok = await follow();
    expect(ok.status).toBe(200);
    upstream.end();
    await eventsOf(ok);
    expect(follows.open('user:jane')).toBe(0);
  });
});
