/** ServiceEntry and Gateway (networking.istio.io v1 / v1beta1 / v1alpha3). */
import type { IstioObject } from './common';

export interface ServicePort {
  number: number;
  protocol?: string;
  name?: string;
  targetPort?: number;
}

export interface ServiceEntrySpec {
  hosts?: string[];
  addresses?: string[];
  ports?: ServicePort[];
  location?: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  resolution?: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'DYNAMIC_DNS';
  endpoints?: {
    address?: string;
    ports?: Record<string, number>;
    labels?: Record<string, string>;
    network?: string;
    locality?: string;
    weight?: number;
    serviceAccount?: string;
  }[];
  workloadSelector?: { labels?: Record<string, string> };
  exportTo?: string[];
  subjectAltNames?: string[];
}

export type ServiceEntry = IstioObject<'ServiceEntry', ServiceEntrySpec>;

export interface GatewayServer {
  port?: ServicePort;
  bind?: string;
  hosts?: string[];
  tls?: Record<string, unknown>;
  name?: string;
  defaultEndpoint?: string;
}

export interface GatewaySpec {
  selector?: Record<string, string>;
  servers?: GatewayServer[];
}

export type Gateway = IstioObject<'Gateway', GatewaySpec>;

/** Any of the Istio kinds this package models. */
