/**
 * Exposure through an Istio Gateway: bind the VirtualService to an existing one, or create one. The
 * VirtualService answers at the gateway's hosts too, except `*` while it keeps routing the mesh's traffic
 * (bound to `mesh`, `*` would capture the traffic to every service): then it answers at the service's own
 * name, as Kiali's wizard writes it.
 */
import type { GatewayIntent } from '@meshlens/contract';
import type { MeshConfig } from '../evaluate.types';
import type { Gateway, VirtualServiceSpec } from '../model';
import { namespaceOf } from '../hosts';
import { MESH_GATEWAY, resolveGatewayRef } from '../virtualService';
import { intentError, isManaged, writtenMeta, type ServiceFacts } from './context';

export interface GatewayBuild {
  /** The Gateway to create or update (absent when attaching to an existing one). */
  gateway?: Gateway;
  previous?: Gateway;
}

const unique = (list: string[]) => [...new Set(list)];

/** Applies the gateway intent to the VirtualService spec; returns the Gateway to write, if any. */
export function applyGateway(
  spec: VirtualServiceSpec,
  intent: GatewayIntent,
  facts: ServiceFacts,
  mesh: MeshConfig,
): GatewayBuild {
  const gateways = mesh.gateways ?? [];
  let ref: string;
  let serverHosts: string[];
  const out: GatewayBuild = {};
  if (intent.attach) {
    const { namespace, name } = intent.attach;
    const gw = gateways.find((g) => g.metadata.name === name && namespaceOf(g) === namespace);
    if (!gw && mesh.gateways)
      throw intentError('gateway/attach', `no Gateway ${namespace}/${name}`, 'KIA1102');
    ref = `${namespace}/${name}`;
    serverHosts = (gw?.spec.servers ?? []).flatMap((s) =>
      (s.hosts ?? []).map((h) => h.split('/').pop() ?? h),
    );
  } else {
    const c = intent.create;
    if (!c) throw intentError('gateway', 'set attach or create');
    const name = c.name ?? `${facts.name}-gateway`;
    const previous = gateways.find((g) => g.metadata.name === name && namespaceOf(g) === facts.namespace);
    if (previous && !isManaged(previous.metadata))
      throw intentError(
        'gateway/create/name',
        `Gateway ${facts.namespace}/${name} exists and was not created by meshlens: attach to it instead`,
        'ML2002',
      );
    out.previous = previous;
    out.gateway = {
      apiVersion: previous?.apiVersion ?? 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: writtenMeta(previous?.metadata, name, facts.namespace, 'gateway', facts.name),
      spec: {
        selector: c.selector,
        servers: [
          {
            port: { number: c.port, name: `${c.protocol.toLowerCase()}-${c.port}`, protocol: c.protocol },
            hosts: c.hosts,
          },
        ],
      },
    };
    ref = `${facts.namespace}/${name}`;
    serverHosts = c.hosts;
  }
  const extra = intent.hosts ?? (intent.includeMesh ? serverHosts.filter((h) => h !== '*') : serverHosts);
  if (intent.includeMesh && extra.includes('*'))
    throw intentError(
      'gateway/hosts',
      "'*' would also capture the mesh's traffic to every other service while the mesh's own traffic is routed here too: name the hosts, or route only the gateway's traffic",
      'ML2003',
    );
  const current = (spec.gateways ?? []).map((g) => resolveGatewayRef(g, facts.namespace));
  const others = current.filter((g) => g !== MESH_GATEWAY && g !== ref);
  spec.gateways = unique([...others, ref, ...(intent.includeMesh ? [MESH_GATEWAY] : [])]);
  spec.hosts = unique([...(spec.hosts ?? [facts.name]), ...extra]);
  return out;
}
