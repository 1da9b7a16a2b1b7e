/** Links to Istio's standard Grafana dashboards, as Kiali makes them (pure). */
import type { DetailResponse, ServerConfigResponse } from '@meshlens/contract';

export interface GrafanaLink {
  href: string;
  text: string;
}

export function grafanaLinks(
  grafana: ServerConfigResponse['grafana'],
  d: Pick<DetailResponse, 'kind' | 'namespace' | 'name' | 'workloads'>,
  durationSeconds: number,
): GrafanaLink[] {
  if (!grafana) return [];
  const range = `from=now-${durationSeconds}s&to=now`;
  const q = (pairs: Record<string, string>) =>
    Object.entries(pairs)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
  const workload = (name: string): GrafanaLink => ({
    href: `${grafana.url}${grafana.workloadDashboard}?${q({ 'var-namespace': d.namespace, 'var-workload': name })}&${range}`,
    text: `Workload dashboard${d.kind === 'apps' ? ` (${name})` : ''}`,
  });
  if (d.kind === 'services')
    return [
      {
        href: `${grafana.url}${grafana.serviceDashboard}?${q({ 'var-service': `${d.name}.${d.namespace}.svc.cluster.local` })}&${range}`,
        text: 'Service dashboard',
      },
    ];
  if (d.kind === 'workloads') return [workload(d.name)];
  return d.workloads.map((w) => workload(w.name));
}
