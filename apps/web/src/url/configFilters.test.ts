import { describe, expect, it } from 'vitest';
import { NO_CONFIG_FILTERS, parseConfigFilters, withConfigFilters } from './configFilters';
import { parseViewState, patchViewSearch } from './viewState';

describe('Istio Config filters in the URL', () => {
  it('round-trip kind, validation and service beside the view settings', () => {
    const search = withConfigFilters('namespaces=bookinfo,travel-agency', {
      kind: 'VirtualService',
      validation: 'error',
      service: 'bookinfo/reviews',
    });
    expect(search).toBe(
      'namespaces=bookinfo,travel-agency&kind=VirtualService&validation=error&service=bookinfo%2Freviews',
    );
    expect(parseConfigFilters(search)).toEqual({
      kind: 'VirtualService',
      validation: 'error',
      service: 'bookinfo/reviews',
    });
    expect(parseViewState(search).namespaces).toEqual(['bookinfo', 'travel-agency']);
  });

  it('drop a filter set back to "all", and read junk as no filter', () => {
    expect(withConfigFilters('kind=Gateway&validation=warning&refresh=0', { kind: '' })).toBe(
      'validation=warning&refresh=0',
    );
    expect(parseConfigFilters('validation=maybe')).toEqual(NO_CONFIG_FILTERS);
    expect(parseConfigFilters('')).toEqual(NO_CONFIG_FILTERS);
  });

  it('survive a change of namespaces (the view keeps the parameters it does not own)', () => {
    const search = patchViewSearch('namespaces=bookinfo&kind=DestinationRule&validation=valid', {
      namespaces: ['bookinfo', 'istio-system'],
    });
    expect(parseConfigFilters(search)).toMatchObject({ kind: 'DestinationRule', validation: 'valid' });
    expect(parseViewState(search).namespaces).toEqual(['bookinfo', 'istio-system']);
    // and the graph's own settings still round-trip as before
    expect(patchViewSearch('', { graphType: 'workload' })).toBe('graphType=workload');
  });
});
