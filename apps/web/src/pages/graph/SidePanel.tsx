import { CompareSummary, CompareTable } from './Compare';
import { lazy, Suspense, useMemo, type ReactNode } from 'react';
import { Link } from 'wouter';
import type { GraphEdge, GraphNode, GraphResponse } from '@meshlens/contract';
import { formatDuration } from '@meshlens/contract';
import { formatBytesRate, formatConnections, formatMs, formatPct, formatRps } from '../../graph/format';
import { BADGES, clustersOf, toEdgeDetail } from '../../graph/toElements';
import type { Series } from './history';
import type { ById } from './byId';
import { Sparkline } from './Sparkline';
import { ServiceActions } from '../../wizards/ServiceActions';
import { nodeDetailLinks } from '../details/links';
import { NodeCharts } from './NodeCharts';
import { useServerConfig } from '../../api/queries';
import { edgePeer } from '../../tracing/recent';

// Lazy: the trace UI is not part of the graph page's first load.
const NodeTraces = lazy(() => import('../../tracing/NodeTraces').then((m) => ({ default: m.NodeTraces })));

export interface SidePanelProps {
  answer: GraphResponse;
  nodes: ById<GraphNode>;
  edges: ById<GraphEdge>;
  selected: string;
  history: (id: string) => Series | undefined;
  onSelect: (id: string) => void;
  globalSearch: string;
}

const TYPE_TEXT: Record<GraphNode['type'], string> = {
  app: 'App',
  versionedApp: 'App version',
  workload: 'Workload',
  service: 'Service',
  serviceEntry: 'Service entry',
  unknown: 'Unknown source',
  box: 'Namespace',
};

function HealthTag({ status, reason }: { status: GraphNode['healthStatus']; reason: string }) {
  return (
    <span className={`health health-${status}`} title={reason || undefined} data-testid="health">
      <span className="dot" aria-hidden />{' '}
      {status === 'NoTraffic' ? 'No traffic' : status === 'NotReady' ? 'Not ready' : status}
    </span>
  );
}

function Row({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td data-testid={testId}>{value}</td>
    </tr>
  );
}

function nodeName(n: GraphNode): string {
  return n.type === 'versionedApp' ? `${n.app ?? n.label} ${n.version ?? ''}`.trim() : n.label;
}

/** Detail page links: the node's service, workload and app pages, with the shell's settings. */
function detailLinks(n: GraphNode, search: string): { href: string; text: string }[] {
  return nodeDetailLinks(n).map((l) => ({ href: `${l.href}${search}`, text: l.text }));
}

function NodePanel({ n, props }: { n: GraphNode; props: SidePanelProps }) {
  const inbound = props.answer.edges.filter((e) => e.target === n.id);
  const outbound = props.answer.edges.filter((e) => e.source === n.id);
  const httpErr = n.httpIn > 0 ? ((n.httpIn4xx + n.httpIn5xx + n.httpInNoResponse) / n.httpIn) * 100 : NaN;
  const badges = BADGES.filter((b) => n[b.flag]);
  const series = props.history(n.id);
  // Over several clusters, which one the node runs in (the same service may be in each).
  const cluster = n.type !== 'unknown' && n.cluster && clustersOf(props.answer).length > 1 ? n.cluster : '';
  const tracing = useServerConfig().data?.tracing.enabled ?? false;
  return (
    <>
      <header className="panel-header">
        <div className="panel-kind">{n.isInaccessible ? 'No access' : TYPE_TEXT[n.type]}</div>
        <h2 data-testid="panel-title">{nodeName(n)}</h2>
        <div className="panel-sub">
          {cluster && <span data-testid="panel-cluster">cluster {cluster}</span>}
          {n.namespace !== 'unknown' && <span>namespace {n.namespace}</span>}
          {n.isOutside && <span className="tag">outside selected namespaces</span>}
          {n.isInaccessible && (
            <span className="tag" data-testid="inaccessible">
              namespaces you may not read
            </span>
          )}
          {n.isRoot && <span className="tag">traffic source</span>}
          {n.isGateway && <span className="tag">gateway</span>}
        </div>
        {/* Not graded: the console may not read these namespaces' workloads. */}
        {!n.isInaccessible && <HealthTag status={n.healthStatus} reason={n.healthReason} />}
        {n.healthReason && <p className="muted small">{n.healthReason}</p>}
        {(n.service ?? n.app) && n.namespace !== 'unknown' && n.type !== 'serviceEntry' && (
          <ServiceActions
            answer={props.answer}
            namespace={n.namespace}
            service={(n.service ?? n.app) as string}
            search={props.globalSearch}
          />
        )}
      </header>
      <CompareTable f={n} stat={props.answer.responseTime} node />
      {badges.length > 0 && (
        <section>
          <h3>Configuration</h3>
          <ul className="badge-list">
            {badges.map((b) => (
              <li key={b.flag}>
                <span className="glyph">{b.glyph}</span> {b.label}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h3>Traffic</h3>
        <table className="kv" data-testid="node-traffic">
          <tbody>
            {(n.httpIn > 0 || n.httpOut > 0 || n.grpcIn + n.grpcOut + n.tcpIn + n.tcpOut === 0) && (
              <>
                <Row label="HTTP in" value={formatRps(n.httpIn)} testId="http-in" />
                <Row label="HTTP out" value={formatRps(n.httpOut)} testId="http-out" />
              </>
            )}
            {n.httpIn > 0 && (
              <Row
                label="HTTP errors"
                testId="http-err"
                value={
                  <>
                    {formatPct(httpErr)}{' '}
                    <span className="muted small">
                      (3xx {formatRps(n.httpIn3xx)}, 4xx {formatRps(n.httpIn4xx)}, 5xx{' '}
                      {formatRps(n.httpIn5xx)}, no response {formatRps(n.httpInNoResponse)})
                    </span>
                  </>
                }
              />
            )}
            {(n.grpcIn > 0 || n.grpcOut > 0) && (
              <>
                <Row label="gRPC in" value={formatRps(n.grpcIn)} />
                <Row label="gRPC out" value={formatRps(n.grpcOut)} />
                <Row
                  label="gRPC errors"
                  value={
                    n.grpcIn > 0 ? formatPct(((n.grpcInErr + n.grpcInNoResponse) / n.grpcIn) * 100) : '–'
                  }
                />
              </>
            )}
            {(n.tcpIn > 0 || n.tcpOut > 0) && (
              <>
                <Row label="TCP in" value={formatBytesRate(n.tcpIn)} />
                <Row label="TCP out" value={formatBytesRate(n.tcpOut)} />
              </>
            )}
          </tbody>
        </table>
        {nodeDetailLinks(n).length > 0 ? <NodeCharts node={n} /> : series && <Sparkline series={series} />}
      </section>
      <EdgeList title="Inbound" edges={inbound} other={(e) => e.source} props={props} />
      <EdgeList title="Outbound" edges={outbound} other={(e) => e.target} props={props} />
      {tracing && (
        <Suspense fallback={null}>
          <NodeTraces node={n} duration={props.answer.duration} search={props.globalSearch} />
        </Suspense>
      )}
      {detailLinks(n, props.globalSearch).length > 0 && (
        <section>
          <h3>Details</h3>
          <ul className="links">
            {detailLinks(n, props.globalSearch).map((l) => (
              <li key={l.href}>
                <Link href={l.href}>{l.text} →</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function EdgeList({
  title,
  edges,
  other,
  props,
}: {
  title: string;
  edges: GraphEdge[];
  other: (e: GraphEdge) => string;
  props: SidePanelProps;
}) {
  if (edges.length === 0) return null;
  return (
    <section>
      <h3>
        {title} <span className="muted">({edges.length})</span>
      </h3>
      <table className="grid-table">
        <thead>
          <tr>
            <th>{title === 'Inbound' ? 'From' : 'To'}</th>
            <th className="num">Rate</th>
            <th className="num">Err</th>
          </tr>
        </thead>
        <tbody>
          {edges.slice(0, 12).map((e) => {
            const peer = props.nodes.get(other(e));
            return (
              <tr key={e.id} className="clickable" onClick={() => props.onSelect(e.id)}>
                <td>
                  <span className={`dot dot-${e.healthStatus}`} aria-hidden />{' '}
                  {peer ? nodeName(peer) : other(e)}
                </td>
                <td className="num">
                  {e.protocol === 'tcp' ? formatBytesRate(e.throughputBps ?? 0) : formatRps(e.rps)}
                </td>
                <td className="num">{e.protocol === 'tcp' ? '–' : formatPct(e.errorPct)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {edges.length > 12 && <p className="muted small">and {edges.length - 12} more</p>}
    </section>
  );
}

function EdgePanel({ e, props }: { e: GraphEdge; props: SidePanelProps }) {
  const src = props.nodes.get(e.source);
  const dst = props.nodes.get(e.target);
  const detail = toEdgeDetail(e);
  const series = props.history(e.id);
  const rtStat = props.answer.responseTime === 'avg' ? 'average' : props.answer.responseTime;
  const tracing = useServerConfig().data?.tracing.enabled ?? false;
  // An HTTP/gRPC edge's traces: its caller's calls to the callee's service.
  const peer = tracing && e.protocol !== 'tcp' && src && dst ? edgePeer(src, dst) : null;
  return (
    <>
      <header className="panel-header">
        <div className="panel-kind">Edge · {e.protocol.toUpperCase()}</div>
        <h2 data-testid="panel-title">
          <button type="button" className="link-button" onClick={() => props.onSelect(e.source)}>
            {src ? nodeName(src) : e.source}
          </button>{' '}
          →{' '}
          <button type="button" className="link-button" onClick={() => props.onSelect(e.target)}>
            {dst ? nodeName(dst) : e.target}
          </button>
        </h2>
        <HealthTag status={e.healthStatus} reason={e.healthReason} />
        {e.healthReason && <p className="muted small">{e.healthReason}</p>}
      </header>
      <CompareTable f={e} stat={rtStat} />
      <section>
        <h3>Traffic</h3>
        <table className="kv" data-testid="edge-traffic">
          <tbody>
            {e.protocol === 'tcp' ? (
              <>
                <Row label="Throughput" value={formatBytesRate(e.throughputBps ?? 0)} testId="edge-rate" />
                <Row
                  label="Connections opened"
                  value={e.connections ? formatConnections(sum(Object.values(e.connections))) : 'unknown'}
                  testId="edge-connections"
                />
              </>
            ) : (
              <>
                <Row label="Request rate" value={formatRps(e.rps)} testId="edge-rate" />
                <Row label="Error rate" value={formatPct(e.errorPct)} testId="edge-err" />
                <Row label="% of source's traffic" value={formatPct(e.percentOfSource)} />
                <Row label={`Response time (${rtStat})`} value={formatMs(e.responseTimeMs ?? NaN)} />
                {e.throughputBps !== null && (
                  <Row label="Response bytes" value={formatBytesRate(e.throughputBps)} />
                )}
              </>
            )}
            <Row
              label="mTLS"
              value={e.mtlsPct === null ? 'unknown' : formatPct(e.mtlsPct)}
              testId="edge-mtls"
            />
          </tbody>
        </table>
        {series && <Sparkline series={series} />}
      </section>
      {e.protocol === 'tcp' ? (
        <TcpFlags e={e} />
      ) : detail.responses.length > 0 ? (
        <section>
          <h3>Responses</h3>
          <table className="grid-table" data-testid="responses">
            <thead>
              <tr>
                <th>Code</th>
                <th className="num">Rate</th>
                <th>Flags</th>
              </tr>
            </thead>
            <tbody>
              {detail.responses.map((r) => (
                <tr key={r.code}>
                  <td className={codeClass(r.code)}>
                    {r.code === '0' || r.code === '-' ? 'no response' : r.code}
                  </td>
                  <td className="num">{formatRps(r.rate)}</td>
                  <td className="small">
                    {Object.entries(r.flags)
                      .sort((a, b) => b[1] - a[1])
                      .map(([flag, pct]) => `${flag === '-' ? 'none' : flag} ${formatPct(pct)}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {peer && src && (
        <Suspense fallback={null}>
          <NodeTraces node={src} peer={peer} duration={props.answer.duration} search={props.globalSearch} />
        </Suspense>
      )}
    </>
  );
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const flagText = (flag: string) => (flag === '-' ? 'none' : flag);

/**
 * A TCP edge's connections by response flag (UF, UO, NR… are failed connections), or, when the server
 * has no connection counts, the share of its bytes by flag. Never requests: TCP has none.
 */
function TcpFlags({ e }: { e: GraphEdge }) {
  const connections = e.connections;
  const rows = connections
    ? Object.entries(connections)
    : Object.entries(e.responses['-'] ?? {}).map(([flag, bytes]) => [flag, bytes] as [string, number]);
  if (rows.length === 0) return null;
  const total = sum(rows.map(([, v]) => v));
  rows.sort((a, b) => b[1] - a[1]);
  return (
    <section>
      <h3>{connections ? 'Connections' : 'Bytes by response flag'}</h3>
      <table className="grid-table" data-testid="tcp-flags">
        <thead>
          <tr>
            <th>Flag</th>
            <th className="num">{connections ? 'Opened' : 'Throughput'}</th>
            <th className="num">Share</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([flag, v]) => (
            <tr key={flag}>
              <td className={flag === '-' ? 'code' : 'code code-5xx'}>{flagText(flag)}</td>
              <td className="num">{connections ? formatConnections(v) : formatBytesRate(v)}</td>
              <td className="num">{formatPct(total > 0 ? (v / total) * 100 : 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function codeClass(code: string): string {
  if (code === '0' || code === '-' || code.startsWith('5')) return 'code code-5xx';
  if (code.startsWith('4')) return 'code code-4xx';
  return 'code';
}

function GraphSummary({ props }: { props: SidePanelProps }) {
  const { answer } = props;
  // once per answer, not on every render of the page (an expand, a selection): 15,000 edges on a large mesh
  const { nodes, byType, httpRps, totalRps, errRps, unhealthy } = useMemo(() => {
    const nodes = answer.nodes.filter((n) => n.type !== 'box');
    const byType = new Map<string, number>();
    for (const n of nodes) byType.set(TYPE_TEXT[n.type], (byType.get(TYPE_TEXT[n.type]) ?? 0) + 1);
    const roots = new Set(nodes.filter((n) => n.isRoot).map((n) => n.id));
    const entry = answer.edges.filter((e) => roots.has(e.source) && e.protocol !== 'tcp');
    const allHttp = answer.edges.filter((e) => e.protocol !== 'tcp');
    return {
      nodes,
      byType,
      httpRps: entry.reduce((a, e) => a + e.rps, 0),
      totalRps: allHttp.reduce((a, e) => a + e.rps, 0),
      errRps: allHttp.reduce((a, e) => a + (e.errorPct / 100) * e.rps, 0),
      unhealthy: nodes.filter((n) => n.healthStatus === 'Failure' || n.healthStatus === 'Degraded'),
    };
  }, [answer]);
  const series = props.history('graph');
  return (
    <>
      <header className="panel-header">
        <div className="panel-kind">Graph</div>
        <h2 data-testid="panel-title" title={answer.namespaces.join(', ')}>
          {answer.namespaces.length <= 3
            ? answer.namespaces.join(', ')
            : `${answer.namespaces.length} namespaces`}
        </h2>
        <div className="panel-sub">
          {answer.compare ? 'after the moment: ' : ''}rates over the last {formatDuration(answer.duration)} at{' '}
          {new Date(answer.timestamp * 1000).toLocaleTimeString()}
        </div>
      </header>
      <CompareSummary
        answer={answer}
        label={(id) => {
          const n = props.nodes.get(id);
          return n ? nodeName(n) : id;
        }}
        onSelect={props.onSelect}
      />
      <section>
        <h3>Traffic</h3>
        <table className="kv" data-testid="graph-summary">
          <tbody>
            <Row label="Entering the mesh" value={formatRps(httpRps)} />
            <Row label="All requests (edges)" value={formatRps(totalRps)} />
            <Row label="Error rate" value={totalRps > 0 ? formatPct((errRps / totalRps) * 100) : '–'} />
            <Row
              label="Nodes"
              value={`${nodes.length} (${[...byType].map(([t, c]) => `${c} ${t.toLowerCase()}`).join(', ')})`}
            />
            <Row label="Edges" value={answer.edges.length} />
          </tbody>
        </table>
        {series && <Sparkline series={series} />}
      </section>
      <section>
        <h3>Needs attention</h3>
        {unhealthy.length === 0 ? (
          <p className="muted">Every node is healthy.</p>
        ) : (
          <ul className="links">
            {unhealthy.slice(0, 15).map((n) => (
              <li key={n.id}>
                <button type="button" className="link-button" onClick={() => props.onSelect(n.id)}>
                  <span className={`dot dot-${n.healthStatus}`} aria-hidden /> {nodeName(n)}
                </button>{' '}
                <span className="muted small">{n.healthReason}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** Right-hand panel: the selected node or edge, or the whole graph when nothing is selected. */
export function SidePanel(props: SidePanelProps) {
  const node = props.nodes.get(props.selected);
  const edge = node ? undefined : props.edges.get(props.selected);
  return (
    <aside className="side-panel" aria-label="Details" data-testid="side-panel">
      {node && node.type !== 'box' ? (
        <NodePanel n={node} props={props} />
      ) : edge ? (
        <EdgePanel e={edge} props={props} />
      ) : (
        <GraphSummary props={props} />
      )}
    </aside>
  );
}
