/** Istio config and routing calls of the web app: one function per write route, one hook per read. */
import { useQuery } from '@tanstack/react-query';
import {
  ISTIO_ROUTES,
  istioConfigSearchParams,
  type GraphResponse,
  type IstioConfigResponse,
  type IstioObjectResponse,
  type RoutingFactsResponse,
  type RoutingIntentInput,
  type RoutingResponse,
} from '@meshlens/contract';
import { fetchJson, request } from '../api/client';
import { queryKeys } from '../api/queries';

export const istioKeys = {
  all: () => [...queryKeys.all, 'istio'] as const,
  list: (namespaces: string[]) => [...istioKeys.all(), 'list', namespaces] as const,
  object: (ns: string, kind: string, name: string) => [...istioKeys.all(), 'object', ns, kind, name] as const,
  routing: (ns: string, service: string) => [...istioKeys.all(), 'routing', ns, service] as const,
};

function send<T>(method: string, path: string, body?: unknown, params?: URLSearchParams): Promise<T> {
  return request<T>(method, path, { body, params });
}

const enc = encodeURIComponent;
const routingPath = (ns: string, service: string) =>
  `/api/namespaces/${enc(ns)}/services/${enc(service)}/routing`;
const objectPath = (ns: string, kind: string, name?: string) =>
  `/api/namespaces/${enc(ns)}/istio/${enc(kind)}${name ? `/${enc(name)}` : ''}`;
const dry = (dryRun: boolean) => (dryRun ? new URLSearchParams({ dryRun: 'true' }) : undefined);

export function postRouting(ns: string, service: string, intent: RoutingIntentInput, dryRun: boolean) {
  return send<RoutingResponse>('POST', routingPath(ns, service), intent, dry(dryRun));
}

/** Delete routing; `includeHandWritten` deletes the objects written by hand too. */
export function deleteRouting(ns: string, service: string, dryRun: boolean, includeHandWritten = false) {
  const params = new URLSearchParams({
    ...(dryRun ? { dryRun: 'true' } : {}),
    ...(includeHandWritten ? { includeHandWritten: 'true' } : {}),
  });
  return send<RoutingResponse>('DELETE', routingPath(ns, service), undefined, params);
}

/** What the routing wizards start from: the versions the service's workloads run. */
export function getRoutingFacts(ns: string, service: string) {
  return send<RoutingFactsResponse>('GET', routingPath(ns, service));
}

export function getObject(ns: string, kind: string, name: string) {
  return send<IstioObjectResponse>('GET', objectPath(ns, kind, name));
}

export function putObject(ns: string, kind: string, name: string, object: unknown, dryRun: boolean) {
  return send<IstioObjectResponse>('PUT', objectPath(ns, kind, name), object, dry(dryRun));
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
export async function fetchConfig(namespaces: string[]): Promise<ConfigList> {
  const answer = await fetchJson<IstioConfigResponse>(
    ISTIO_ROUTES.config,
    istioConfigSearchParams({ namespaces }),
  );
  return toConfigList(answer);
}

export function useIstioConfig(namespaces: string[]) {
  return useQuery({
    queryKey: istioKeys.list(namespaces),
    queryFn: () => fetchConfig(namespaces),
    enabled: namespaces.length > 0,
    refetchInterval: 15_000,
  });
}

export function useIstioObject(ns: string, kind: string, name: string) {
  return useQuery({ queryKey: istioKeys.object(ns, kind, name), queryFn: () => getObject(ns, kind, name) });
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
