import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_GZIP_BODY } from '@meshlens/contract/constants';
import { fetchText } from './fetchText';

const answer = JSON.stringify({ nodes: [{ id: 'svc:a/b', label: 'b – é' }], edges: [] });
let server: Server;
let base = '';
let lastAccept = '';

/** A loopback server answering as the console may: gzip bytes as the body, gzip in transit, or plain. */
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    lastAccept = String(req.headers.accept ?? '');
    const path = req.url ?? '';
    if (path === '/gzip-body') {
      res.writeHead(200, { 'content-type': `${GRAPH_GZIP_BODY}` }).end(gzipSync(answer));
    } else if (path === '/gzip-encoding') {
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        .end(gzipSync(answer));
    } else if (path === '/error') {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad"}');
    } else res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('fetchText (the fetch worker’s GET)', () => {
  it('prefers the gzip body and inflates it', async () => {
    const res = await fetchText(`${base}/gzip-body`, new AbortController().signal);
    expect(lastAccept).toBe(`${GRAPH_GZIP_BODY}, application/json;q=0.9`);
    expect(res).toMatchObject({ ok: true, status: 200 });
    expect(res.text).toBe(answer);
  });

  it('reads JSON as it comes, gzipped in transit or not', async () => {
    for (const path of ['/gzip-encoding', '/plain']) {
      const res = await fetchText(`${base}${path}`, new AbortController().signal);
      expect(res.text, path).toBe(answer);
    }
  });

  it('gives an error answer’s text and status', async () => {
    const res = await fetchText(`${base}/error`, new AbortController().signal);
    expect(res).toMatchObject({ ok: false, status: 400, text: '{"error":"bad"}' });
  });
});
