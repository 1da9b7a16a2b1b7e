import { useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import type { CompileResult } from '../../graph/find/evaluate';
import { useDismiss } from '../../shell/useDismiss';

export interface FindHideBarProps {
  find: string;
  hide: string;
  findResult: CompileResult | null;
  hideResult: CompileResult | null;
  found: number | null;
  onFind: (expr: string) => void;
  onHide: (expr: string) => void;
  helpOpen: boolean;
  onToggleHelp: () => void;
  /** The "?" button, which FindHideHelp treats as part of itself and focuses again on Escape. */
  helpButton: RefObject<HTMLButtonElement | null>;
}

function ExprInput(props: {
  label: string;
  value: string;
  result: CompileResult | null;
  onCommit: (v: string) => void;
  testId: string;
  placeholder: string;
}) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  const error = props.result && !props.result.ok && text === props.value ? props.result : null;
  return (
    <div className="expr">
      <label className={error ? 'expr-field invalid' : 'expr-field'}>
        <span className="expr-label">{props.label}</span>
        <input
          className="input mono"
          data-testid={props.testId}
          aria-label={`${props.label} expression`}
          aria-invalid={error ? true : undefined}
          placeholder={props.placeholder}
          value={text}
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') props.onCommit(text.trim());
            if (e.key === 'Escape') {
              setText('');
              props.onCommit('');
            }
          }}
          onBlur={() => {
            if (text.trim() !== props.value) props.onCommit(text.trim());
          }}
        />
        {text && (
          <button
            type="button"
            className="clear"
            aria-label={`Clear ${props.label.toLowerCase()}`}
            onClick={() => {
              setText('');
              props.onCommit('');
            }}
          >
            ×
          </button>
        )}
      </label>
      {error && (
        <div className="expr-error" role="alert" data-testid={`${props.testId}-error`}>
          <code>
            {props.value}
            {'\n'}
            {' '.repeat(Math.max(0, error.position - 1))}^
          </code>
          <span>{error.message}</span>
        </div>
      )}
    </div>
  );
}

const HELP: [string, string][] = [
  ['rt > 1000', 'edges with response time over 1 s'],
  ['%httperr > 5', 'HTTP edges with more than 5% errors'],
  ['ns = bookinfo', 'nodes in namespace bookinfo'],
  ['!healthy', 'degraded or failing nodes'],
  ['version = v2', 'nodes of version v2'],
  ['node = service', 'service nodes (app, workload, service, unknown)'],
  ['name contains rating', 'text operators: contains *= startswith ^= endswith $= (and !…)'],
  ['ns = bookinfo AND !healthy', 'both must hold'],
  ['version = v1 OR version = v2', 'either; OR binds tighter than AND'],
];

export function FindHideBar({
  find,
  hide,
  findResult,
  hideResult,
  found,
  onFind,
  onHide,
  helpOpen,
  onToggleHelp,
  helpButton,
}: FindHideBarProps) {
  return (
    <div className="findhide">
      <ExprInput
        label="Find"
        value={find}
        result={findResult}
        onCommit={onFind}
        testId="find"
        placeholder="e.g. %httperr > 5"
      />
      <ExprInput
        label="Hide"
        value={hide}
        result={hideResult}
        onCommit={onHide}
        testId="hide"
        placeholder="e.g. node = unknown"
      />
      {find && findResult?.ok && found !== null && (
        <span className="muted found" data-testid="found-count">
          {found} found
        </span>
      )}
      <button
        ref={helpButton}
        type="button"
        className={helpOpen ? 'button icon-button active' : 'button icon-button'}
        aria-label="Find and hide help"
        aria-expanded={helpOpen}
        aria-controls="findhide-help"
        onClick={onToggleHelp}
      >
        ?
      </button>
    </div>
  );
}

/**
 * The find/hide expression help, drawn over the graph (top right) rather than under the toolbar, so it
 * never covers the toolbar or the replay bar. Escape or a press outside closes it.
 */
export function FindHideHelp({
  onClose,
  helpButton,
}: {
  onClose: () => void;
  helpButton: RefObject<HTMLButtonElement | null>;
}) {
  const panel = useRef<HTMLDivElement>(null);
  useDismiss(true, [panel, helpButton], onClose, helpButton);
  return (
    <div
      ref={panel}
      id="findhide-help"
      className="findhide-help"
      role="dialog"
      aria-label="Find and hide help"
      data-testid="findhide-help"
    >
      <header>
        <h3>Find and hide expressions</h3>
        <button type="button" className="link-button" onClick={onClose} aria-label="Close help">
          ×
        </button>
      </header>
      <p>Press Enter to apply. Find highlights matches; Hide removes them (and a hidden node’s edges).</p>
      <table>
        <tbody>
          {HELP.map(([expr, text]) => (
            <tr key={expr}>
              <td>
                <code>{expr}</code>
              </td>
              <td>{text}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small">
        <strong>Node operands:</strong> app, name, ns, node, svc, version, wl, cluster, health, httpin,
        httpout, grpcin, grpcout, tcpin, tcpout.
        <br />
        <strong>Edge operands:</strong> rt, %httperr, %httptraffic, %grpcerr, %grpctraffic, %err, http, grpc,
        tcp, mtls, protocol, throughput.
        <br />
        <strong>Alone:</strong> healthy, degraded, failure, idle, outside, outofmesh, root, serviceentry,
        virtualservice, trafficshifting, requestrouting, faultinjection, requesttimeout, retries,
        circuitbreaker, mirroring, traffic. <code>x = NaN</code> means no activity. Esc closes this help.
      </p>
    </div>
  );
}
