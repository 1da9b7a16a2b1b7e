/**
 * The ClusterAccess of an app made without Kubernetes access of its own (tests, embedding): the console's
 * Istio client for every request, no identity (the API server is not asked), no access reviews.
 */
import { UpstreamError } from '../errors';
import { KubeApiError, type IstioKubeClient } from '../istio/kubeClient';
import type { ClusterAccess } from './cluster';

const none = () => new KubeApiError(0, 'this console has no Kubernetes access to ask');

export function consoleOnly(istio: IstioKubeClient | undefined): ClusterAccess {
  return {
    whoami: async () => Promise.reject(none()),
    canI: async () => Promise.reject(none()),
    istioClient(c) {
      if (c.kind !== 'console' || !istio) throw new UpstreamError('this console has no Kubernetes access');
      return istio;
    },
    consoleUserName: () => undefined,
    podLogs: async () => Promise.reject(none()),
  };
}
