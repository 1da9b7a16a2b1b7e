export type * from './evaluate.types';
export * from './model';
export { evaluateHttp, resolveHost, rollFault, rollPercent } from './evaluate';
export { evaluateTcp, type TcpOptions } from './evaluateTcp';
export {
  peerAuthMode,
  connectionSecurityPolicy,
  serverAcceptsConnection,
  serviceMtlsMode,
  findPeerAuthentications,
  DEFAULT_ROOT_NAMESPACE,
  type PeerAuthenticationChain,
} from './peerAuth';
export {
  findDestinationRule,
  mergeDestinationRules,
  effectiveTrafficPolicy,
  hostNamespace,
  type AppliedDestinationRule,
} from './destinationRule';
export {
  resolveCluster,
  resolveDestination,
  decideClientMtls,
  pickWeighted,
  hostPorts,
  isKnownHost,
  clusterName,
} from './destination';
export {
  selectVirtualServices,
  virtualServiceAppliesToProxy,
  virtualServiceGateways,
  resolveGatewayRef,
  proxyOf,
  MESH_GATEWAY,
  type ProxyIdentity,
  type VirtualServiceSelection,
} from './virtualService';
export {
  compileRe2,
  stringMatches,
  httpMatchBlockMatches,
  isCatchAllRule,
  isCatchAllMatch,
  parseQuery,
  type MatchRequest,
} from './match';
export {
  retryDecision,
  defaultRetryDecision,
  isRetriable,
  retryBackoffMs,
  DEFAULT_RETRY_ON,
  DEFAULT_RETRY_ATTEMPTS,
  type UpstreamFailure,
} from './retry';
export {
  circuitBreakerLimits,
  outlierDetectionSettings,
  loadBalancerKind,
  UNLIMITED,
  type CircuitBreakerLimits,
  type OutlierDetectionSettings,
  type LoadBalancerKind,
} from './policy';
export { describeRoute, summarizeRoute } from './describe';
export { mulberry32, seedFromString } from './random';
export { ipv4InCidr, isIpAddress } from './hosts';
export * from './validation/index';
export { meshConfigFromObjects, sidecarInjected } from './inventory';
export { httpRouteDistribution, type HttpRouteDistribution, type RouteShare } from './distribution';
export { faultSpec, mirrorSpec, type FaultSpec } from './fault';
export { requestPort } from './evaluate';
export * from './builders/index';
export {
  predictLoad,
  describeMatch,
  type LoadPrediction,
  type LoadSource,
  type UncertainRule,
  type PredictOptions,
} from './predict';
