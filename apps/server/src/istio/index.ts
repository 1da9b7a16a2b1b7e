export { istioRouter, type IstioRouterDeps } from './router';
export {
  istioKubeClient,
  KubeApiError,
  type IstioKubeClient,
  type KubeObject,
  type ObjectKey,
} from './kubeClient';
export { loadIstioCrds, istioCrdsFrom, type IstioCrds, type IstioKind } from './crds';
