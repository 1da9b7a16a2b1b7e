import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, parseViewState, serializeViewState } from './viewState';

describe('view state in the URL', () => {
  it('round-trips every setting', () => {
    const view = {
      ...DEFAULT_VIEW,
      namespaces: ['bookinfo', 'istio-system'],
      duration: 3600,
      refresh: 0,
      graphType: 'workload' as const,
      edgeLabels: 'rt' as const,
      serviceNodes: false,
      security: true,
      find: 'rt > 1000',
      selected: 'vapp:bookinfo/reviews/v2',
      queryTime: 1_800_000_000,
    };
    const search = serializeViewState(view);
    expect(search).toContain('namespaces=bookinfo,istio-system');
    expect(search).toContain('find=rt+%3E+1000');
    expect(parseViewState(search)).toEqual(view);
  });
  it('writes nothing for the defaults and ignores invalid values', () => {
    expect(serializeViewState(DEFAULT_VIEW)).toBe('');
    expect(parseViewState('graphType=nope&duration=7&refresh=abc&services=maybe')).toEqual(DEFAULT_VIEW);
  });
  it('sorts and de-duplicates namespaces', () => {
    expect(parseViewState('namespaces=b,a,,b').namespaces).toEqual(['a', 'b']);
  });
});
