/** Printer columns of the built-in kinds, as kube-apiserver's table convertors print them. */
import type { KObject } from './types';

type Obj = Record<string, unknown>;

export interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  description?: string;
  cell: (o: KObject) => unknown;
}

export const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const asArr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** Kubernetes' duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

const age = (o: KObject): string =>
  o.metadata.creationTimestamp
    ? humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp))
    : '<unknown>';

export const NAME: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  cell: (o) => o.metadata.name ?? '',
};
export const AGE: Column = { name: 'Age', type: 'string', cell: age };
const mapText = (m: unknown): string => {
  const e = Object.entries(asObj(m));
  return e.length ? e.map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>';
};
const selectorText = (s: unknown): string => {
  const sel = asObj(s);
  const parts = Object.entries(asObj(sel.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of asArr(sel.matchExpressions))
    parts.push(`${String(e.key)} ${String(e.operator).toLowerCase()} (${asArr(e.values).join(',')})`);
  return parts.length ? parts.join(',') : '<none>';
};
const templateContainers = (o: KObject): Obj[] => asArr(asObj(asObj(asObj(o.spec).template).spec).containers);
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function podStatus(o: KObject): string {
  const st = asObj(o.status);
  for (const c of asArr(st.containerStatuses)) {
    const state = asObj(c.state);
    const waiting = asObj(state.waiting);
    if (waiting.reason) return String(waiting.reason);
  }
  return String(st.phase ?? 'Pending');
}

export const BUILT_IN_COLUMNS: Record<string, Column[]> = {
  Pod: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => {
        const cs = asArr(asObj(o.status).containerStatuses);
        return `${cs.filter((c) => c.ready).length}/${asArr(asObj(o.spec).containers).length}`;
      },
    },
    { name: 'Status', type: 'string', cell: podStatus },
    {
      name: 'Restarts',
      type: 'string',
      cell: (o) =>
        String(asArr(asObj(o.status).containerStatuses).reduce((n, c) => n + num(c.restartCount), 0)),
    },
    AGE,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => asObj(o.status).podIP ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => asObj(o.spec).nodeName ?? '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, cell: () => '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, cell: () => '<none>' },
  ],
  Service: [
    NAME,
    { name: 'Type', type: 'string', cell: (o) => asObj(o.spec).type ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', cell: (o) => asObj(o.spec).clusterIP ?? '<none>' },
    {
      name: 'External-IP',
      type: 'string',
      cell: (o) => {
        const ing = asArr(asObj(asObj(o.status).loadBalancer).ingress).map((i) => i.ip ?? i.hostname);
        const ext = asArr(asObj(o.spec).externalIPs) as unknown[];
        const all = [...ext, ...ing].map(String);
        if (all.length) return all.join(',');
        return asObj(o.spec).type === 'LoadBalancer' ? '<pending>' : '<none>';
      },
    },
    {
      name: 'Port(s)',
      type: 'string',
      cell: (o) =>
        asArr(asObj(o.spec).ports)
          .map(
            (p) =>
              `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ''}/${String(p.protocol ?? 'TCP')}`,
          )
          .join(',') || '<none>',
    },
    AGE,
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => mapText(asObj(o.spec).selector) },
  ],
  Deployment: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => `${num(asObj(o.status).readyReplicas)}/${num(asObj(o.spec).replicas)}`,
    },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(asObj(o.status).updatedReplicas) },
    { name: 'Available', type: 'integer', cell: (o) => num(asObj(o.status).availableReplicas) },
    AGE,
    {
      name: 'Containers',
      type: 'string',
      priority: 1,
      cell: (o) =>
        templateContainers(o)
          .map((c) => c.name)
          .join(','),
    },
    {
      name: 'Images',
      type: 'string',
      priority: 1,
      cell: (o) =>
        templateContainers(o)
          .map((c) => c.image)
          .join(','),
    },
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorText(asObj(o.spec).selector) },
  ],
  ReplicaSet: [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => num(asObj(o.spec).replicas) },
    { name: 'Current', type: 'integer', cell: (o) => num(asObj(o.status).replicas) },
    { name: 'Ready', type: 'integer', cell: (o) => num(asObj(o.status).readyReplicas) },
    AGE,
    {
      name: 'Containers',
      type: 'string',
      priority: 1,
      cell: (o) =>
        templateContainers(o)
          .map((c) => c.name)
          .join(','),
    },
    {
      name: 'Images',
      type: 'string',
      priority: 1,
      cell: (o) =>
        templateContainers(o)
          .map((c) => c.image)
          .join(','),
    },
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorText(asObj(o.spec).selector) },
  ],
  StatefulSet: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => `${num(asObj(o.status).readyReplicas)}/${num(asObj(o.spec).replicas)}`,
    },
    AGE,
  ],
  DaemonSet: [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => num(asObj(o.status).desiredNumberScheduled) },
    { name: 'Current', type: 'integer', cell: (o) => num(asObj(o.status).currentNumberScheduled) },
    { name: 'Ready', type: 'integer', cell: (o) => num(asObj(o.status).numberReady) },
    AGE,
  ],
  Namespace: [NAME, { name: 'Status', type: 'string', cell: (o) => asObj(o.status).phase ?? 'Active' }, AGE],
  Node: [
    NAME,
    { name: 'Status', type: 'string', cell: () => 'Ready' },
    { name: 'Roles', type: 'string', cell: () => 'control-plane' },
    AGE,
    { name: 'Version', type: 'string', cell: (o) => asObj(asObj(o.status).nodeInfo).kubeletVersion ?? '' },
  ],
  Endpoints: [
    NAME,
    {
      name: 'Endpoints',
      type: 'string',
      cell: (o) => {
        const eps: string[] = [];
        for (const s of asArr(o.subsets)) {
          for (const a of asArr(s.addresses))
            for (const p of asArr(s.ports)) eps.push(`${String(a.ip)}:${String(p.port)}`);
        }
        if (!eps.length) return '<none>';
        return eps.length > 3 ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...` : eps.join(',');
      },
    },
    AGE,
  ],
  EndpointSlice: [
    NAME,
    { name: 'AddressType', type: 'string', cell: (o) => o.addressType ?? '' },
    {
      name: 'Ports',
      type: 'string',
      cell: (o) =>
        asArr(o.ports)
          .map((p) => String(p.port))
          .join(',') || '<unset>',
    },
    {
      name: 'Endpoints',
      type: 'string',
      cell: (o) => {
        const ips = asArr(o.endpoints).flatMap((e) => asArr(e.addresses) as unknown as string[]);
        if (!ips.length) return '<unset>';
        return ips.length > 3 ? `${ips.slice(0, 3).join(',')} + ${ips.length - 3} more...` : ips.join(',');
      },
    },
    AGE,
  ],
  ServiceAccount: [NAME, { name: 'Secrets', type: 'integer', cell: (o) => asArr(o.secrets).length }, AGE],
  ConfigMap: [
    NAME,
    {
      name: 'Data',
      type: 'integer',
      cell: (o) => Object.keys(asObj(o.data)).length + Object.keys(asObj(o.binaryData)).length,
    },
    AGE,
  ],
  Lease: [
    NAME,
    { name: 'Holder', type: 'string', cell: (o) => String(asObj(o.spec).holderIdentity ?? '') },
    AGE,
  ],
  Secret: [
    NAME,
    { name: 'Type', type: 'string', cell: (o) => o.type ?? 'Opaque' },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys(asObj(o.data)).length },
    AGE,
  ],
  Event: [
    {
      name: 'Last Seen',
      type: 'string',
      cell: (o) =>
        o.lastTimestamp ? humanDuration(Date.now() - Date.parse(String(o.lastTimestamp))) : age(o),
    },
    { name: 'Type', type: 'string', cell: (o) => o.type ?? '' },
    { name: 'Reason', type: 'string', cell: (o) => o.reason ?? '' },
    {
      name: 'Object',
      type: 'string',
      cell: (o) =>
        `${String(asObj(o.involvedObject).kind ?? '').toLowerCase()}/${String(asObj(o.involvedObject).name ?? '')}`,
    },
    { name: 'Message', type: 'string', cell: (o) => o.message ?? '' },
  ],
  CustomResourceDefinition: [
    NAME,
    { name: 'Created At', type: 'date', cell: (o) => o.metadata.creationTimestamp ?? '' },
  ],
};
