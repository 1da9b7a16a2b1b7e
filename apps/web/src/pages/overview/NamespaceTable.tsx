import { memo, type RefObject } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Link } from 'wouter';
import { STATUS_WORDS } from '../../health/words';
import { errorText, rateText } from '../lists/listState';
import { injectionText, nsLinks, Pending, validationText } from './NamespaceCard';
import { totalCounts, type OverviewEntry } from './overviewState';
import { Sparkline } from './Sparkline';

/** A line's usual height (px) before it is measured (overview.css gives lines this height at least). */
export const LINE_HEIGHT = 39;

const Line = memo(function Line({
  n,
  index,
  measure,
}: {
  n: OverviewEntry;
  index: number;
  measure: (el: Element | null) => void;
}) {
  const c = totalCounts(n);
  const bad = (['Failure', 'Degraded', 'NotReady'] as const).filter((s) => c[s] > 0);
  if (n.pending)
    return (
      <tr data-testid={`ns-row-${n.name}`} data-index={index} ref={measure} aria-busy="true">
        <th scope="row">
          <Link href={nsLinks(n.name).graph}>{n.name}</Link>
        </th>
        <td>
          <Pending />
        </td>
        <td>{injectionText(n)}</td>
        {[0, 1, 2, 3, 4].map((i) => (
          <td key={i} className={i === 2 || i === 3 ? 'num' : undefined}>
            <Pending />
          </td>
        ))}
      </tr>
    );
  return (
    <tr data-testid={`ns-row-${n.name}`} data-index={index} ref={measure}>
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
});

/**
 * The compact view: one line per namespace, for hundreds of them. Virtualized in the page's scroller:
 * only the lines in view (and a few around) are in the DOM, the others are two spacer rows, so the
 * table stays a real table (header, row headers) whatever the number of namespaces.
 */
export function NamespaceTable({
  list,
  scroller,
}: {
  list: OverviewEntry[];
  scroller: RefObject<HTMLElement | null>;
}) {
  const virtual = useVirtualizer({
    count: list.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 10,
    // Before the first measurement (tests, first paint): enough lines for a tall window.
    initialRect: { width: 1280, height: 1000 },
  });
  const items = virtual.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtual.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  return (
    <table className="ov-table" aria-rowcount={list.length + 1}>
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
        {before > 0 && (
          <tr aria-hidden className="ov-spacer" style={{ height: before }}>
            <td colSpan={8} />
          </tr>
        )}
        {items.map((item) => (
          <Line
            key={list[item.index]!.name}
            n={list[item.index]!}
            index={item.index}
            measure={virtual.measureElement}
          />
        ))}
        {after > 0 && (
          <tr aria-hidden className="ov-spacer" style={{ height: after }}>
            <td colSpan={8} />
          </tr>
        )}
      </tbody>
    </table>
  );
}
