import { useMemo } from 'react';
import type { GraphNode, MetricName } from '@meshlens/contract';
import { chartsOf } from '../../charts/metricCharts';
import { MetricChart } from '../../charts/MetricChart';
import { useView } from '../../url/useView';
import { useMetrics } from '../details/api';
import { nodeDetailLinks } from '../details/links';
import { useChangeMarkers } from '../changes/markers';

const CHARTS: MetricName[] = ['request_count', 'request_error_count', 'tcp_received'];

/**
 * The side panel's charts of a node from the metrics API (its inbound traffic over the shell's range),
 * so they have history after a reload. Nodes without a detail entity (unknown, service entries) have none.
 */
export function NodeCharts({
  node,
  onZoom,
}: {
  node: GraphNode;
  onZoom?: (from: number, to: number) => void;
}) {
  const [view] = useView();
  const entity = nodeDetailLinks(node).find(
    (l) => l.kind === (node.type === 'service' ? 'services' : node.workload ? 'workloads' : 'apps'),
  );
  const name =
    entity?.kind === 'services' ? node.service : entity?.kind === 'workloads' ? node.workload : node.app;
  const metrics = useMetrics(
    { kind: entity?.kind ?? 'apps', namespace: node.namespace, name: name ?? '' },
    { direction: 'inbound', duration: view.duration, metrics: CHARTS, quantiles: [] },
    entity && view.refresh > 0 && view.queryTime === 0 ? view.refresh : false,
    entity !== undefined && name !== undefined,
  );
  const charts = useMemo(() => (metrics.data ? chartsOf(metrics.data) : []), [metrics.data]);
  const markers = useChangeMarkers(node.namespace, '30d', entity !== undefined);
  if (!entity) return null;
  if (metrics.error)
    return <p className="muted small">Charts unavailable: {(metrics.error as Error).message}</p>;
  return (
    <div className="node-charts" data-testid="node-charts">
      {charts.map((c) => (
        <MetricChart
          key={c.spec.metric}
          chart={c}
          height={110}
          markers={markers}
          onZoom={onZoom ?? (() => undefined)}
        />
      ))}
      {metrics.data && charts.length === 0 && (
        <p className="muted small">No inbound traffic in this range.</p>
      )}
    </div>
  );
}
