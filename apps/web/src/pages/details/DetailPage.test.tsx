import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Router } from 'wouter';
import { DetailPage } from './DetailPage';

/** The page before any answer has arrived (nothing fetched during a static render). */
const page = (tab?: string) =>
  renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <Router ssrPath={`/namespaces/shop/services/cart${tab ? `/${tab}` : ''}`}>
        <DetailPage namespace="shop" kind="services" name="cart" tab={tab} />
      </Router>
    </QueryClientProvider>,
  );

describe('the detail page before its detail answer', () => {
  it('already shows the metrics tab (which asks for its series) rather than waiting', () => {
    const html = page('inbound');
    expect(html).toContain('Loading charts…');
    expect(html).toContain('aria-label="Chart options"');
    expect(html).not.toContain('class="page-loading"');
  });

  it('waits for the detail on the Overview tab, which shows its facts', () => {
    const html = page();
    expect(html).toContain('class="page-loading"');
    expect(html).not.toContain('Loading charts…');
  });
});
