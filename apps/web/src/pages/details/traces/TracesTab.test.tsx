import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Router } from 'wouter';
import type { SpanStatsResponse, TracesResponse } from '@meshlens/contract';
import { queryKeys } from '../../../api/queries';
import { TracesTab } from './TracesTab';

const entity = { kind: 'apps' as const, namespace: 'bookinfo', name: 'reviews' };

/** The tab rendered with `answer` as the traces route's (whatever the query's parameters). */
const render = (answer: TracesResponse, stats?: SpanStatsResponse) => {
  const client = new QueryClient();
  client.setQueryDefaults([...queryKeys.detail('apps', 'bookinfo', 'reviews'), 'traces'], {
    initialData: answer,
    staleTime: Infinity,
  });
  if (stats)
    client.setQueryDefaults([...queryKeys.all, 'spanStats'], { initialData: stats, staleTime: Infinity });
  return renderToStaticMarkup(
    <QueryClientProvider client={client}>
      <Router ssrPath="/namespaces/bookinfo/apps/reviews/traces">
        <TracesTab entity={entity} />
      </Router>
    </QueryClientProvider>,
  );
};

describe('the Traces tab', () => {
  it("shows tracing's message when tracing is not enabled", () => {
    const html = render({
      tracing: { enabled: false, message: 'Start the console with --tracing-url to see traces.' },
      start: 0,
      end: 600,
      traces: [],
      warnings: [],
    });
    expect(html).toContain('Tracing is not enabled');
    expect(html).toContain('Start the console with --tracing-url to see traces.');
    expect(html).not.toContain('data-testid="trace-scatter"');
  });

  it('lists traces newest first, the failing one marked, the entity span status and flags, Jaeger links', () => {
    const summary = (id: string, startUs: number, errors: number, statusCode: number, flags: string) => ({
      id,
      startUs,
      durationUs: 30_000,
      spans: 6,
      errors,
      rootService: 'productpage.bookinfo',
      rootOperation: 'productpage.bookinfo.svc.cluster.local:80/*',
      services: [],
      entity: {
        spanId: 's',
        durationUs: 12_000,
        error: errors > 0,
        statusCode,
        responseFlags: flags,
        operation: 'op',
      },
    });
    const html = render({
      tracing: { enabled: true, externalUrl: 'http://jaeger.example/' },
      service: 'reviews.bookinfo',
      start: 0,
      end: 600,
      traces: [summary('older', 1_000_000, 0, 200, '-'), summary('newer', 2_000_000, 1, 500, 'FI')],
      warnings: [],
    });
    const rows = html.split('data-testid="trace-row"').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('/traces/newer');
    expect(rows[0]).toContain('500 FI');
    expect(html).toContain('class="trace-row failed"');
    expect(rows[1]).toContain('/traces/older');
    expect(rows[1]).not.toContain(' -<');
    expect(html).toContain('href="http://jaeger.example/trace/newer"');
    expect(html).toContain('2 traces of reviews.bookinfo');
  });

  it('sets the spans per peer beside the list: callers inbound, services called outbound', () => {
    const html = render(
      {
        tracing: { enabled: true },
        service: 'reviews.bookinfo',
        start: 0,
        end: 600,
        traces: [],
        warnings: [],
      },
      {
        tracing: { enabled: true },
        start: 0,
        end: 600,
        traces: 40,
        stats: [
          {
            direction: 'inbound',
            peer: 'productpage.bookinfo',
            count: 40,
            errorPercent: 0,
            p50Ms: 12,
            p95Ms: 31,
          },
          {
            direction: 'outbound',
            peer: 'ratings.bookinfo.svc.cluster.local:9080/*',
            count: 27,
            errorPercent: 7.4,
            p50Ms: 2.5,
            p95Ms: 1250,
          },
        ],
        warnings: [],
      },
    );
    const table = html.split('data-testid="span-stats"')[1] ?? '';
    expect(table).toContain('productpage.bookinfo');
    expect(table).toContain('ratings.bookinfo:9080');
    expect(table).toContain('7.4 %');
    expect(table).toContain('1.25 s');
    expect(html).toContain('over these 40 traces');
  });
});
