/** Defaults and validation of built-in kinds: the subset of the API server's rules the emulator keeps. */
import type { StatusCause } from './errors';
import type { KObject } from './types';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kinds whose names must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED = new Set(['Namespace', 'Service']);
/** Kinds whose names need only be valid path segments (RBAC: `system:discovery`). */
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const asArr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export function validateMetadata(obj: KObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = obj.metadata.name;
  if (!name) {
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    });
  } else if (PATH_SEGMENT_NAMED.has(obj.kind)) {
    if (name === '.' || name === '..' || /[/%]/.test(name)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(name)}: may not be '.' or '..' and may not contain '/' or '%'`,
        field: 'metadata.name',
      });
    }
  } else {
    const re = LABEL_NAMED.has(obj.kind) ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
    const max = LABEL_NAMED.has(obj.kind) ? 63 : 253;
    if (!re.test(name) || name.length > max) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 ${LABEL_NAMED.has(obj.kind) ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        field: 'metadata.name',
      });
    }
  }
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        field: `metadata.labels`,
      });
    }
    if (!/^([a-z0-9A-Z.-]+\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/.test(k)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(k)}: invalid label key`,
        field: 'metadata.labels',
      });
    }
  }
  for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
    if (typeof v !== 'string') {
      causes.push({
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: ${JSON.stringify(v)}: annotation values must be strings`,
        field: `metadata.annotations.${k}`,
      });
    }
  }
  return causes;
}

function validatePodSpec(spec: Obj, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = asArr(spec.containers);
  if (containers.length === 0)
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${path}.containers` });
  containers.forEach((c, i) => {
    if (!c.name)
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: `${path}.containers[${i}].name`,
      });
    if (!c.image)
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: `${path}.containers[${i}].image`,
      });
  });
  return causes;
}

const isIntAtLeast = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;

export function validateBuiltIn(obj: KObject): StatusCause[] {
  const spec = asObj(obj.spec);
  switch (obj.kind) {
    case 'Pod':
      return validatePodSpec(spec, 'spec');
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet': {
      const causes: StatusCause[] = [];
      const selector = asObj(spec.selector);
      const template = asObj(spec.template);
      const labels = asObj(asObj(template.metadata).labels);
      if (!spec.selector)
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
      const matchLabels = asObj(selector.matchLabels);
      for (const [k, v] of Object.entries(matchLabels)) {
        if (labels[k] !== v) {
          causes.push({
            reason: 'FieldValueInvalid',
            message: `Invalid value: map[string]string{${Object.entries(labels)
              .map(([a, b]) => `"${a}":"${String(b)}"`)
              .join(', ')}}: \`selector\` does not match template \`labels\``,
            field: 'spec.template.metadata.labels',
          });
          break;
        }
      }
      if (
        spec.replicas !== undefined &&
        (!Number.isInteger(spec.replicas) || (spec.replicas as number) < 0)
      ) {
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
          field: 'spec.replicas',
        });
      }
      causes.push(...validatePodSpec(asObj(template.spec), 'spec.template.spec'));
      return causes;
    }
    case 'Lease': {
      // As kube-apiserver's ValidateLeaseSpec: durations and transitions not negative, times MicroTime.
      const causes: StatusCause[] = [];
      if (spec.leaseDurationSeconds !== undefined && !isIntAtLeast(spec.leaseDurationSeconds, 1))
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(spec.leaseDurationSeconds)}: must be greater than 0`,
          field: 'spec.leaseDurationSeconds',
        });
      if (spec.leaseTransitions !== undefined && !isIntAtLeast(spec.leaseTransitions, 0))
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(spec.leaseTransitions)}: must be greater than or equal to 0`,
          field: 'spec.leaseTransitions',
        });
      for (const f of ['acquireTime', 'renewTime'] as const)
        if (spec[f] !== undefined && spec[f] !== null && Number.isNaN(Date.parse(String(spec[f]))))
          causes.push({
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${JSON.stringify(spec[f])}: must be an RFC 3339 time (MicroTime)`,
            field: `spec.${f}`,
          });
      if (
        spec.holderIdentity !== undefined &&
        spec.holderIdentity !== null &&
        typeof spec.holderIdentity !== 'string'
      )
        causes.push({
          reason: 'FieldValueInvalid',
          message: 'Invalid value: must be a string',
          field: 'spec.holderIdentity',
        });
      return causes;
    }
    case 'Service': {
      const causes: StatusCause[] = [];
      const type = spec.type ?? 'ClusterIP';
      const ports = asArr(spec.ports);
      if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None') {
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ports' });
      }
      ports.forEach((p, i) => {
        if (!Number.isInteger(p.port) || (p.port as number) < 1 || (p.port as number) > 65535) {
          causes.push({
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${JSON.stringify(p.port)}: must be between 1 and 65535, inclusive`,
            field: `spec.ports[${i}].port`,
          });
        }
        if (ports.length > 1 && !p.name)
          causes.push({
            reason: 'FieldValueRequired',
            message: 'Required value',
            field: `spec.ports[${i}].name`,
          });
      });
      return causes;
    }
    default:
      return [];
  }
}

/** Addresses handed out by the emulator: services from 10.96.0.0/16, pods from 10.244.0.0/16, load
 *  balancers from 172.18.255.0/24 (as MetalLB on kind would), node ports from 30000. */
export class IpAllocator {
  private next = { svc: 10, pod: 10, lb: 200 };
  private nextNodePort = 30000;

  allocate(kind: 'svc' | 'pod' | 'lb'): string {
    const n = this.next[kind]++;
    if (kind === 'lb') return `172.18.${255 - (Math.floor(n / 250) % 250)}.${(n % 250) + 1}`;
    return `${kind === 'svc' ? '10.96' : '10.244'}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  }

  nodePort(): number {
    const p = this.nextNodePort++;
    return 30000 + ((p - 30000) % 2768);
  }

  /** Skips past an address already in use (restored state). */
  reserve(kind: 'svc' | 'pod', ip: string): void {
    const m = /^\d+\.\d+\.(\d+)\.(\d+)$/.exec(ip);
    if (!m) return;
    const n = Number(m[1]) * 250 + Number(m[2]) - 1;
    if (n >= this.next[kind]) this.next[kind] = n + 1;
  }
}

function defaultContainers(spec: Obj): void {
  for (const list of ['containers', 'initContainers']) {
    for (const c of asArr(spec[list])) {
      const image = String(c.image ?? '');
      c.imagePullPolicy ??= image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
      for (const p of asArr(c.ports)) p.protocol ??= 'TCP';
    }
  }
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
}

/** Server-side defaults (a subset of what kube-apiserver fills in). Mutates `obj`. */
export function applyDefaults(obj: KObject, old: KObject | undefined, ips: IpAllocator): void {
  const spec = asObj(obj.spec);
  switch (obj.kind) {
    case 'Namespace':
      obj.metadata.labels = {
        ...obj.metadata.labels,
        'kubernetes.io/metadata.name': obj.metadata.name ?? '',
      };
      obj.spec = { finalizers: ['kubernetes'], ...spec };
      obj.status = { phase: 'Active' };
      break;
    case 'Service': {
      obj.spec = spec;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      const oldSpec = asObj(old?.spec);
      if (spec.type !== 'ExternalName') {
        spec.clusterIP ??= (oldSpec.clusterIP as string | undefined) ?? ips.allocate('svc');
        spec.clusterIPs ??= [spec.clusterIP];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
        spec.internalTrafficPolicy ??= 'Cluster';
      }
      const oldPorts = asArr(oldSpec.ports);
      for (const p of asArr(spec.ports)) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
        if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
          p.nodePort ??= oldPorts.find((o) => o.port === p.port)?.nodePort ?? ips.nodePort();
        }
      }
      obj.status ??= { loadBalancer: {} };
      const lb = asObj(asObj(obj.status).loadBalancer);
      if (spec.type === 'LoadBalancer' && !Array.isArray(lb.ingress)) {
        obj.status = {
          ...asObj(obj.status),
          loadBalancer: { ingress: [{ ip: ips.allocate('lb'), ipMode: 'VIP' }] },
        };
      } else if (spec.type !== 'LoadBalancer' && Array.isArray(lb.ingress)) {
        obj.status = { ...asObj(obj.status), loadBalancer: {} };
      }
      break;
    }
    case 'Pod':
      obj.spec = spec;
      defaultContainers(spec);
      spec.serviceAccountName ??= 'default';
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet': {
      obj.spec = spec;
      if (obj.kind !== 'DaemonSet') spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      if (obj.kind === 'Deployment') {
        spec.progressDeadlineSeconds ??= 600;
        spec.strategy ??= {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
        };
      }
      const template = asObj(spec.template);
      spec.template = template;
      template.metadata ??= {};
      template.spec = asObj(template.spec);
      defaultContainers(template.spec as Obj);
      break;
    }
    case 'Secret':
      obj.type ??= 'Opaque';
      if (obj.stringData && typeof obj.stringData === 'object') {
        const data = { ...asObj(obj.data) };
        for (const [k, v] of Object.entries(obj.stringData as Obj))
          data[k] = Buffer.from(String(v)).toString('base64');
        obj.data = data;
        delete obj.stringData;
      }
      break;
    default:
      break;
  }
}

/** Top-level fields each built-in kind has; anything else is an unknown field. */
export const BUILT_IN_FIELDS: Record<string, string[]> = {
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Secret: ['data', 'stringData', 'type', 'immutable'],
  ServiceAccount: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  Role: ['rules'],
  ClusterRole: ['rules', 'aggregationRule'],
  RoleBinding: ['subjects', 'roleRef'],
  ClusterRoleBinding: ['subjects', 'roleRef'],
  Endpoints: ['subsets'],
  EndpointSlice: ['addressType', 'endpoints', 'ports'],
  Event: [
    'involvedObject',
    'reason',
    'message',
    'source',
    'firstTimestamp',
    'lastTimestamp',
    'count',
    'type',
    'eventTime',
    'series',
    'action',
    'related',
    'reportingComponent',
    'reportingInstance',
  ],
};
