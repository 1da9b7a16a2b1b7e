import type { EdgeData, NodeData } from '../model';

/** What an operand reads from an element, and which element kind it applies to. */
export interface OperandSpec {
  target: 'node' | 'edge';
  kind: 'number' | 'string' | 'flag';
  read: (data: NodeData & EdgeData) => number | string | boolean;
}

const node = (kind: OperandSpec['kind'], read: (d: NodeData) => number | string | boolean): OperandSpec => ({
  target: 'node',
  kind,
  read: read as OperandSpec['read'],
});
const edge = (kind: OperandSpec['kind'], read: (d: EdgeData) => number | string | boolean): OperandSpec => ({
  target: 'edge',
  kind,
  read: read as OperandSpec['read'],
});

const nodeName = (d: NodeData): string =>
  d.nodeType === 'service' || d.nodeType === 'serviceEntry'
    ? d.service
    : d.nodeType === 'workload'
      ? d.workload
      : d.nodeType === 'unknown'
        ? 'unknown'
        : d.app || d.workload || d.service;

/** The node type as users write it (`node = app`); versioned apps are apps. */
const nodeTypeName = (d: NodeData): string =>
  d.nodeType === 'versionedApp' ? 'app' : d.nodeType === 'serviceEntry' ? 'service' : d.nodeType;

const edgeRate = (p: EdgeData['protocol']) => (d: EdgeData) => (d.protocol === p ? d.rate : NaN);
const edgePct = (p: EdgeData['protocol'], f: (d: EdgeData) => number) => (d: EdgeData) =>
  d.protocol === p ? f(d) : NaN;

/** Operands with comparisons (`name op value`), by every name users may type. */
export const OPERANDS: Record<string, OperandSpec> = {
  // nodes
  app: node('string', (d) => d.app),
  cluster: node('string', (d) => d.cluster),
  name: node('string', nodeName),
  namespace: node('string', (d) => d.namespace),
  ns: node('string', (d) => d.namespace),
  node: node('string', nodeTypeName),
  service: node('string', (d) => d.service),
  svc: node('string', (d) => d.service),
  version: node('string', (d) => d.version),
  workload: node('string', (d) => d.workload),
  wl: node('string', (d) => d.workload),
  health: node('string', (d) => d.health.toLowerCase()),
  httpin: node('number', (d) => d.httpIn),
  httpout: node('number', (d) => d.httpOut),
  grpcin: node('number', (d) => d.grpcIn),
  grpcout: node('number', (d) => d.grpcOut),
  tcpin: node('number', (d) => d.tcpIn),
  tcpout: node('number', (d) => d.tcpOut),
  // edges
  rt: edge('number', (d) => d.rt),
  responsetime: edge('number', (d) => d.rt),
  http: edge('number', edgeRate('http')),
  grpc: edge('number', edgeRate('grpc')),
  tcp: edge('number', edgeRate('tcp')),
  '%httperr': edge(
    'number',
    edgePct('http', (d) => d.errPct),
  ),
  '%httptraffic': edge(
    'number',
    edgePct('http', (d) => d.pctReq),
  ),
  '%grpcerr': edge(
    'number',
    edgePct('grpc', (d) => d.errPct),
  ),
  '%grpctraffic': edge(
    'number',
    edgePct('grpc', (d) => d.pctReq),
  ),
  '%err': edge('number', (d) => d.errPct),
  mtls: edge('number', (d) => d.mtls),
  protocol: edge('string', (d) => d.protocol),
  throughput: edge('number', (d) => d.throughput),
};

/** Operands that stand alone (`healthy`, `!idle`). */
export const FLAGS: Record<string, OperandSpec> = {
  // Kiali: unhealthy = degraded or failing (or not ready); no traffic is not a problem.
  healthy: node('flag', (d) => d.health === 'Healthy' || d.health === 'NoTraffic'),
  degraded: node('flag', (d) => d.health === 'Degraded'),
  failure: node('flag', (d) => d.health === 'Failure'),
  idle: node('flag', (d) => d.isIdle),
  outside: node('flag', (d) => d.isOutside),
  outofmesh: node('flag', (d) => d.isOutOfMesh),
  root: node('flag', (d) => d.isRoot),
  trafficsource: node('flag', (d) => d.isRoot),
  serviceentry: node('flag', (d) => d.isServiceEntry),
  virtualservice: node('flag', (d) => d.hasVS),
  vs: node('flag', (d) => d.hasVS),
  destinationrule: node('flag', (d) => d.hasDR),
  trafficshifting: node('flag', (d) => d.hasTrafficShifting),
  requestrouting: node('flag', (d) => d.hasRequestRouting),
  faultinjection: node('flag', (d) => d.hasFaultInjection),
  requesttimeout: node('flag', (d) => d.hasTimeout),
  retries: node('flag', (d) => d.hasRetries),
  circuitbreaker: node('flag', (d) => d.hasCB),
  mirroring: node('flag', (d) => d.hasMirroring),
  traffic: edge('flag', (d) => !d.isIdle && d.rate > 0),
  securedtraffic: edge('flag', (d) => d.mtls > 0),
};

export const OPERAND_NAMES = Object.keys(OPERANDS);
export const FLAG_NAMES = Object.keys(FLAGS);
