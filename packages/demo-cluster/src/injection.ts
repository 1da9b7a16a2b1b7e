/** What Istio's sidecar injector adds to a pod in a namespace labelled istio-injection=enabled. */
import type { KObject } from './types';

export const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.30.3';

type Obj = Record<string, unknown>;

export function wantsInjection(pod: KObject, namespace: KObject | undefined): boolean {
  const nsLabels = namespace?.metadata.labels ?? {};
  const labels = pod.metadata.labels ?? {};
  const annotations = pod.metadata.annotations ?? {};
  if (labels['sidecar.istio.io/inject'] === 'false' || annotations['sidecar.istio.io/inject'] === 'false')
    return false;
  if (nsLabels['istio-injection'] === 'disabled') return false;
  return nsLabels['istio-injection'] === 'enabled' || labels['sidecar.istio.io/inject'] === 'true';
}

/** Workload name of a pod: its owner's name without the pod-template-hash, else its own name. */
function workloadName(pod: KObject): string {
  const owner = pod.metadata.ownerReferences?.[0];
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (owner && owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) {
    return owner.name.slice(0, -hash.length - 1);
  }
  return owner?.name ?? pod.metadata.name ?? pod.metadata.generateName?.replace(/-$/, '') ?? '';
}

/** Adds the istio-proxy container, the canonical-service labels and the injector's annotations. Mutates. */
export function injectSidecar(pod: KObject): void {
  const spec = (pod.spec ?? {}) as Obj;
  const containers = (spec.containers ?? []) as Obj[];
  if (containers.some((c) => c.name === 'istio-proxy')) return;
  const labels = { ...pod.metadata.labels };
  labels['service.istio.io/canonical-name'] ??=
    labels['app.kubernetes.io/name'] ?? labels.app ?? workloadName(pod);
  labels['service.istio.io/canonical-revision'] ??=
    labels['app.kubernetes.io/version'] ?? labels.version ?? 'latest';
  labels['security.istio.io/tlsMode'] = 'istio';
  pod.metadata.labels = labels;
  const appContainer = String(containers[0]?.name ?? '');
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    'sidecar.istio.io/status': JSON.stringify({
      initContainers: ['istio-init'],
      containers: ['istio-proxy'],
      volumes: [
        'workload-socket',
        'credential-socket',
        'workload-certs',
        'istio-envoy',
        'istio-data',
        'istio-podinfo',
        'istio-token',
        'istiod-ca-cert',
      ],
      imagePullSecrets: null,
      revision: 'default',
    }),
    'kubectl.kubernetes.io/default-container': appContainer,
    'kubectl.kubernetes.io/default-logs-container': appContainer,
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': '15020',
    'prometheus.io/scrape': 'true',
    'istio.io/rev': 'default',
  };
  spec.initContainers = [
    ...((spec.initContainers ?? []) as Obj[]),
    {
      name: 'istio-init',
      image: PROXY_IMAGE,
      args: [
        'istio-iptables',
        '-p',
        '15001',
        '-z',
        '15006',
        '-u',
        '1337',
        '-m',
        'REDIRECT',
        '-i',
        '*',
        '-x',
        '',
        '-b',
        '*',
        '-d',
        '15090,15021,15020',
      ],
      imagePullPolicy: 'IfNotPresent',
    },
  ];
  spec.containers = [
    ...containers,
    {
      name: 'istio-proxy',
      image: PROXY_IMAGE,
      args: [
        'proxy',
        'sidecar',
        '--domain',
        '$(POD_NAMESPACE).svc.cluster.local',
        '--proxyLogLevel=warning',
        '--log_output_level=default:info',
      ],
      ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
      readinessProbe: {
        httpGet: { path: '/healthz/ready', port: 15021 },
        periodSeconds: 15,
        failureThreshold: 4,
      },
      resources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '10m', memory: '40Mi' } },
      imagePullPolicy: 'IfNotPresent',
      securityContext: {
        runAsUser: 1337,
        runAsGroup: 1337,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
      },
    },
  ];
  pod.spec = spec;
}
