import { describe, expect, it } from 'vitest';
import { deriveSnapshot } from './derive';
import { trimObject } from './trim';

describe('trimObject', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'reviews-v1-abc',
      namespace: 'bookinfo',
      resourceVersion: '42',
      labels: { app: 'reviews', version: 'v1' },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}',
        'meshlens.io/health-rate': '5XX,1,2',
      },
      managedFields: [{ manager: 'kubectl', fieldsV1: { big: true } }],
      ownerReferences: [
        {
          kind: 'ReplicaSet',
          name: 'reviews-v1-6b8f9c7d5',
          controller: true,
          uid: 'u',
          apiVersion: 'apps/v1',
        },
      ],
    },
    spec: {
      containers: [
        { name: 'reviews', image: 'x', env: [{ name: 'A', value: 'b' }] },
        { name: 'istio-proxy', image: 'y' },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: 'x' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [
        {
          name: 'reviews',
          ready: true,
          restartCount: 2,
          image: 'x',
          imageID: 'sha256:…',
          containerID: 'containerd://…',
          state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
          lastState: { terminated: { reason: 'Error', exitCode: 1 } },
        },
      ],
    },
  };

  it('keeps what the inventory reads and drops the rest', () => {
    const t = trimObject('pods', pod);
    expect(t.metadata).toEqual({
      name: 'reviews-v1-abc',
      namespace: 'bookinfo',
      resourceVersion: '42',
      labels: { app: 'reviews', version: 'v1' },
      annotations: { 'meshlens.io/health-rate': '5XX,1,2' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'reviews-v1-6b8f9c7d5', controller: true }],
    });
    expect(t.spec).toEqual({
      containers: [
        { name: 'reviews', image: 'x' },
        { name: 'istio-proxy', image: 'y' },
      ],
      initContainers: undefined,
    });
  });

  it('derives the same inventory from trimmed objects', () => {
    const raw = {
      namespaces: [],
      services: [],
      deployments: [],
      replicasets: [],
      serviceentries: [],
      virtualservices: [],
      destinationrules: [],
    };
    const full = deriveSnapshot({ ...raw, pods: [pod] }, true);
    const trimmed = deriveSnapshot({ ...raw, pods: [trimObject('pods', pod)] }, true);
    expect(trimmed.workloads).toEqual(
      full.workloads.map((w) => ({ ...w, annotations: { 'meshlens.io/health-rate': '5XX,1,2' } })),
    );
    expect(trimmed.workloads[0]).toMatchObject({ name: 'reviews-v1', podsWithSidecar: 1, podsReady: 1 });
    expect(trimObject('pods', pod).status).toEqual({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'reviews', ready: true, restartCount: 2, state: { running: { reason: undefined } } },
      ],
    });
  });
});
