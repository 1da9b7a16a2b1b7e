import type { ServerConfigResponse } from '@meshlens/contract';

/** A server config for unit tests: `/api/config` as a console with its defaults answers it, changed by `overrides`. */
export function testServerConfig(overrides: Partial<ServerConfigResponse> = {}): ServerConfigResponse {
  return {
    version: 't',
    tracing: { enabled: false },
    basePath: '',
    clusterName: 'Kubernetes',
    istioNamespace: 'istio-system',
    refreshIntervalMs: 0,
    refreshIntervalsMs: [0, 10_000],
    durationSeconds: 300,
    durationsSeconds: [60, 300],
    defaultGraphType: 'workload',
    defaultNamespaces: [],
    ...overrides,
  };
}
