import { useEffect, useState } from 'react';
import type { WizardRequest } from './usePreview';
import { evenWeights, setWeight, sumOf } from './weights';
import type { Weights } from './weights';
import { fmtShare } from './fields';
import { RolloutForm } from '../pages/rollouts/RolloutForm';

export interface FormProps {
  versions: string[];
  live: Map<string, number>;
  onChange: (req: WizardRequest) => void;
  /** The weights the routing gives now (null: none, start from an even split). */
  initial?: Weights | null;
  /** The service (Traffic Shifting offers "Roll out gradually" for it when given). */
  target?: { namespace: string; service: string };
}

/** One slider + number per version; the sum stays 100 (the version changed before keeps its weight). */
export function TrafficShiftingForm({ versions, live, onChange, initial, target }: FormProps) {
  const [weights, setWeights] = useState<Weights>(() => initial ?? evenWeights(versions));
  const [lastTouched, setLastTouched] = useState<string | null>(null);
  useEffect(() => {
    onChange(
      sumOf(weights) === 100
        ? { intent: { trafficShifting: { weights } } }
        : { invalid: `weights sum to ${sumOf(weights)}, not 100` },
    );
  }, [weights, onChange]);

  const change = (v: string, value: number) => {
    setWeights((w) => setWeight(w, v, value, lastTouched && lastTouched !== v ? [lastTouched] : []));
    setLastTouched(v);
  };

  return (
    <fieldset className="wz-fieldset">
      <legend>Weight per version</legend>
      <table className="wz-weights">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">New weight</th>
            <th scope="col">%</th>
            <th scope="col" title="Share of the requests each version receives now, from the graph">
              Live now
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v}>
              <th scope="row">{v}</th>
              <td>
                <input
                  type="range"
                  min={0}
                  max={100}
                  step={1}
                  value={weights[v] ?? 0}
                  aria-label={`Weight slider for ${v}`}
                  onChange={(e) => change(v, Number(e.target.value))}
                />
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  max={100}
                  className="wz-num"
                  value={weights[v] ?? 0}
                  aria-label={`Weight of ${v}`}
                  onChange={(e) => change(v, Number(e.target.value))}
                />
              </td>
              <td className="muted" data-testid={`live-${v}`}>
                {fmtShare(live.size > 0 ? (live.get(v) ?? 0) : undefined)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td colSpan={2} data-testid="weight-total">
              {sumOf(weights)} %
            </td>
            <td />
          </tr>
        </tfoot>
      </table>
      <p className="muted small">
        Changing a weight spreads the rest over the other versions in proportion; the version you changed just
        before keeps its weight.{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setWeights(evenWeights(versions));
            setLastTouched(null);
          }}
        >
          Even split
        </button>
      </p>
      {target && (
        <details className="wz-rollout" data-testid="roll-out-gradually">
          <summary>Roll out gradually</summary>
          <RolloutForm
            namespace={target.namespace}
            service={target.service}
            versions={versions}
            baseline={initial ?? weights}
          />
        </details>
      )}
    </fieldset>
  );
}
