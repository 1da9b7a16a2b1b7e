import type { SpanStat } from '@meshlens/contract';

/**
 * The entity's spans per peer over the listed traces — inbound by calling service, outbound by the
 * service called — to set beside the metrics' rates and percentiles.
 */
export function SpanStatsTable({ stats, traces }: { stats: SpanStat[]; traces: number }) {
  if (stats.length === 0) return null;
  const fmt = (ms: number) =>
    ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return (
    <section className="span-stats" aria-label="Spans by peer">
      <h3>
        Spans by peer <span className="muted small">over these {traces} traces</span>
      </h3>
      <table className="table traces-table" data-testid="span-stats">
        <thead>
          <tr>
            <th>Direction</th>
            <th>Peer</th>
            <th className="num">Spans</th>
            <th className="num">Errors</th>
            <th className="num">p50</th>
            <th className="num">p95</th>
          </tr>
        </thead>
        <tbody>
          {stats.map((s) => (
            <tr key={`${s.direction} ${s.peer}`}>
              <td>{s.direction === 'inbound' ? 'from' : 'to'}</td>
              <td>
                {s.direction === 'outbound'
                  ? s.peer.replace(/\.svc\.cluster\.local(:\d+)?\/\*$/, '$1')
                  : s.peer}
              </td>
              <td className="num">{s.count}</td>
              <td className={s.errorPercent > 0 ? 'num error-text' : 'num'}>{s.errorPercent.toFixed(1)} %</td>
              <td className="num">{fmt(s.p50Ms)}</td>
              <td className="num">{fmt(s.p95Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
