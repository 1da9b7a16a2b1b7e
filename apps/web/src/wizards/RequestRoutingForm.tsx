import { useEffect, useState } from 'react';
import type { MatchIntent, RequestRoutingRule } from '@meshlens/contract';
import type { FormProps } from './TrafficShiftingForm';
import { Field } from './fields';
import { evenWeights } from './weights';

type On = 'headers' | 'uri' | 'method' | 'queryParams';
type Op = 'exact' | 'prefix' | 'regex' | 'present';
interface Rule {
  on: On;
  key: string;
  op: Op;
  value: string;
  weights: Record<string, number>;
}

function toRule(r: Rule): RequestRoutingRule {
  const m = r.op === 'present' ? { present: true as const } : { [r.op]: r.value };
  const match: MatchIntent =
    r.on === 'headers' || r.on === 'queryParams' ? { [r.on]: { [r.key]: m } } : { [r.on]: m };
  return {
    match: [match],
    route: Object.entries(r.weights)
      .filter(([, w]) => w > 0)
      .map(([version, weight]) => ({ version, weight })),
  };
}

/** Ordered rules (first match wins), each one match and weighted versions; then the default route. */
export function RequestRoutingForm({ versions, onChange }: Omit<FormProps, 'live'>) {
  const first = versions[0] ?? 'v1';
  const [rules, setRules] = useState<Rule[]>([
    {
      on: 'headers',
      key: 'end-user',
      op: 'exact',
      value: 'jason',
      weights: { [first]: 0, ...{ [versions[1] ?? first]: 100 } },
    },
  ]);
  const [fallback, setFallback] = useState<Record<string, number>>({ [first]: 100 });
  useEffect(() => {
    for (const [i, r] of rules.entries()) {
      const sum = Object.values(r.weights).reduce((a, b) => a + b, 0);
      if (sum !== 100) return onChange({ invalid: `rule ${i + 1}: weights sum to ${sum}, not 100` });
      if ((r.on === 'headers' || r.on === 'queryParams') && !r.key.trim())
        return onChange({
          invalid: `rule ${i + 1}: name the ${r.on === 'headers' ? 'header' : 'parameter'}`,
        });
    }
    const fsum = Object.values(fallback).reduce((a, b) => a + b, 0);
    if (fsum !== 100) return onChange({ invalid: `default route: weights sum to ${fsum}, not 100` });
    onChange({
      intent: {
        requestRouting: {
          rules: rules.map(toRule),
          defaultRoute: Object.entries(fallback)
            .filter(([, w]) => w > 0)
            .map(([version, weight]) => ({ version, weight })),
        },
      },
    });
  }, [rules, fallback, onChange]);

  const update = (i: number, patch: Partial<Rule>) =>
    setRules((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const move = (i: number, d: -1 | 1) =>
    setRules((rs) => {
      const next = [...rs];
      const [r] = next.splice(i, 1);
      if (r) next.splice(i + d, 0, r);
      return next;
    });

  const weightInputs = (
    w: Record<string, number>,
    set: (w: Record<string, number>) => void,
    label: string,
  ) => (
    <div className="wz-row">
      {versions.map((v) => (
        <Field key={v} label={`${label} ${v} %`}>
          <input
            type="number"
            min={0}
            max={100}
            className="wz-num"
            value={w[v] ?? 0}
            onChange={(e) => set({ ...w, [v]: Number(e.target.value) })}
          />
        </Field>
      ))}
    </div>
  );

  return (
    <>
      <ol className="wz-rules">
        {rules.map((r, i) => (
          <li key={i} className="wz-fieldset">
            <div className="wz-rule-head">
              <strong>Rule {i + 1}</strong>
              <span className="spacer" />
              <button
                type="button"
                className="btn"
                disabled={i === 0}
                onClick={() => move(i, -1)}
                aria-label={`Move rule ${i + 1} up`}
              >
                ↑
              </button>
              <button
                type="button"
                className="btn"
                disabled={i === rules.length - 1}
                onClick={() => move(i, 1)}
                aria-label={`Move rule ${i + 1} down`}
              >
                ↓
              </button>
              <button
                type="button"
                className="btn"
                onClick={() => setRules((rs) => rs.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </div>
            <div className="wz-row">
              <Field label="Match on">
                <select value={r.on} onChange={(e) => update(i, { on: e.target.value as On })}>
                  <option value="headers">header</option>
                  <option value="uri">uri</option>
                  <option value="method">method</option>
                  <option value="queryParams">query parameter</option>
                </select>
              </Field>
              {(r.on === 'headers' || r.on === 'queryParams') && (
                <Field label="Name">
                  <input value={r.key} onChange={(e) => update(i, { key: e.target.value })} />
                </Field>
              )}
              <Field label="Operator">
                <select value={r.op} onChange={(e) => update(i, { op: e.target.value as Op })}>
                  {(['exact', 'prefix', 'regex', 'present'] as const).map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              </Field>
              {r.op !== 'present' && (
                <Field label="Value">
                  <input value={r.value} onChange={(e) => update(i, { value: e.target.value })} />
                </Field>
              )}
            </div>
            {weightInputs(r.weights, (w) => update(i, { weights: w }), `Rule ${i + 1}`)}
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="btn"
        onClick={() =>
          setRules((rs) => [
            ...rs,
            { on: 'uri', key: '', op: 'prefix', value: '/', weights: evenWeights(versions) },
          ])
        }
      >
        + Add rule
      </button>
      <fieldset className="wz-fieldset">
        <legend>Every other request</legend>
        {weightInputs(fallback, setFallback, 'Default')}
      </fieldset>
    </>
  );
}
