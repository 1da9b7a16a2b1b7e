import type { NamespaceOverview } from '@meshlens/contract';
import { Link } from 'wouter';
import { STATUS_WORDS } from '../../health/words';
import { errorText, rateText } from '../lists/listState';
import { injectionText, nsLinks, validationText } from './NamespaceCard';
import { totalCounts } from './overviewState';
import { Sparkline } from './Sparkline';

/** The compact view: one line per namespace, for hundreds of them. */
export function NamespaceTable({ list }: { list: NamespaceOverview[] }) {
  return (
    <table className="ov-table">
      <thead>
        <tr>
          <th scope="col">Namespace</th>
          <th scope="col">Health</th>
          <th scope="col">Injection</th>
          <th scope="col">mTLS</th>
          <th scope="col">Istio config</th>
          <th scope="col">Inbound</th>
          <th scope="col">Errors</th>
          <th scope="col">Trend</th>
        </tr>
      </thead>
      <tbody>
        {list.map((n) => {
          const c = totalCounts(n);
          const bad = (['Failure', 'Degraded', 'NotReady'] as const).filter((s) => c[s] > 0);
          return (
            <tr key={n.name} data-testid={`ns-row-${n.name}`}>
              <th scope="row">
                <Link href={nsLinks(n.name).graph}>{n.name}</Link>
              </th>
              <td>
                {bad.length === 0 ? (
                  <span className="health health-Healthy">● {c.Healthy + c.NoTraffic} fine</span>
                ) : (
                  bad.map((s) => (
                    <span key={s} className={`health health-${s}`}>
                      {c[s]} {STATUS_WORDS[s].toLowerCase()}{' '}
                    </span>
                  ))
                )}
              </td>
              <td>{injectionText(n)}</td>
              <td>{n.mtls.mode}</td>
              <td>{validationText(n.validations)}</td>
              <td className="num">{rateText(n.traffic.inboundRps)}</td>
              <td className="num">{errorText(n.traffic.errorRate, n.traffic.inboundRps)}</td>
              <td>
                <Sparkline series={n.traffic.series} width={90} height={18} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
