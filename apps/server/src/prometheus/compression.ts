import { isIP } from 'node:net';
import { isLoopback } from '../http/hosts';

/** `prometheus.compression`'s values (config.ts). */
export const PROMETHEUS_COMPRESSIONS = ['auto', 'gzip', 'none'] as const;
export type PrometheusCompression = (typeof PROMETHEUS_COMPRESSIONS)[number];

/**
 * Whether to ask Prometheus for gzipped answers. A graph of a large mesh reads megabytes of JSON from
 * Prometheus: gzipping them costs Prometheus more CPU than the transfer saves on a fast link, and the
 * console must inflate them again (measured on the issue 13 scenario, 1,000 services: the default graph's
 * three queries answered in a median of 530 ms gzipped, 320 ms plain, on one machine). So `auto` reads
 * plain answers from a Prometheus on this host or in the cluster — a loopback address, a Service's name
 * (`prometheus`, `prometheus.monitoring.svc`, `….cluster.local`, and when the console runs in a cluster
 * `prometheus.istio-system`) — and gzipped ones from anywhere else (another network, a hosted Prometheus).
 * Outside a cluster a name of two labels is a domain (`example.com`), not a Service and its namespace.
 */
export function gzipAnswers(url: string, mode: PrometheusCompression, inCluster: boolean): boolean {
  if (mode !== 'auto') return mode === 'gzip';
  return !isNearby(new URL(url).hostname, inCluster);
}

function isNearby(host: string, inCluster: boolean): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopback(h) || h.endsWith('.localhost')) return true;
  if (isIP(h)) return false; // another address than loopback
  const labels = h.split('.').length;
  return labels === 1 || (inCluster && labels === 2) || h.endsWith('.svc') || h.endsWith('.cluster.local');
}
