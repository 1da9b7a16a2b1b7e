import type { MetricsResponse } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { hideUnreadablePeers, NO_ACCESS, peerNamespaces, withNamespaceLabels } from './visibility';

const answer = (metrics: MetricsResponse['metrics'], byLabels: string[]): MetricsResponse => ({
  direction: 'inbound',
  reporter: 'destination',
  duration: 20,
  step: 10,
  rateInterval: 60,
  timestamps: [0, 10, 20],
  byLabels,
  quantiles: ['0.95'],
  metrics,
  warnings: [],
});

describe('metrics as one user may see them', () => {
  it('asks for the namespace labels of each side grouped by', () => {
    expect(withNamespaceLabels(['source_workload', 'response_code'])).toEqual([
      'source_workload',
      'response_code',
      'source_workload_namespace',
    ]);
    expect(withNamespaceLabels(['destination_service'])).toEqual([
      'destination_service',
      'destination_workload_namespace',
      'destination_service_namespace',
    ]);
    expect(withNamespaceLabels(['response_code'])).toEqual(['response_code']);
  });

  it('names no peer of an unreadable namespace; merges what becomes alike; answers the grouping asked', () => {
    const labels = (ns: string, workload: string) => ({
      source_workload_namespace: ns,
      source_workload: workload,
      response_code: '200',
    });
    const r = answer(
      {
        request_count: [
          { labels: labels('bookinfo', 'productpage-v1'), values: [1, 1, 1] },
          { labels: labels('istio-system', 'istio-ingressgateway'), values: [2, null, 2] },
          { labels: labels('other', 'job'), values: [3, 3, null] },
          { labels: labels('unknown', 'unknown'), values: [4, 4, 4] },
        ],
        request_duration_millis: [
          { labels: labels('istio-system', 'istio-ingressgateway'), stat: '0.95', values: [10, 50, null] },
          { labels: labels('other', 'job'), stat: '0.95', values: [30, 20, 5] },
        ],
      },
      ['source_workload', 'response_code', 'source_workload_namespace'],
    );
    expect(peerNamespaces(r).sort()).toEqual(['bookinfo', 'istio-system', 'other']);
    const seen = hideUnreadablePeers(r, new Set(['bookinfo']), ['source_workload', 'response_code']);
    expect(seen.byLabels).toEqual(['source_workload', 'response_code']);
    expect(seen.metrics.request_count).toEqual([
      { labels: { source_workload: 'productpage-v1', response_code: '200' }, values: [1, 1, 1] },
      // rates add up
      { labels: { source_workload: NO_ACCESS, response_code: '200' }, values: [5, 3, 2] },
      // outside the mesh: no namespace to hide
      { labels: { source_workload: 'unknown', response_code: '200' }, values: [4, 4, 4] },
    ]);
    // a percentile does not add up: the larger
    expect(seen.metrics.request_duration_millis).toEqual([
      { labels: { source_workload: NO_ACCESS, response_code: '200' }, stat: '0.95', values: [30, 50, 5] },
    ]);
    expect(JSON.stringify(seen)).not.toMatch(/istio-system|istio-ingressgateway|"job"|"other"/);
    // who reads everything gets the same series, grouped as asked
    const all = hideUnreadablePeers(r, 'all', ['source_workload', 'response_code']);
    expect(all.metrics.request_count?.map((s) => s.labels.source_workload)).toEqual([
      'productpage-v1',
      'istio-ingressgateway',
      'job',
      'unknown',
    ]);
  });
});
