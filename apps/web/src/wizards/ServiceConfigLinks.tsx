import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { IstioListResponse } from '@meshlens/contract';
import { fetchJson } from '../api/client';
import { istioKeys } from '../istio/api';
import { servicesOf } from '../istio/services';

const KINDS = ['virtualservices', 'destinationrules'] as const;

/** The VirtualServices and DestinationRules that touch a service, each a link to its editor. */
export function ServiceConfigLinks({ namespace, service }: { namespace: string; service: string }) {
  const lists = useQuery({
    queryKey: [...istioKeys.all(), 'routing-of', namespace],
    queryFn: () =>
      Promise.all(
        KINDS.map((k) =>
          fetchJson<IstioListResponse>(`/api/namespaces/${encodeURIComponent(namespace)}/istio/${k}`).then(
            (r) => ({ plural: k, r }),
          ),
        ),
      ),
    refetchInterval: 15_000,
  });
  const objects = (lists.data ?? []).flatMap(({ plural, r }) =>
    r.items
      .filter((o) =>
        servicesOf(o.kind, o.metadata.namespace ?? namespace, o.spec).some(
          (s) => s.namespace === namespace && s.service === service,
        ),
      )
      .map((o) => ({
        plural,
        kind: o.kind,
        name: o.metadata.name,
        ns: o.metadata.namespace ?? namespace,
        errors:
          r.validations
            .find((v) => v.kind === o.kind && v.name === o.metadata.name)
            ?.checks.filter((c) => c.severity === 'error').length ?? 0,
      })),
  );
  if (objects.length === 0) return null;
  return (
    <ul className="wz-config-links" aria-label={`Istio config of ${service}`}>
      {objects.map((o) => (
        <li key={`${o.kind}/${o.ns}/${o.name}`}>
          <Link href={`/istio/${o.ns}/${o.plural}/${o.name}`}>
            {o.kind} {o.name}
          </Link>
          {o.errors > 0 && <span className="sev-error"> · {o.errors} error(s)</span>}
        </li>
      ))}
    </ul>
  );
}
