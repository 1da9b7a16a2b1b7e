import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { AuthInfoResponse } from '@meshlens/contract';
import { graphQuery, serverConfigQuery, withAppenders } from '../../api/queries';
import { testServerConfig } from '../../api/testdata/serverConfig';
import { authInfoQuery } from '../../shell/auth';
import { parseViewState, viewSettings } from '../../url/viewState';
import { graphParamsOf } from './graphParams';
import { prefetchGraph } from './prefetch';

const requestInWorker = vi.fn((..._args: unknown[]) => Promise.resolve({ nodes: [], edges: [] }));
vi.mock('../../api/workerFetch', () => ({
  requestInWorker: (...args: unknown[]) => requestInWorker(...args),
  startFetchWorker: () => undefined,
}));

const config = testServerConfig({ durationSeconds: 600, durationsSeconds: [60, 600] });
const info = (authenticated: boolean): AuthInfoResponse => ({
  strategy: 'token',
  authenticated,
  viewOnly: false,
  canSignOut: authenticated,
});

/** A client holding the config and the auth info, as main.tsx's prefetches leave it. */
function client(authenticated = true): QueryClient {
  const c = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  c.setQueryData(serverConfigQuery.queryKey, config);
  c.setQueryData(authInfoQuery.queryKey, info(authenticated));
  return c;
}
const at = (url: string) => new URL(url, 'http://console.test') as unknown as Location;

afterEach(() => requestInWorker.mockClear());

describe('prefetchGraph (the graph asked at boot)', () => {
  it('asks the graph page’s own query: the URL’s view on the server’s defaults, with its appenders', async () => {
    const c = client();
    const search = '?namespaces=bookinfo,travels&edges=rt';
    await prefetchGraph(c, at(`/graph${search}`));
    expect(requestInWorker).toHaveBeenCalledTimes(1);
    const query = String((requestInWorker.mock.calls[0]![1] as { query: URLSearchParams }).query);
    expect(query).toContain('namespaces=bookinfo%2Ctravels');
    expect(query).toContain('graphType=workload'); // the server's default, not the built-in one
    expect(query).toContain('duration=600&');
    expect(query).toContain('appenders=responseTime'); // rt labels need response times
    // the key the page computes from the same URL and config: its query finds the answer there
    const view = parseViewState(search, viewSettings(config));
    const key = graphQuery(withAppenders(graphParamsOf(view)!, view)).queryKey;
    expect(c.getQueryState(key)?.status).toBe('success');
  });

  it('asks nothing off the graph page, without a session, or without namespaces in the URL', async () => {
    await prefetchGraph(client(), at('/overview?namespaces=bookinfo'));
    await prefetchGraph(client(false), at('/graph?namespaces=bookinfo'));
    await prefetchGraph(client(), at('/graph'));
    expect(requestInWorker).not.toHaveBeenCalled();
  });

  it('never throws: a failed config leaves the page to ask and report', async () => {
    const c = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    vi.stubGlobal('fetch', () => Promise.reject(new Error('down')));
    try {
      await expect(prefetchGraph(c, at('/graph?namespaces=bookinfo'))).resolves.toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(requestInWorker).not.toHaveBeenCalled();
  });
});
