/** The fault injection, timeouts & retries and circuit breaker forms: plain inputs → one intent each. */
import { useEffect, useState } from 'react';
import type { WizardRequest } from './usePreview';
import { compact, Field, num } from './fields';

type OnChange = { onChange: (req: WizardRequest) => void };

export function FaultInjectionForm({ onChange }: OnChange) {
  const [delayOn, setDelayOn] = useState(false);
  const [fixedDelay, setFixedDelay] = useState('5s');
  const [delayPct, setDelayPct] = useState('100');
  const [abortOn, setAbortOn] = useState(true);
  const [status, setStatus] = useState('503');
  const [abortPct, setAbortPct] = useState('100');
  const [remove, setRemove] = useState(false);
  useEffect(() => {
    if (remove) return onChange({ intent: { faultInjection: null } });
    if (!delayOn && !abortOn) return onChange({ invalid: 'choose a delay, an abort or both' });
    onChange({
      intent: {
        faultInjection: {
          ...(delayOn ? { delay: { fixedDelay, percentage: Number(delayPct) } } : {}),
          ...(abortOn ? { abort: { httpStatus: Number(status), percentage: Number(abortPct) } } : {}),
        },
      },
    });
  }, [delayOn, fixedDelay, delayPct, abortOn, status, abortPct, remove, onChange]);
  return (
    <>
      <label className="wz-check">
        <input type="checkbox" checked={remove} onChange={(e) => setRemove(e.target.checked)} /> Remove the
        fault (restore normal answers)
      </label>
      <fieldset className="wz-fieldset" disabled={remove}>
        <legend>
          <label className="wz-check">
            <input type="checkbox" checked={delayOn} onChange={(e) => setDelayOn(e.target.checked)} /> Delay
          </label>
        </legend>
        <div className="wz-row">
          <Field label="Fixed delay" hint="e.g. 500ms, 5s">
            <input value={fixedDelay} disabled={!delayOn} onChange={(e) => setFixedDelay(e.target.value)} />
          </Field>
          <Field label="Delay percentage">
            <input
              type="number"
              min={0}
              max={100}
              value={delayPct}
              disabled={!delayOn}
              onChange={(e) => setDelayPct(e.target.value)}
            />
          </Field>
        </div>
      </fieldset>
      <fieldset className="wz-fieldset" disabled={remove}>
        <legend>
          <label className="wz-check">
            <input type="checkbox" checked={abortOn} onChange={(e) => setAbortOn(e.target.checked)} /> Abort
          </label>
        </legend>
        <div className="wz-row">
          <Field label="HTTP status">
            <input
              type="number"
              min={200}
              max={599}
              value={status}
              disabled={!abortOn}
              onChange={(e) => setStatus(e.target.value)}
            />
          </Field>
          <Field label="Abort percentage">
            <input
              type="number"
              min={0}
              max={100}
              value={abortPct}
              disabled={!abortOn}
              onChange={(e) => setAbortPct(e.target.value)}
            />
          </Field>
        </div>
      </fieldset>
    </>
  );
}

export function TimeoutsRetriesForm({ onChange }: OnChange) {
  const [timeout, setTimeoutValue] = useState('10s');
  const [attempts, setAttempts] = useState('3');
  const [perTry, setPerTry] = useState('2s');
  const [retryOn, setRetryOn] = useState('5xx,reset,connect-failure');
  useEffect(() => {
    const a = num(attempts);
    onChange({
      intent: {
        timeoutsRetries: {
          timeout: timeout.trim() === '' ? null : timeout.trim(),
          retries:
            a === undefined
              ? null
              : { attempts: a, ...compact({ perTryTimeout: perTry.trim(), retryOn: retryOn.trim() }) },
        },
      },
    });
  }, [timeout, attempts, perTry, retryOn, onChange]);
  return (
    <fieldset className="wz-fieldset">
      <legend>Timeout and retries</legend>
      <div className="wz-row">
        <Field label="Request timeout" hint="empty = none">
          <input value={timeout} onChange={(e) => setTimeoutValue(e.target.value)} />
        </Field>
        <Field label="Retry attempts" hint="empty = Istio's default">
          <input
            type="number"
            min={0}
            max={100}
            value={attempts}
            onChange={(e) => setAttempts(e.target.value)}
          />
        </Field>
      </div>
      <div className="wz-row">
        <Field label="Per-try timeout">
          <input value={perTry} onChange={(e) => setPerTry(e.target.value)} />
        </Field>
        <Field label="Retry on">
          <input value={retryOn} onChange={(e) => setRetryOn(e.target.value)} />
        </Field>
      </div>
    </fieldset>
  );
}

const LB = ['', 'ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'PASSTHROUGH'] as const;
const TLS = ['', 'ISTIO_MUTUAL', 'DISABLE', 'SIMPLE', 'MUTUAL'] as const;

export function CircuitBreakerForm({ onChange }: OnChange) {
  const [f, setF] = useState({
    maxConnections: '100',
    http1MaxPendingRequests: '10',
    maxRequestsPerConnection: '',
    consecutive5xxErrors: '5',
    interval: '10s',
    baseEjectionTime: '30s',
    maxEjectionPercent: '50',
    lb: '',
    tls: '',
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });
  useEffect(() => {
    const tcp = compact({ maxConnections: num(f.maxConnections) });
    const http = compact({
      http1MaxPendingRequests: num(f.http1MaxPendingRequests),
      maxRequestsPerConnection: num(f.maxRequestsPerConnection),
    });
    const pool = compact({ tcp, http });
    const outlier = compact({
      consecutive5xxErrors: num(f.consecutive5xxErrors),
      interval: f.interval.trim(),
      baseEjectionTime: f.baseEjectionTime.trim(),
      maxEjectionPercent: num(f.maxEjectionPercent),
    });
    const cb = compact({
      connectionPool: pool,
      outlierDetection: outlier,
      loadBalancer: f.lb ? { simple: f.lb } : undefined,
      tls: f.tls ? { mode: f.tls } : undefined,
    });
    onChange(cb ? { intent: { circuitBreaker: cb as never } } : { invalid: 'set at least one field' });
  }, [f, onChange]);
  return (
    <>
      <fieldset className="wz-fieldset">
        <legend>Connection pool</legend>
        <div className="wz-row">
          <Field label="Max connections">
            <input type="number" min={1} value={f.maxConnections} onChange={set('maxConnections')} />
          </Field>
          <Field label="Max pending HTTP/1 requests">
            <input
              type="number"
              min={1}
              value={f.http1MaxPendingRequests}
              onChange={set('http1MaxPendingRequests')}
            />
          </Field>
          <Field label="Max requests per connection">
            <input
              type="number"
              min={0}
              value={f.maxRequestsPerConnection}
              onChange={set('maxRequestsPerConnection')}
            />
          </Field>
        </div>
      </fieldset>
      <fieldset className="wz-fieldset">
        <legend>Outlier detection</legend>
        <div className="wz-row">
          <Field label="Consecutive 5xx errors">
            <input
              type="number"
              min={0}
              value={f.consecutive5xxErrors}
              onChange={set('consecutive5xxErrors')}
            />
          </Field>
          <Field label="Interval">
            <input value={f.interval} onChange={set('interval')} />
          </Field>
          <Field label="Base ejection time">
            <input value={f.baseEjectionTime} onChange={set('baseEjectionTime')} />
          </Field>
          <Field label="Max ejection %">
            <input
              type="number"
              min={0}
              max={100}
              value={f.maxEjectionPercent}
              onChange={set('maxEjectionPercent')}
            />
          </Field>
        </div>
      </fieldset>
      <fieldset className="wz-fieldset">
        <legend>Load balancing and TLS</legend>
        <div className="wz-row">
          <Field label="Load balancer">
            <select value={f.lb} onChange={set('lb')}>
              {LB.map((v) => (
                <option key={v} value={v}>
                  {v || '(unchanged)'}
                </option>
              ))}
            </select>
          </Field>
          <Field label="TLS mode">
            <select value={f.tls} onChange={set('tls')}>
              {TLS.map((v) => (
                <option key={v} value={v}>
                  {v || '(unchanged)'}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </fieldset>
    </>
  );
}
