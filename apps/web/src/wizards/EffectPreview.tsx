import { useQuery } from '@tanstack/react-query';
import { formatDuration } from '@meshlens/contract';
import type { ServiceLoadResponse } from '@meshlens/contract';
import { getServiceLoad, istioKeys } from '../istio/api';
import { formatRps } from '../graph/format';
import type { Effect } from './effect';

/** The service's live load, asked again every 15 s while the wizard is open. */
export function useServiceLoad(ns: string, service: string) {
  return useQuery({
    queryKey: istioKeys.load(ns, service),
    queryFn: ({ signal }) => getServiceLoad(ns, service, signal),
    refetchInterval: 15_000,
    retry: false,
  });
}

/**
 * Beside the YAML: requests/s per version now, at its peak and as predicted under the new routing, pods
 * ready, and warnings (more than N× the peak, no ready pods). Rules metrics cannot weigh (a header's
 * value) are named, with what the versions would get if every request matched them.
 */
export function EffectPreview({
  load,
  effect,
  error,
  peakFactor,
  onPeakFactor,
}: {
  load: ServiceLoadResponse | undefined;
  effect: Effect | null;
  error: unknown;
  peakFactor: number;
  onPeakFactor: (n: number) => void;
}) {
  const warned = effect?.rows.filter((r) => r.warnings.length > 0) ?? [];
  return (
    <section className="wz-effect" aria-label="Predicted effect" data-testid="effect-preview">
      <h3>
        Predicted effect{' '}
        {load && (
          <span className="muted small">
            from the callers’ rates over the last {formatDuration(load.rateWindowSeconds)}
          </span>
        )}
      </h3>
      {load && effect && (
        <label className="muted small wz-effect-factor">
          Warn above{' '}
          <input
            type="number"
            min={1}
            max={100}
            step={0.5}
            className="wz-num"
            aria-label="Warn above this many times the peak"
            value={peakFactor}
            onChange={(e) => {
              const n = Number(e.target.value);
              if (Number.isFinite(n) && n >= 1) onPeakFactor(n);
            }}
          />
          × a version’s peak
        </label>
      )}
      {error ? (
        <p className="muted small" role="status">
          The live load is unknown: {(error as Error).message}
        </p>
      ) : !load || !effect ? (
        <p className="muted small">Reading the live load…</p>
      ) : (
        <>
          {load.warnings.map((w) => (
            <p key={w.code} className="muted small" role="status">
              {w.message}
            </p>
          ))}
          <table className="wz-effect-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col" title="Requests/s it receives now">
                  Now
                </th>
                <th
                  scope="col"
                  title={`Highest requests/s over the last ${formatDuration(load.peakSpanSeconds)}`}
                >
                  Peak {formatDuration(load.peakSpanSeconds)}
                </th>
                <th scope="col" title="Requests/s it would receive under the new routing">
                  Predicted
                </th>
                <th scope="col">Pods ready</th>
              </tr>
            </thead>
            <tbody>
              {effect.rows.map((r) => (
                <tr
                  key={r.version}
                  data-testid={`effect-${r.version}`}
                  className={r.warnings.length > 0 ? 'wz-effect-warn' : undefined}
                >
                  <th scope="row">{r.version}</th>
                  <td data-testid={`effect-now-${r.version}`}>{formatRps(r.now)}</td>
                  <td data-testid={`effect-peak-${r.version}`}>{formatRps(r.peak)}</td>
                  <td data-testid={`effect-predicted-${r.version}`}>
                    <strong>{formatRps(r.predicted)}</strong>
                    {r.upTo > r.predicted + 1e-9 && (
                      <span className="muted small" title="if every request matched the rules below">
                        {' '}
                        (up to {formatRps(r.upTo)})
                      </span>
                    )}
                  </td>
                  <td>{r.pods === null ? '–' : `${r.podsReady ?? 0}/${r.pods}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {warned.length > 0 && (
            <ul className="wz-effect-warnings" data-testid="effect-warnings" role="alert">
              {warned.flatMap((r) =>
                r.warnings.map((w, i) => (
                  <li key={`${r.version}-${i}`} data-testid={`effect-warning-${r.version}`}>
                    ⚠ <strong>{r.version}</strong>: {w}
                  </li>
                )),
              )}
            </ul>
          )}
          {effect.uncertain.length > 0 && (
            <p className="muted small" data-testid="effect-uncertain">
              Not predictable from metrics:{' '}
              {effect.uncertain.map((u) => `rule ${u.index + 1} (${u.match})`).join('; ')} — metrics count
              requests per caller, not per {effect.uncertain.length === 1 ? 'value' : 'values'} of what a
              request carries. “Predicted” assumes no request matches; “up to” is if every one did.
            </p>
          )}
          {effect.rows.some((r) => r.notes.length > 0) && (
            <ul className="muted small wz-effect-notes">
              {effect.rows.flatMap((r) =>
                r.notes.map((n, i) => (
                  <li key={`${r.version}-${i}`}>
                    {r.version}: {n}
                  </li>
                )),
              )}
            </ul>
          )}
          {effect.unrouted > 0.005 && (
            <p className="muted small" data-testid="effect-unrouted">
              {formatRps(effect.unrouted)} would reach no version (no route, or a subset no DestinationRule
              defines).
            </p>
          )}
        </>
      )}
    </section>
  );
}
