import { describe, expect, it } from 'vitest';
import { graphHref, hostToService, servicesOf } from './services';

describe('services an Istio object touches', () => {
  it('reads short, namespaced and cluster hosts; skips wildcards and external hosts', () => {
    expect(hostToService('reviews', 'bookinfo')).toEqual({ namespace: 'bookinfo', service: 'reviews' });
    expect(hostToService('ratings.other', 'bookinfo')).toEqual({ namespace: 'other', service: 'ratings' });
    expect(hostToService('reviews.bookinfo.svc.cluster.local', 'x')).toEqual({
      namespace: 'bookinfo',
      service: 'reviews',
    });
    expect(hostToService('*.example.com', 'bookinfo')).toBeNull();
    expect(hostToService('www.example.com', 'bookinfo')).toBeNull();
  });

  it('lists VirtualService hosts and destinations once, and a DestinationRule host', () => {
    const vs = {
      hosts: ['reviews'],
      http: [
        {
          route: [
            { destination: { host: 'reviews', subset: 'v1' } },
            { destination: { host: 'ratings.bookinfo' } },
          ],
        },
      ],
    };
    expect(servicesOf('VirtualService', 'bookinfo', vs)).toEqual([
      { namespace: 'bookinfo', service: 'reviews' },
      { namespace: 'bookinfo', service: 'ratings' },
    ]);
    expect(servicesOf('DestinationRule', 'bookinfo', { host: 'details.bookinfo.svc.cluster.local' })).toEqual(
      [{ namespace: 'bookinfo', service: 'details' }],
    );
    expect(servicesOf('Gateway', 'bookinfo', { servers: [] })).toEqual([]);
  });

  it('links to the graph focused on the service', () => {
    expect(graphHref({ namespace: 'bookinfo', service: 'reviews' })).toBe(
      '/graph?namespaces=bookinfo&focus=svc%3Abookinfo%2Freviews&selected=svc%3Abookinfo%2Freviews',
    );
  });
});
