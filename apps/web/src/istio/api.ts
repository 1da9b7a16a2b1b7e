/** Istio config and routing calls of the web app: one function per write route, one hook per read. */
import { useQuery } from '@tanstack/react-query';
import {
  ISTIO_ROUTES,
  istioConfigSearchParams,
  type GraphResponse,
  type IstioConfigResponse,
  type IstioListResponse,
  type IstioObjectResponse,
  type RoutingFactsResponse,
  type RoutingIntentInput,
  type RoutingResponse,
  SERVICE_LOAD_ROUTE,
  type ServiceLoadResponse,
} from '@meshlens/contract';
import { request, routePath } from '../api/client';
import { queryKeys } from '../api/queries';

export const istioKeys = {
  all: () => [...queryKeys.all, 'istio'] as const,
  list: (namespaces: string[]) => [...istioKeys.all(), 'list', namespaces] as const,
  /** The VirtualServices and DestinationRules of a namespace (the wizards' config links). */
  routingObjects: (ns: string) => [...istioKeys.all(), 'routing-of', ns] as const,
  object: (ns: string, kind: string, name: string) => [...istioKeys.all(), 'object', ns, kind, name] as const,
  routing: (ns: string, service: string) => [...istioKeys.all(), 'routing', ns, service] as const,
  load: (ns: string, service: string) => [...istioKeys.all(), 'load', ns, service] as const,
};

const routingPath = (namespace: string, service: string) =>
  routePath(ISTIO_ROUTES.routing, { namespace, service });
const objectsPath = (namespace: string, kind: string) => routePath(ISTIO_ROUTES.objects, { namespace, kind });
const objectPath = (namespace: string, kind: string, name: string) =>
  routePath(ISTIO_ROUTES.object, { namespace, kind, name });

export function postRouting(
  ns: string,
  service: string,
  intent: RoutingIntentInput,
  dryRun: boolean,
  signal?: AbortSignal,
) {
  return request<RoutingResponse>('POST', routingPath(ns, service), {
    body: intent,
    query: { dryRun },
    signal,
  });
}

/** Delete routing; `includeHandWritten` deletes the objects written by hand too. */
export function deleteRouting(
  ns: string,
  service: string,
  dryRun: boolean,
  includeHandWritten = false,
  signal?: AbortSignal,
) {
  return request<RoutingResponse>('DELETE', routingPath(ns, service), {
    query: { dryRun, includeHandWritten },
    signal,
  });
}

/** What the routing wizards start from: the versions the service's workloads run. */
export function getRoutingFacts(ns: string, service: string, signal?: AbortSignal) {
  return request<RoutingFactsResponse>('GET', routingPath(ns, service), { signal });
}

export function getObject(ns: string, kind: string, name: string, signal?: AbortSignal) {
  return request<IstioObjectResponse>('GET', objectPath(ns, kind, name), { signal });
}

/** The objects of one kind in a namespace, with their validations. */
export function listObjects(ns: string, kind: string, signal?: AbortSignal) {
  return request<IstioListResponse>('GET', objectsPath(ns, kind), { signal });
}

export function putObject(
  ns: string,
  kind: string,
  name: string,
  object: unknown,
  dryRun: boolean,
  signal?: AbortSignal,
) {
  return request<IstioObjectResponse>('PUT', objectPath(ns, kind, name), {
    body: object,
    query: { dryRun },
    signal,
  });
}

export interface ListedObject {
  kind: string;
  plural: string;
  namespace: string;
  name: string;
  object: IstioConfigResponse['items'][number];
  validation: IstioConfigResponse['validations'][number] | undefined;
}

export interface ConfigList {
  items: ListedObject[];
  /** Kinds that could not be read (shown inline, the rest still listed). */
  errors: string[];
}

const idOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** The answer of `GET /api/istio/config` as the page's rows, by namespace, kind and name. */
export function toConfigList(answer: IstioConfigResponse): ConfigList {
  const plurals = new Map(answer.kinds.map((k) => [k.kind, k.plural]));
  const validations = new Map(answer.validations.map((v) => [idOf(v.kind, v.namespace, v.name), v]));
  const items = answer.items.map((object): ListedObject => {
    const { name, namespace } = object.metadata;
    return {
      kind: object.kind,
      plural: plurals.get(object.kind) ?? `${object.kind.toLowerCase()}s`,
      namespace,
      name,
      object,
      validation: validations.get(idOf(object.kind, namespace, name)),
    };
  });
  items.sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
  return { items, errors: answer.errors.map((e) => `${e.plural}: ${e.message}`) };
}

/** Every listed kind in every selected namespace: one request, partial failure kept as data. */
export async function fetchConfig(namespaces: string[], signal?: AbortSignal): Promise<ConfigList> {
  const answer = await request<IstioConfigResponse>('GET', ISTIO_ROUTES.config, {
    query: istioConfigSearchParams({ namespaces }),
    signal,
  });
  return toConfigList(answer);
}

/** The Istio config of the namespaces, polled every `refetchInterval` ms (false = paused). */
export function useIstioConfig(namespaces: string[], refetchInterval: number | false) {
  return useQuery({
    queryKey: istioKeys.list(namespaces),
    queryFn: ({ signal }) => fetchConfig(namespaces, signal),
    enabled: namespaces.length > 0,
    refetchInterval,
  });
}

export function useIstioObject(ns: string, kind: string, name: string) {
  return useQuery({
    queryKey: istioKeys.object(ns, kind, name),
    queryFn: ({ signal }) => getObject(ns, kind, name, signal),
  });
}

/** Versions of a service seen in the graph, with each one's share (%) of the requests reaching the service. */
export function liveShares(
  answer: GraphResponse | undefined,
  ns: string,
  service: string,
): Map<string, number> {
  const rps = new Map<string, number>();
  if (!answer) return rps;
  const byId = new Map(answer.nodes.map((n) => [n.id, n]));
  for (const n of answer.nodes)
    if (
      n.namespace === ns &&
      n.version &&
      (n.app === service || n.service === service) &&
      n.type !== 'service'
    )
      rps.set(n.version, rps.get(n.version) ?? 0);
  for (const e of answer.edges) {
    const t = byId.get(e.target);
    if (!t || t.namespace !== ns || !t.version || t.type === 'service') continue;
    if (t.app !== service && t.service !== service) continue;
    rps.set(t.version, (rps.get(t.version) ?? 0) + e.rps);
  }
  const total = [...rps.values()].reduce((a, b) => a + b, 0);
  return new Map([...rps].map(([v, r]) => [v, total > 0 ? (r / total) * 100 : NaN]));
}

/** A service's live load (per version now and at peak, per caller, ready pods): the preview of the effect. */
export function getServiceLoad(ns: string, service: string, signal?: AbortSignal) {
  return request<ServiceLoadResponse>('GET', routePath(SERVICE_LOAD_ROUTE, { namespace: ns, service }), {
    signal,
  });
}
