import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, parseViewState, serializeViewState, type ViewState } from './viewState';

/** Every setting away from its default (typed ViewState, not spread from the defaults: none can be left out). */
const CHANGED: ViewState = {
  namespaces: ['bookinfo', 'istio-system'],
  duration: 3600,
  refresh: 0,
  graphType: 'workload',
  edgeLabels: 'rt',
  responseTime: 'p99',
  rateHttp: 'none',
  rateGrpc: 'total',
  rateTcp: 'received',
  serviceNodes: false,
  idle: true,
  boxNamespaces: false,
  security: true,
  animation: true,
  layout: 'fcose',
  find: 'rt > 1000',
  hide: 'healthy',
  focus: 'vapp:bookinfo/reviews/v1',
  trace: '4bf92f3577b34da6a3ce929d0e0e4736',
  selected: 'vapp:bookinfo/reviews/v2',
  queryTime: 1_800_000_000,
  compare: 1_800_000_600,
  compareWindow: 1800,
  renderer: 'webgl',
  aggregate: 'on',
  expanded: ['bookinfo', 'east/travel-agency'],
  aggregateAbove: 40,
};
const SETTINGS = Object.keys(DEFAULT_VIEW) as (keyof ViewState)[];

describe('view state in the URL', () => {
  it('has a non-default test value for every setting of the defaults', () => {
    expect(Object.keys(CHANGED).sort()).toEqual([...SETTINGS].sort());
    for (const key of SETTINGS) expect(CHANGED[key], key).not.toEqual(DEFAULT_VIEW[key]);
  });

  it('round-trips every setting, all together', () => {
    const search = serializeViewState(CHANGED);
    expect(new URLSearchParams(search).size).toBe(SETTINGS.length);
    expect(search).toContain('namespaces=bookinfo,istio-system');
    expect(search).toContain('find=rt+%3E+1000');
    expect(parseViewState(search)).toEqual(CHANGED);
  });

  it.each(SETTINGS)('round-trips %s alone, as one URL parameter', (key) => {
    const view: ViewState = { ...DEFAULT_VIEW, [key]: CHANGED[key] };
    const search = serializeViewState(view);
    expect(new URLSearchParams(search).size).toBe(1);
    expect(parseViewState(search)).toEqual(view);
  });
  it('writes nothing for the defaults and ignores invalid values', () => {
    expect(serializeViewState(DEFAULT_VIEW)).toBe('');
    expect(parseViewState('graphType=nope&duration=7&refresh=abc&services=maybe')).toEqual(DEFAULT_VIEW);
  });
  it("keeps Kiali's traffic rate parameters under their Kiali names", () => {
    expect(serializeViewState({ ...DEFAULT_VIEW, rateTcp: 'total', rateGrpc: 'sent' })).toBe(
      'rateGrpc=sent&rateTcp=total',
    );
    expect(parseViewState('rateTcp=bytes&rateHttp=none')).toMatchObject({
      rateTcp: 'sent',
      rateHttp: 'none',
    });
  });
  it('sorts and de-duplicates namespaces', () => {
    expect(parseViewState('namespaces=b,a,,b').namespaces).toEqual(['a', 'b']);
  });
});
