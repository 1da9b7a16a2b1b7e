import type { ReactNode } from 'react';
import { Link } from 'wouter';
import type { DetailResponse, GraphResponse } from '@meshlens/contract';
import { useGlobalSearch } from '../../url/useView';
import { ServiceActions } from '../../wizards/ServiceActions';
import { detailHref } from './links';
import { MiniGraph } from './MiniGraph';
import { PodsTable } from './PodsTable';

function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <span className="muted">none</span>;
  return (
    <span className="label-chips">
      {entries.map(([k, v]) => (
        <code key={k} className="chip">
          {k}={v}
        </code>
      ))}
    </span>
  );
}

const Fact = ({ term, children }: { term: string; children: ReactNode }) => (
  <>
    <dt>{term}</dt>
    <dd>{children}</dd>
  </>
);

/** The facts, pods, related entities, Istio objects (editor links, wizards) and the mini graph. */
export function OverviewTab({ d, graph }: { d: DetailResponse; graph: GraphResponse | undefined }) {
  const search = useGlobalSearch();
  const related = [...d.services, ...d.workloads];
  return (
    <div className="detail-columns">
      <section className="detail-card">
        <h2>Facts</h2>
        <dl className="facts">
          {d.type && <Fact term="Type">{d.type}</Fact>}
          <Fact term="Labels">
            <Labels labels={d.labels} />
          </Fact>
          <Fact term="Selector">
            <Labels labels={d.selector} />
          </Fact>
          {d.ports.length > 0 && (
            <Fact term="Ports">
              {d.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}`).join(', ')}
            </Fact>
          )}
          {d.versions.length > 0 && <Fact term="Versions">{d.versions.join(', ')}</Fact>}
          {d.replicas && (
            <Fact term="Replicas">
              {d.replicas.available ?? '?'} available of {d.replicas.desired ?? '?'} desired
            </Fact>
          )}
          <Fact term="Sidecar">
            {d.sidecar.pods === 0
              ? 'no pods'
              : d.sidecar.injected === d.sidecar.pods
                ? `injected in all ${d.sidecar.pods} pods`
                : `missing in ${d.sidecar.pods - d.sidecar.injected} of ${d.sidecar.pods} pods`}
          </Fact>
        </dl>
      </section>
      <section className="detail-card">
        <h2>Traffic around it</h2>
        {graph ? <MiniGraph graph={graph} centre={centreOf(d)} /> : <p className="muted">Loading…</p>}
      </section>
      <section className="detail-card">
        <h2>Related</h2>
        {related.length === 0 ? (
          <p className="muted">Nothing else selects or is selected by it.</p>
        ) : (
          <ul className="plain-list" data-testid="related">
            {related.map((r) => (
              <li key={`${r.kind}/${r.name}`}>
                <Link href={`${detailHref(r.kind, r.namespace, r.name)}${search}`}>
                  {r.kind === 'services' ? 'Service' : 'Workload'} {r.name}
                </Link>
                {r.type ? <span className="muted"> ({r.type})</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="detail-card">
        <h2>Istio config</h2>
        {d.istio.length === 0 ? (
          <p className="muted">No Istio object applies to it.</p>
        ) : (
          <ul className="plain-list" data-testid="istio-objects">
            {d.istio.map((o) => (
              <li key={`${o.kind}/${o.namespace}/${o.name}`}>
                <Link href={`/istio/${o.namespace}/${o.plural}/${o.name}${search}`}>
                  {o.kind} {o.name}
                </Link>{' '}
                {o.validation &&
                  (o.validation.valid ? (
                    <span className="valid">✓ valid</span>
                  ) : (
                    <span className="invalid" title={o.validation.checks.map((c) => c.message).join('\n')}>
                      ✗ {o.validation.checks.length} problem{o.validation.checks.length === 1 ? '' : 's'}
                    </span>
                  ))}
              </li>
            ))}
          </ul>
        )}
        {d.kind === 'services' && graph && (
          <ServiceActions answer={graph} namespace={d.namespace} service={d.name} search={search} />
        )}
      </section>
      <section className="detail-card detail-wide">
        <h2>Pods</h2>
        <PodsTable pods={d.pods} />
      </section>
    </div>
  );
}

export function centreOf(d: Pick<DetailResponse, 'kind' | 'namespace' | 'name'>): string {
  const prefix = d.kind === 'apps' ? 'app' : d.kind === 'workloads' ? 'wl' : 'svc';
  return `${prefix}:${d.namespace}/${d.name}`;
}
