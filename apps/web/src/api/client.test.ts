import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ISTIO_ROUTES } from '@meshlens/contract';
import { ApiError, onUnauthorized, request, requestStream, routePath, searchParams } from './client';

const answer = (status: number, body: unknown, statusText = '') =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    statusText,
    headers: { 'content-type': 'application/json' },
  });

const stubFetch = (res: () => Response) => {
  const fn = vi.fn((_url: string, _init?: RequestInit) => Promise.resolve(res()));
  vi.stubGlobal('fetch', fn);
  return fn;
};

afterEach(() => vi.unstubAllGlobals());

describe('routePath', () => {
  it('fills the contract route, encoding each segment', () => {
    expect(routePath(ISTIO_ROUTES.object, { namespace: 'a b', kind: 'virtualservices', name: 'r/1' })).toBe(
      '/api/namespaces/a%20b/istio/virtualservices/r%2F1',
    );
  });
  it('names a missing parameter', () => {
    expect(() => routePath(ISTIO_ROUTES.routing, { namespace: 'x' })).toThrow(/:service/);
  });
});

describe('searchParams', () => {
  it('leaves out undefined and false, joins arrays', () => {
    expect(
      searchParams({
        dryRun: false,
        follow: true,
        tailLines: 50,
        namespaces: ['a', 'b'],
        x: undefined,
      }).toString(),
    ).toBe('follow=true&tailLines=50&namespaces=a%2Cb');
  });
});

describe('request', () => {
  it('sends method, query and JSON body, and checks the answer with the schema', async () => {
    const fetch = stubFetch(() => answer(200, { n: 1 }));
    const got = await request('PUT', '/api/x', {
      query: { dryRun: true },
      body: { a: 1 },
      schema: z.object({ n: z.number() }),
    });
    expect(got).toEqual({ n: 1 });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('/api/x?dryRun=true');
    expect(init).toMatchObject({ method: 'PUT', body: '{"a":1}' });
  });

  it("carries the server's error name, message, status and details", async () => {
    stubFetch(() =>
      answer(422, {
        error: { name: 'InputError', message: 'spec.hosts: required', details: { causes: [] } },
      }),
    );
    const err = await request('PUT', '/api/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 422,
      errorName: 'InputError',
      message: 'spec.hosts: required',
      details: { causes: [] },
    });
  });

  it('names a non-JSON error by its status', async () => {
    stubFetch(() => answer(502, 'bad gateway', 'Bad Gateway'));
    await expect(request('GET', '/api/x')).rejects.toMatchObject({ status: 502, message: /HTTP 502/ });
  });

  it('refuses an answer that breaks the contract', async () => {
    stubFetch(() => answer(200, { n: 'one' }));
    await expect(request('GET', '/api/x', { schema: z.object({ n: z.number() }) })).rejects.toMatchObject({
      errorName: 'ContractError',
    });
  });

  it('reports a 401 to the shell (sign-in), except from the auth routes', async () => {
    const seen: number[] = [];
    const off = onUnauthorized((e) => seen.push(e.status));
    try {
      stubFetch(() => answer(401, { error: { name: 'Unauthorized', message: 'session ended' } }));
      await expect(request('GET', '/api/graph')).rejects.toMatchObject({ status: 401 });
      await expect(request('GET', '/api/auth/info')).rejects.toMatchObject({ status: 401 });
      expect(seen).toEqual([401]);
    } finally {
      off();
    }
  });
});

describe('requestStream', () => {
  it('reports a 401 to the shell as request does', async () => {
    const seen: string[] = [];
    const off = onUnauthorized((e) => seen.push(e.message));
    try {
      stubFetch(() => answer(401, { error: { name: 'Unauthorized', message: 'session ended' } }));
      await expect(requestStream('/api/namespaces/a/pods/p/logs')).rejects.toMatchObject({ status: 401 });
      expect(seen).toEqual(['session ended']);
    } finally {
      off();
    }
  });

  it('hands over the body of a good answer', async () => {
    stubFetch(() => new Response('{"kind":"line"}\n', { status: 200 }));
    const reader = await requestStream('/api/logs', { query: { follow: true } });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe('{"kind":"line"}\n');
  });
});

describe('request with reuse', () => {
  it('answers the same object for the same text, a new one for a new text', async () => {
    let body = '{"nodes":[{"id":"a"}]}';
    const fetchFn = stubFetch(() => answer(200, body));
    const memo = {};
    const first = await request('GET', '/api/graph', { reuse: memo });
    const again = await request('GET', '/api/graph', { reuse: memo });
    expect(again).toBe(first);
    body = '{"nodes":[{"id":"b"}]}';
    const changed = await request('GET', '/api/graph', { reuse: memo });
    expect(changed).not.toBe(first);
    expect(changed).toEqual({ nodes: [{ id: 'b' }] });
    // without a memo every answer is parsed anew
    const plain = await request('GET', '/api/graph');
    expect(plain).not.toBe(changed);
    expect(fetchFn).toHaveBeenCalledTimes(4);
  });
});
