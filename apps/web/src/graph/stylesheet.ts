import type { StylesheetJson } from 'cytoscape';
import type { EdgeLabelMode } from '../url/viewState';

/** Colours the graph uses; read from the theme's CSS variables so light and dark both work. */
export interface GraphPalette {
  text: string;
  textMuted: string;
  nodeFill: string;
  nodeBorder: string;
  boxFill: string;
  boxBorder: string;
  healthy: string;
  degraded: string;
  failure: string;
  idle: string;
  tcp: string;
  selected: string;
  find: string;
  textOutline: string;
}

export const LIGHT_PALETTE: GraphPalette = {
  text: '#1f2933',
  textMuted: '#616e7c',
  nodeFill: '#ffffff',
  nodeBorder: '#4a5563',
  boxFill: '#f3f5f8',
  boxBorder: '#c3cad4',
  healthy: '#3e8635',
  degraded: '#e08a00',
  failure: '#c9190b',
  idle: '#a3abb5',
  tcp: '#2b6cb0',
  selected: '#0066cc',
  find: '#8b5cf6',
  textOutline: '#ffffff',
};

export function paletteFromCss(el: Element): GraphPalette {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(`--graph-${name}`).trim() || fallback;
  const p = LIGHT_PALETTE;
  return {
    text: v('text', p.text),
    textMuted: v('text-muted', p.textMuted),
    nodeFill: v('node-fill', p.nodeFill),
    nodeBorder: v('node-border', p.nodeBorder),
    boxFill: v('box-fill', p.boxFill),
    boxBorder: v('box-border', p.boxBorder),
    healthy: v('healthy', p.healthy),
    degraded: v('degraded', p.degraded),
    failure: v('failure', p.failure),
    idle: v('idle', p.idle),
    tcp: v('tcp', p.tcp),
    selected: v('selected', p.selected),
    find: v('find', p.find),
    textOutline: v('text-outline', p.textOutline),
  };
}

export interface StyleOptions {
  edgeLabels: EdgeLabelMode;
  security: boolean;
  /** Large graph: labels appear only when zoomed in far enough to read them. */
  large: boolean;
  /**
   * Before/after comparison: edges show their change (label cmpLabel) and, like nodes, are coloured by
   * its direction (worse, better, unchanged; new and vanished marked), over the health colours.
   */
  compare?: boolean;
}

const EDGE_LABEL_FIELD: Record<EdgeLabelMode, string | null> = {
  none: null,
  rate: 'rateLabel',
  percent: 'pctLabel',
  rt: 'rtLabel',
};

/**
 * The stylesheet is data: selectors on flat element data (Kiali's shapes: app round-rectangle,
 * service round-triangle, service entry round-tag, workload and unknown ellipse; health on the
 * border; edges coloured by health and sized by rate) and classes for find, hide, focus and selection.
 */
export function buildStylesheet(p: GraphPalette, o: StyleOptions): StylesheetJson {
  const labelField = EDGE_LABEL_FIELD[o.edgeLabels];
  const edgeLabel = o.compare
    ? 'data(cmpLabel)'
    : labelField && o.security
      ? `data(${labelField})`
      : labelField
        ? `data(${labelField})`
        : o.security
          ? 'data(lock)'
          : '';
  return [
    {
      selector: 'node',
      style: {
        shape: 'ellipse',
        width: 26,
        height: 26,
        'background-color': p.nodeFill,
        'border-width': 1.5,
        'border-color': p.nodeBorder,
        label: 'data(display)',
        'font-family': 'Inter, "Segoe UI", "DejaVu Sans", system-ui, sans-serif',
        'font-size': 11,
        color: p.text,
        'text-valign': 'bottom',
        'text-halign': 'center',
        'text-margin-y': 4,
        'text-wrap': 'wrap',
        'text-max-width': '120px',
        'text-outline-color': p.textOutline,
        'text-outline-width': 2,
        'text-outline-opacity': 0.85,
        'min-zoomed-font-size': o.large ? 11 : 7,
      },
    },
    {
      selector: 'node[nodeType = "app"], node[nodeType = "versionedApp"]',
      style: { shape: 'round-rectangle', width: 30, height: 24 },
    },
    { selector: 'node[nodeType = "service"]', style: { shape: 'round-triangle', width: 28, height: 26 } },
    { selector: 'node[nodeType = "serviceEntry"]', style: { shape: 'round-tag', width: 28, height: 24 } },
    {
      selector: 'node[nodeType = "unknown"]',
      style: { 'background-color': p.boxFill, 'border-style': 'dashed' },
    },
    { selector: 'node[?isRoot]', style: { 'border-style': 'double', 'border-width': 4 } },
    { selector: 'node[?isGateway]', style: { shape: 'round-diamond', width: 32, height: 32 } },
    { selector: 'node[?isOutside]', style: { 'background-color': p.boxFill, 'border-style': 'dotted' } },
    {
      selector: 'node[?isInaccessible]',
      style: {
        'background-color': p.boxFill,
        'border-style': 'dashed',
        'border-color': p.idle,
        color: p.textMuted,
      },
    },
    {
      selector: 'node[?isIdle]',
      style: { 'border-style': 'dashed', 'border-color': p.idle, color: p.textMuted },
    },
    {
      // a collapsed namespace of the aggregate view: a box-like node, larger with more nodes inside
      selector: 'node[nodeType = "aggregate"]',
      style: {
        shape: 'round-rectangle',
        width: 'mapData(members, 1, 200, 34, 72)',
        height: 'mapData(members, 1, 200, 26, 46)',
        'background-color': p.boxFill,
        'border-color': p.boxBorder,
        'border-width': 2,
        'font-size': 12,
        'font-weight': 600,
        'min-zoomed-font-size': 5,
      },
    },
    { selector: 'node[health = "Degraded"]', style: { 'border-color': p.degraded, 'border-width': 3 } },
    { selector: 'node[health = "Failure"]', style: { 'border-color': p.failure, 'border-width': 3.5 } },
    {
      selector: 'node[nodeType = "box"]',
      style: {
        shape: 'round-rectangle',
        'background-color': p.boxFill,
        'background-opacity': 0.7,
        'border-color': p.boxBorder,
        'border-width': 1,
        'border-style': 'solid',
        label: 'data(label)',
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -3,
        'font-size': 11,
        'font-weight': 600,
        color: p.textMuted,
        padding: '14px',
      } as never,
    },
    {
      // A cluster around its namespace boxes (graphs over several clusters): a heavier frame, more room.
      selector: 'node[nodeType = "box"][id ^= "box:cluster:"]',
      style: {
        'background-opacity': 0.35,
        'border-width': 2,
        'border-style': 'solid',
        'font-size': 13,
        'font-weight': 700,
        color: p.text,
        padding: '22px',
      } as never,
    },
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        // bezier bundles parallel edges but costs a search per node pair: straight on large graphs
        'curve-style': o.large ? 'straight' : 'bezier',
        'line-color': p.healthy,
        'target-arrow-color': p.healthy,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.8,
        label: edgeLabel,
        'font-size': 9,
        color: p.text,
        'text-wrap': 'wrap',
        'text-background-color': p.textOutline,
        'text-background-opacity': 0.85,
        'text-background-padding': '2px',
        'text-background-shape': 'roundrectangle',
        'text-border-color': p.boxBorder,
        'text-border-width': 0.5,
        'text-border-opacity': 0.8,
        'text-rotation': 'none',
        'min-zoomed-font-size': o.large ? 12 : 8,
        opacity: 0.9,
      },
    },
    {
      selector: 'edge[protocol = "tcp"]',
      style: { 'line-color': p.tcp, 'target-arrow-color': p.tcp, 'line-style': 'solid' },
    },
    {
      selector: 'edge[health = "Degraded"]',
      style: { 'line-color': p.degraded, 'target-arrow-color': p.degraded },
    },
    {
      selector: 'edge[health = "Failure"]',
      style: { 'line-color': p.failure, 'target-arrow-color': p.failure },
    },
    {
      selector: 'edge[?isIdle]',
      style: { 'line-color': p.idle, 'target-arrow-color': p.idle, 'line-style': 'dashed', width: 1 },
    },
    {
      // The aggregate view's summed edges (one per group pair and protocol): straight, so the edges of
      // one pair lie on one line rather than fanning out into a tangle of curves, the worst on top.
      selector: 'edge[id ^= "agg-edge:"]',
      style: { 'curve-style': 'straight', 'z-index': 1 },
    },
    { selector: 'edge[id ^= "agg-edge:"][health = "Degraded"]', style: { 'z-index': 2 } },
    { selector: 'edge[id ^= "agg-edge:"][health = "Failure"]', style: { 'z-index': 3 } },
    ...(o.compare ? compareStyles(p) : []),
    ...(o.security && labelField && !o.compare
      ? [
          {
            selector: 'edge[lock != ""]',
            style: {
              label: (ele: { data(k: string): string }) => joinLines(ele.data(labelField), ele.data('lock')),
            },
          },
        ]
      : []),
    { selector: 'edge.animated', style: { 'line-style': 'dashed', 'line-dash-pattern': [6, 4] } },
    // interaction classes
    { selector: '.dim', style: { opacity: 0.15 } },
    { selector: '.hidden', style: { display: 'none' } },
    {
      // find's matches stay readable at any zoom: their labels are always drawn
      selector: 'node.find',
      style: {
        'underlay-color': p.find,
        'underlay-opacity': 0.45,
        'underlay-padding': 7,
        'underlay-shape': 'ellipse',
        'min-zoomed-font-size': 0,
        'z-index': 15,
      } as never,
    },
    {
      selector: 'node.find[nodeType = "aggregate"]',
      style: { 'underlay-shape': 'round-rectangle', 'underlay-padding': 9, 'underlay-opacity': 0.6 } as never,
    },
    {
      selector: 'edge.find',
      style: { 'underlay-color': p.find, 'underlay-opacity': 0.45, 'underlay-padding': 4 } as never,
    },
    { selector: 'node:selected', style: { 'border-color': p.selected, 'border-width': 4 } },
    { selector: 'edge:selected', style: { 'line-color': p.selected, 'target-arrow-color': p.selected } },
    { selector: 'node.hover', style: { 'border-color': p.selected } },
    // labels that would be drawn over another (see labels.ts), back on hover and selection
    {
      selector: '.label-hidden',
      style: { 'text-opacity': 0, 'text-background-opacity': 0, 'text-border-opacity': 0 },
    },
    { selector: 'node.label-hidden.find', style: { 'text-opacity': 1 } },
    {
      selector: 'node.label-hidden:selected, node.label-hidden.hover',
      style: { 'text-opacity': 1, 'z-index': 20 },
    },
    {
      selector: 'edge.label-hidden:selected, edge.label-hidden.hover',
      style: {
        'text-opacity': 1,
        'text-background-opacity': 0.85,
        'text-border-opacity': 0.8,
        'z-index': 20,
      },
    },
  ];
}

/** Compare mode: direction over health (a regression red, an improvement green, unchanged grey). */
function compareStyles(p: GraphPalette): StylesheetJson {
  const edge = (verdict: string, color: string, extra: Record<string, unknown> = {}) => ({
    selector: `edge[cmpVerdict = "${verdict}"]`,
    style: { 'line-color': color, 'target-arrow-color': color, ...extra },
  });
  const node = (verdict: string, color: string, extra: Record<string, unknown> = {}) => ({
    selector: `node[cmpVerdict = "${verdict}"]`,
    style: { 'border-color': color, 'border-width': 3, ...extra },
  });
  return [
    edge('same', p.textMuted, { opacity: 0.7 }),
    edge('better', p.healthy),
    edge('worse', p.failure),
    edge('new', p.find, { width: 'data(width)' }),
    edge('vanished', p.idle, { 'line-style': 'dotted', width: 2 }),
    node('better', p.healthy),
    node('worse', p.failure, { 'border-width': 3.5 }),
    node('new', p.find),
    node('vanished', p.idle, { 'border-style': 'dotted', color: p.textMuted }),
  ] as StylesheetJson;
}

/** The mTLS mark goes on a line of its own: the graph runs left to right, so width is what is scarce. */
function joinLines(a: string, b: string): string {
  return a && b ? `${a}\n${b}` : a || b;
}
