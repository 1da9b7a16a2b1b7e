import type { NamespaceOverview } from '@meshlens/contract';
import { Fragment } from 'react';
import { Link } from 'wouter';
import { errorText, rateText } from '../lists/listState';
import { HealthCountsView } from './HealthCountsView';
import type { OverviewEntry } from './overviewState';
import { Sparkline } from './Sparkline';

export const nsLinks = (name: string) => ({
  graph: `/graph?namespaces=${name}`,
  apps: `/applications?namespaces=${name}`,
  workloads: `/workloads?namespaces=${name}`,
  services: `/services?namespaces=${name}`,
  istio: `/istio?namespaces=${name}`,
});

export function injectionText(n: NamespaceOverview): string {
  if (!n.injection.enabled) return n.injection.label ? `off (${n.injection.label})` : 'off';
  return n.injection.revision ? `on, revision ${n.injection.revision}` : 'on';
}

export function validationText(v: NamespaceOverview['validations']): string {
  if (v.objects === 0) return 'no Istio config';
  const parts = [`${v.valid} valid`];
  if (v.warnings) parts.push(`${v.warnings} with warnings`);
  if (v.errors) parts.push(`${v.errors} not valid`);
  return parts.join(', ');
}

/** A figure the overview's answer has not brought yet. */
export const Pending = () => (
  <span className="ov-pending-cell" title="waiting for the overview's answer">
    …
  </span>
);

/** The card's figures before the overview's answer: what they will be, each pending. */
function PendingBody() {
  return (
    <div className="ov-card-body">
      {['Applications', 'Workloads', 'Services'].map((label) => (
        <div key={label} className="ov-counts">
          <span>
            <Pending /> {label}
          </span>
        </div>
      ))}
      <dl className="ov-facts">
        {['mTLS', 'Istio config', 'Inbound'].map((label) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>
              <Pending />
            </dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}

/** One namespace: health counts, injection, mTLS, validations, inbound traffic, links. */
export function NamespaceCard({ ns }: { ns: OverviewEntry }) {
  const links = nsLinks(ns.name);
  const v = ns.validations;
  return (
    <article
      className="ov-card"
      aria-labelledby={`ns-${ns.name}`}
      data-testid={`ns-card-${ns.name}`}
      aria-busy={ns.pending ? 'true' : undefined}
    >
      <header className="ov-card-head">
        <h2 id={`ns-${ns.name}`}>{ns.name}</h2>
        <span
          className={`ov-pill ${ns.injection.enabled ? 'on' : 'off'}`}
          title={ns.injection.label ?? 'no injection label'}
        >
          Sidecar injection {injectionText(ns)}
        </span>
      </header>
      {ns.pending ? (
        <PendingBody />
      ) : (
        <div className="ov-card-body">
          <HealthCountsView label="Applications" counts={ns.health.apps} href={links.apps} />
          <HealthCountsView label="Workloads" counts={ns.health.workloads} href={links.workloads} />
          <HealthCountsView label="Services" counts={ns.health.services} href={links.services} />
          <dl className="ov-facts">
            <dt>mTLS</dt>
            <dd
              title={`from ${ns.mtls.source === 'default' ? "Istio's default" : `the ${ns.mtls.source} PeerAuthentication`}`}
            >
              {ns.mtls.mode} <span className="muted">({ns.mtls.source})</span>
            </dd>
            <dt>Istio config</dt>
            <dd className={v.errors ? 'ov-bad' : v.warnings ? 'ov-warn' : undefined}>{validationText(v)}</dd>
            <dt>Inbound</dt>
            <dd>
              {rateText(ns.traffic.inboundRps)}
              {ns.traffic.inboundRps > 0 && (
                <span className={ns.traffic.errorRate > 0 ? 'ov-bad' : 'muted'}>
                  {' '}
                  · {errorText(ns.traffic.errorRate, ns.traffic.inboundRps)} errors
                </span>
              )}
            </dd>
          </dl>
          <Sparkline series={ns.traffic.series} />
        </div>
      )}
      <footer className="ov-card-links">
        <Link href={links.graph}>Graph</Link>
        <Link href={links.apps}>Applications</Link>
        <Link href={links.workloads}>Workloads</Link>
        <Link href={links.services}>Services</Link>
        <Link href={links.istio}>Istio config</Link>
      </footer>
    </article>
  );
}
