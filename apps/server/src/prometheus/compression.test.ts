import { expect, it } from 'vitest';
import { gzipAnswers } from './compression';

it('auto: plain answers from this host or the cluster, gzipped from elsewhere', () => {
  const plain = [
    'http://127.0.0.1:9090',
    'http://127.8.0.3:9090',
    'http://localhost:9090',
    'http://[::1]:9090',
    'http://prometheus:9090',
    'http://prometheus.istio-system.svc:9090',
    'https://prometheus.monitoring.svc.cluster.local:9090/prom',
  ];
  const zipped = [
    'https://prometheus.example.com',
    'http://10.0.0.7:9090',
    'http://[2001:db8::1]:9090',
    'http://example.com:9090',
    'https://prometheus-prod-01.grafana.net/api/prom',
  ];
  for (const inCluster of [false, true]) {
    for (const url of plain) expect(gzipAnswers(url, 'auto', inCluster), url).toBe(false);
    for (const url of zipped.filter((u) => !inCluster || !u.includes('example.com:')))
      expect(gzipAnswers(url, 'auto', inCluster), url).toBe(true);
  }
});

it('auto: `service.namespace` is a Service only when the console runs in a cluster', () => {
  // The deploy/ manifests' default, Istio's addon.
  expect(gzipAnswers('http://prometheus.istio-system:9090', 'auto', true)).toBe(false);
  expect(gzipAnswers('http://prometheus.istio-system:9090', 'auto', false)).toBe(true);
});

it('gzip and none are taken as said', () => {
  expect(gzipAnswers('http://127.0.0.1:9090', 'gzip', false)).toBe(true);
  expect(gzipAnswers('https://prometheus.example.com', 'none', false)).toBe(false);
});
