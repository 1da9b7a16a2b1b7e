import './details.css';
import { lazy, Suspense } from 'react';
import { Link } from 'wouter';
import { ENTITY_KINDS, type EntityKind } from '@meshlens/contract';
import { useGlobalSearch, useView } from '../../url/useView';
import { useServerConfig } from '../../api/queries';
import { useDetail, useNodeGraph } from './api';
import { grafanaLinks } from './grafana';
import { HealthBadge } from './HealthBadge';
import { detailHref, tabOf, tabsOf } from './links';
import { LogsPanel } from '../../logs/LogsPanel';
import { MetricsTab } from './MetricsTab';
import { centreOf, OverviewTab } from './OverviewTab';
import { TrafficTab } from './TrafficTab';

// Lazy: the trace UI loads only when its tab is opened.
const TracesTab = lazy(() => import('./traces/TracesTab').then((m) => ({ default: m.TracesTab })));

const KIND_TEXT: Record<EntityKind, string> = { apps: 'App', workloads: 'Workload', services: 'Service' };

export interface DetailPageProps {
  namespace: string;
  kind: string;
  name: string;
  tab?: string;
}

/** `/namespaces/{ns}/{apps|workloads|services}/{name}[/{tab}]`: one entity, its tabs in the URL. */
export function DetailPage(props: DetailPageProps) {
  const search = useGlobalSearch();
  if (!(ENTITY_KINDS as readonly string[]).includes(props.kind))
    return (
      <section className="page">
        <div className="empty-state">
          <h2>There is no page at this address.</h2>
          <Link className="button primary" href={`/graph${search}`}>
            Open the traffic graph
          </Link>
        </div>
      </section>
    );
  return <Detail {...props} kind={props.kind as EntityKind} />;
}

function Detail({ namespace, kind, name, tab: segment }: DetailPageProps & { kind: EntityKind }) {
  const [view] = useView();
  const search = useGlobalSearch();
  const entity = { kind, namespace, name };
  const polling = view.refresh > 0 ? view.refresh : false;
  const detail = useDetail(entity, polling);
  const config = useServerConfig();
  const tab = tabOf(kind, segment);
  const metricsTab = tab === 'inbound' || tab === 'outbound';
  // Only the Overview and Traffic tabs show the node graph: the others do not have Prometheus compute it.
  const graph = useNodeGraph(entity, view.duration, polling, tab === 'overview' || tab === 'traffic');
  const d = detail.data;
  return (
    <section className="page detail-page">
      <div className="page-header detail-header">
        <div>
          <p className="muted small">
            <Link href={`/graph${search}`}>Graph</Link> › {namespace} › {KIND_TEXT[kind]}
          </p>
          <h1>
            {KIND_TEXT[kind]} {name}
          </h1>
        </div>
        <div className="detail-header-side">
          {d &&
            grafanaLinks(config.data?.grafana, d, view.duration).map((l) => (
              <a key={l.href} className="button" href={l.href} target="_blank" rel="noreferrer noopener">
                {l.text} ↗
              </a>
            ))}
          {d && <HealthBadge status={d.health.status} reasons={d.health.reasons} />}
        </div>
      </div>
      <nav className="tabs" aria-label={`${KIND_TEXT[kind]} ${name}`}>
        {tabsOf(kind).map((t) => (
          <Link
            key={t.id}
            href={`${detailHref(kind, namespace, name, t.id)}${search}`}
            className={t.id === tab ? 'tab active' : 'tab'}
            aria-current={t.id === tab ? 'page' : undefined}
          >
            {t.text}
          </Link>
        ))}
      </nav>
      {detail.error && (
        <div className="empty-state" role="alert">
          <h2>{(detail.error as Error).message}</h2>
          <Link className="button primary" href={`/graph${search}`}>
            Back to the graph
          </Link>
        </div>
      )}
      {d?.warnings.map((w) => (
        <p key={w.code} className="warning-text">
          {w.message}
        </p>
      ))}
      {!d && !detail.error && !metricsTab && tab !== 'traces' && <p className="page-loading">Loading…</p>}
      {d && tab === 'overview' && <OverviewTab d={d} graph={graph.data} />}
      {d && tab === 'traffic' && <TrafficTab graph={graph.data} centre={centreOf(d)} namespace={namespace} />}
      {/* The charts need only the entity's name: they do not wait for its detail (facts, health). */}
      {metricsTab && !detail.error && <MetricsTab key={tab} entity={entity} direction={tab} />}
      {tab === 'traces' && !detail.error && (
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <TracesTab entity={entity} />
        </Suspense>
      )}
      {d && tab === 'logs' && (
        <LogsPanel
          namespace={namespace}
          workload={name}
          pods={d.pods.map((p) => ({ name: p.name, containers: p.containers.map((c) => c.name) }))}
        />
      )}
    </section>
  );
}
