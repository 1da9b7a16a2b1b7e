import { describe, expect, it } from 'vitest';
import { grafanaLinks } from './grafana';

const grafana = {
  url: 'https://grafana.example',
  serviceDashboard: '/d/LJ_uJAvmk/istio-service-dashboard',
  workloadDashboard: '/d/UbsSZTDik/istio-workload-dashboard',
};

describe('grafanaLinks', () => {
  it('none without a Grafana URL', () => {
    expect(
      grafanaLinks(undefined, { kind: 'services', namespace: 'b', name: 'r', workloads: [] }, 300),
    ).toEqual([]);
  });

  it("Istio's service and workload dashboards with their variables and the range", () => {
    expect(
      grafanaLinks(grafana, { kind: 'services', namespace: 'bookinfo', name: 'reviews', workloads: [] }, 600),
    ).toEqual([
      {
        href: 'https://grafana.example/d/LJ_uJAvmk/istio-service-dashboard?var-service=reviews.bookinfo.svc.cluster.local&from=now-600s&to=now',
        text: 'Service dashboard',
      },
    ]);
    const app = grafanaLinks(
      grafana,
      {
        kind: 'apps',
        namespace: 'bookinfo',
        name: 'reviews',
        workloads: [
          { kind: 'workloads', namespace: 'bookinfo', name: 'reviews-v1' },
          { kind: 'workloads', namespace: 'bookinfo', name: 'reviews-v2' },
        ],
      },
      300,
    );
    expect(app.map((l) => l.text)).toEqual([
      'Workload dashboard (reviews-v1)',
      'Workload dashboard (reviews-v2)',
    ]);
    expect(app[0]!.href).toBe(
      'https://grafana.example/d/UbsSZTDik/istio-workload-dashboard?var-namespace=bookinfo&var-workload=reviews-v1&from=now-300s&to=now',
    );
  });
});
