/** VirtualService (networking.istio.io v1 / v1beta1 / v1alpha3). */
import type { IstioObject, Percent, RouteDestinationRef, StringMatch } from './common';

export interface HTTPMatchRequest {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
  ignoreUriCase?: boolean;
  statPrefix?: string;
}

export interface HeaderOperations {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface Headers {
  request?: HeaderOperations;
  response?: HeaderOperations;
}

export interface HTTPRouteDestination {
  destination: RouteDestinationRef;
  weight?: number;
  headers?: Headers;
}

export interface HTTPFaultInjection {
  delay?: {
    fixedDelay?: string;
    exponentialDelay?: string;
    percentage?: Percent;
    /** Deprecated integer percentage; honoured when `percentage` is unset. */
    percent?: number;
  };
  abort?: {
    httpStatus?: number;
    grpcStatus?: string;
    http2Error?: string;
    percentage?: Percent;
  };
}

export interface HTTPRetry {
  attempts?: number;
  perTryTimeout?: string;
  retryOn?: string;
  retryRemoteLocalities?: boolean;
  retryIgnorePreviousHosts?: boolean;
  backoff?: string;
}

export interface HTTPMirrorPolicy {
  destination: RouteDestinationRef;
  percentage?: Percent;
}

export interface HTTPRedirect {
  uri?: string;
  authority?: string;
  port?: number;
  derivePort?: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT';
  scheme?: string;
  redirectCode?: number;
}

export interface HTTPDirectResponse {
  status: number;
  body?: { string?: string; bytes?: string };
}

export interface HTTPRoute {
  name?: string;
  match?: HTTPMatchRequest[];
  route?: HTTPRouteDestination[];
  redirect?: HTTPRedirect;
  directResponse?: HTTPDirectResponse;
  delegate?: { name?: string; namespace?: string };
  rewrite?: { uri?: string; authority?: string; uriRegexRewrite?: { match?: string; rewrite?: string } };
  timeout?: string;
  retries?: HTTPRetry;
  fault?: HTTPFaultInjection;
  mirror?: RouteDestinationRef;
  /** Deprecated integer mirror percentage. */
  mirrorPercent?: number;
  mirrorPercentage?: Percent;
  mirrors?: HTTPMirrorPolicy[];
  corsPolicy?: Record<string, unknown>;
  headers?: Headers;
}

export interface L4MatchAttributes {
  destinationSubnets?: string[];
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  sourceSubnet?: string;
  gateways?: string[];
}

export interface RouteDestination {
  destination: RouteDestinationRef;
  weight?: number;
}

export interface TCPRoute {
  match?: L4MatchAttributes[];
  route?: RouteDestination[];
}

export interface TLSRoute {
  match?: (L4MatchAttributes & { sniHosts?: string[] })[];
  route?: RouteDestination[];
}

export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HTTPRoute[];
  tcp?: TCPRoute[];
  tls?: TLSRoute[];
  exportTo?: string[];
}

export type VirtualService = IstioObject<'VirtualService', VirtualServiceSpec>;
