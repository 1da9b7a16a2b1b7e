import { Link } from 'wouter';
import { formatBytesRate, formatMs, formatPct, formatRps } from '../../graph/format';
import { useGlobalSearch } from '../../url/useView';
import type { GraphResponse } from '@meshlens/contract';
import { HealthBadge } from './HealthBadge';
import { nodeDetailLinks } from './links';
import { peersOf, type PeerRow } from './peers';

interface PeerTableProps {
  title: string;
  rows: PeerRow[];
  testId: string;
  /** The entity's namespace: peers elsewhere show theirs. */
  namespace: string;
}

function PeerTable({ title, rows, testId, namespace }: PeerTableProps) {
  const search = useGlobalSearch();
  return (
    <section className="detail-card" data-testid={testId}>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">No traffic in this window.</p>
      ) : (
        <table className="detail-table peer-table">
          <thead>
            <tr>
              <th scope="col">Peer</th>
              <th scope="col">Protocol</th>
              <th scope="col">Rate</th>
              <th scope="col">Errors</th>
              <th scope="col">Response time</th>
              <th scope="col">mTLS</th>
              <th scope="col">Health</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const link = nodeDetailLinks(r.peer)[0];
              const elsewhere = r.peer.namespace !== 'unknown' && r.peer.namespace !== namespace;
              const base = elsewhere ? `${r.peer.label} (${r.peer.namespace})` : r.peer.label;
              // over several clusters: which cluster's entity the peer talks to
              const name = r.via ? `${base} ⇄ ${r.via}` : base;
              return (
                <tr key={r.id}>
                  <td>{link ? <Link href={`${link.href}${search}`}>{name}</Link> : name}</td>
                  <td>{r.protocol.toUpperCase()}</td>
                  <td>{r.protocol === 'tcp' ? formatBytesRate(r.rate) : formatRps(r.rate)}</td>
                  <td>{r.protocol === 'tcp' ? '–' : formatPct(r.errorPct)}</td>
                  <td>{r.responseTimeMs === null ? '–' : formatMs(r.responseTimeMs)}</td>
                  <td>{r.mtlsPct === null ? '–' : formatPct(r.mtlsPct)}</td>
                  <td>
                    <HealthBadge status={r.health} reasons={r.healthReason ? [r.healthReason] : []} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Inbound and outbound peers from the node-centred graph, in the shell's time window. */
export function TrafficTab(props: { graph: GraphResponse | undefined; centre: string; namespace: string }) {
  const { graph, centre, namespace } = props;
  if (!graph) return <p className="muted">Loading traffic…</p>;
  const { inbound, outbound } = peersOf(graph, centre);
  return (
    <div className="detail-stack">
      <PeerTable title="Inbound" rows={inbound} testId="traffic-inbound" namespace={namespace} />
      <PeerTable title="Outbound" rows={outbound} testId="traffic-outbound" namespace={namespace} />
    </div>
  );
}
