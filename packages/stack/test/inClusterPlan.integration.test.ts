// A pod's container as a local process: what the kubelet would give it, from the manifests of deploy/
// (rendered by kubectl kustomize, hence an integration test).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  deployOverlay,
  findKubectl,
  planPodProcess,
  SERVICE_ACCOUNT_MOUNT,
  type PodSpec,
} from '../src/inCluster';

const pod = { name: 'meshlens-abc-1', namespace: 'istio-system', uid: 'u-1' };
const dir = '/state/in-cluster/meshlens-abc-1';

/** The pod template of an overlay, as kubectl kustomize renders it. */
function templateOf(overlay: string): PodSpec {
  const text = execFileSync(findKubectl(), ['kustomize', deployOverlay(overlay)], { encoding: 'utf8' });
  const deployment = parseAllDocuments(text)
    .map((d) => d.toJS() as { kind: string; spec: { template: { spec: PodSpec } } })
    .find((d) => d.kind === 'Deployment');
  if (!deployment) throw new Error(`no Deployment in ${overlay}`);
  return deployment.spec.template.spec;
}

describe('planPodProcess', () => {
  it("gives the token overlay's console its session key file, namespace and ServiceAccount folder", () => {
    const key = Buffer.from('k'.repeat(44));
    const plan = planPodProcess(pod, templateOf('token'), 'meshlens', dir, {
      secrets: { 'meshlens-session': { key } },
      configMaps: {},
    });
    const keyFile = join(dir, 'volumes', 'session-key', 'key');
    expect(plan.env.MESHLENS_SESSION_KEY_FILE).toBe(keyFile);
    expect(plan.files).toEqual([{ path: keyFile, content: key }]);
    expect(plan.env.POD_NAMESPACE).toBe('istio-system');
    expect(plan.env.MESHLENS_AUTH_STRATEGY).toBe('token');
    // The in-cluster URL of Prometheus is kept: the launcher replaces what does not resolve locally.
    expect(plan.env.PROMETHEUS_URL).toBe('http://prometheus.istio-system:9090');
    expect(plan.serviceAccountDir).toBe(join(dir, 'serviceaccount'));
    expect(plan.mounts.get(SERVICE_ACCOUNT_MOUNT)).toBe(join(dir, 'serviceaccount'));
    expect(plan.mounts.get('/tmp')).toBe(join(dir, 'volumes', 'tmp'));
    expect(plan.dirs).toContain(join(dir, 'volumes', 'tmp'));
    expect(plan.ports).toEqual([{ name: 'http', containerPort: 20001, protocol: 'TCP' }]);
  });

  it('refuses to start without the Secret a volume needs, as the kubelet does', () => {
    expect(() =>
      planPodProcess(pod, templateOf('token'), 'meshlens', dir, { secrets: {}, configMaps: {} }),
    ).toThrow(
      'pod istio-system/meshlens-abc-1: Secret istio-system/meshlens-session (volume session-key) does not exist',
    );
  });

  it('resolves Secret and ConfigMap references, and skips optional ones that are missing', () => {
    const spec: PodSpec = {
      containers: [
        {
          name: 'c',
          env: [
            { name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'a' } } },
            { name: 'B', valueFrom: { configMapKeyRef: { name: 'm', key: 'b' } } },
            { name: 'C', valueFrom: { secretKeyRef: { name: 'gone', key: 'c', optional: true } } },
            { name: 'D', value: '/etc/conf/file.yaml' },
            { name: 'E', value: '/etc/conference' },
          ],
          volumeMounts: [{ name: 'conf', mountPath: '/etc/conf' }],
        },
      ],
      volumes: [{ name: 'conf', configMap: { name: 'm' } }],
      automountServiceAccountToken: false,
    };
    const plan = planPodProcess(pod, spec, 'c', dir, {
      secrets: { s: { a: Buffer.from('sa') } },
      configMaps: { m: { b: 'mb', 'file.yaml': 'x: 1' } },
    });
    expect(plan.env).toEqual({
      A: 'sa',
      B: 'mb',
      D: join(dir, 'volumes', 'conf', 'file.yaml'),
      // Only paths under a mount are rewritten, not paths that merely start with its name.
      E: '/etc/conference',
    });
    expect(plan.serviceAccountDir).toBeUndefined();
    expect(plan.files.map((f) => f.path).sort()).toEqual([
      join(dir, 'volumes', 'conf', 'b'),
      join(dir, 'volumes', 'conf', 'file.yaml'),
    ]);
    expect(() =>
      planPodProcess(
        pod,
        {
          containers: [
            { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'nope' } } }] },
          ],
        },
        'c',
        dir,
        { secrets: { s: {} }, configMaps: {} },
      ),
    ).toThrow('env X: Secret s has no key nope');
  });
});
