import { createRef } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Router } from 'wouter';
import type { NamespaceOverview } from '@meshlens/contract';
import { columnsFor, NamespaceGrid } from './NamespaceGrid';
import { LINE_HEIGHT, NamespaceTable } from './NamespaceTable';
import { pendingEntry } from './overviewState';

const counts = { Failure: 0, Degraded: 0, NotReady: 0, Healthy: 3, NoTraffic: 0 };
const namespaces = (n: number): NamespaceOverview[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `ns-${String(i).padStart(3, '0')}`,
    labels: {},
    injection: { enabled: true, label: 'istio-injection=enabled' },
    mtls: { mode: 'PERMISSIVE', source: 'default' },
    health: { apps: counts, workloads: counts, services: counts },
    validations: { objects: 0, valid: 0, warnings: 0, errors: 0 },
    traffic: { inboundRps: 1, errorRate: 0, series: [] },
  }));

const render = (node: React.ReactNode) => renderToStaticMarkup(<Router ssrPath="/overview">{node}</Router>);
const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0;

describe('the overview of 800 namespaces', () => {
  it('puts only the lines in view in the list, the rest as spacer height', () => {
    const html = render(<NamespaceTable list={namespaces(800)} scroller={createRef()} />);
    const lines = count(html, /data-testid="ns-row-/g);
    expect(lines).toBeGreaterThanOrEqual(Math.ceil(1000 / LINE_HEIGHT));
    expect(lines).toBeLessThan(60);
    expect(html).toContain('data-testid="ns-row-ns-000"');
    // the lines not drawn keep their place: one spacer row after the drawn ones
    const spacer = /<tr aria-hidden="true" class="ov-spacer" style="height:(\d+)px"/.exec(html);
    expect(Number(spacer?.[1])).toBe((800 - lines) * LINE_HEIGHT);
    expect(html).toContain('aria-rowcount="801"');
  });

  it('puts only the lines of cards in view in the grid', () => {
    const html = render(<NamespaceGrid list={namespaces(800)} scroller={createRef()} />);
    const cards = count(html, /data-testid="ns-card-/g);
    expect(cards).toBeGreaterThan(0);
    expect(cards).toBeLessThanOrEqual(8 * columnsFor(1280));
    expect(cards % columnsFor(1280)).toBe(0);
  });

  it('fits as many 300 px cards per line as the width allows', () => {
    expect(columnsFor(200)).toBe(1);
    expect(columnsFor(900)).toBe(2);
    expect(columnsFor(1280)).toBe(4);
    expect(columnsFor(1600)).toBe(5);
  });

  it('draws pending namespaces with their name, link and injection, and no figure yet', () => {
    const pending = [
      pendingEntry({ name: 'bookinfo', labels: { 'istio-injection': 'enabled' }, injection: true }),
    ];
    for (const html of [
      render(<NamespaceTable list={pending} scroller={createRef()} />),
      render(<NamespaceGrid list={pending} scroller={createRef()} />),
    ]) {
      expect(html).toContain('aria-busy="true"');
      expect(html).toContain('href="/graph?namespaces=bookinfo"');
      expect(html).toMatch(/Sidecar injection on|<td>on<\/td>/);
      expect(count(html, /class="ov-pending-cell"/g)).toBeGreaterThanOrEqual(6);
      // no zero passed off as a figure
      expect(html).not.toMatch(/0 Applications|PERMISSIVE|no Istio config|fine|req\/s/);
    }
  });
});
