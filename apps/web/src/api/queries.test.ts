import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { testServerConfig } from './testdata/serverConfig';
import { graphAppenders, queryKeys, serverConfigQuery } from './queries';

const view = { edgeLabels: 'none', selected: '', find: '', hide: '' };
const EDGE = 'vapp:bookinfo/productpage/v1>svc:bookinfo/reviews:http';

describe('graphAppenders', () => {
  it('asks no response times or throughput for the default view', () => {
    expect(graphAppenders(view)).toEqual([]);
    expect(graphAppenders({ ...view, edgeLabels: 'rate' })).toEqual([]);
    expect(graphAppenders({ ...view, edgeLabels: 'percent', selected: 'svc:bookinfo/reviews' })).toEqual([]);
  });

  it('asks response times for rt edge labels and find/hide on rt', () => {
    expect(graphAppenders({ ...view, edgeLabels: 'rt' })).toEqual(['responseTime']);
    expect(graphAppenders({ ...view, find: 'rt > 100' })).toEqual(['responseTime']);
    expect(graphAppenders({ ...view, hide: 'responseTime < 5' })).toEqual(['responseTime']);
    // A word that merely contains the operand does not count.
    expect(graphAppenders({ ...view, find: 'name = smart' })).toEqual([]);
  });

  it('asks both for a selected edge (its side panel shows them) and throughput for find on it', () => {
    expect(graphAppenders({ ...view, selected: EDGE })).toEqual(['responseTime', 'throughput']);
    expect(graphAppenders({ ...view, find: 'throughput > 1000' })).toEqual(['throughput']);
  });
});

describe('the server config asked at boot', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is what the pages read: prefetched once, no second request when a page asks for it', async () => {
    const config = testServerConfig();
    const fetch = vi.fn(() =>
      Promise.resolve(
        new Response(JSON.stringify(config), { headers: { 'content-type': 'application/json' } }),
      ),
    );
    vi.stubGlobal('fetch', fetch);
    const client = new QueryClient();
    await client.prefetchQuery(serverConfigQuery);
    expect(client.getQueryData(queryKeys.config())).toEqual(config);
    // what useServerConfig asks for: served from the cache (staleTime Infinity), not fetched again
    expect(await client.fetchQuery(serverConfigQuery)).toEqual(config);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(String((fetch.mock.calls[0] as unknown[] | undefined)?.[0])).toContain('/api/config');
  });
});
