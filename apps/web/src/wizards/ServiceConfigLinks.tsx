import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { istioKeys, listObjects } from '../istio/api';
import { useView } from '../url/useView';
import { servicesOf } from '../istio/services';

const KINDS = ['virtualservices', 'destinationrules'] as const;

/** The VirtualServices and DestinationRules that touch a service, each a link to its editor. */
export function ServiceConfigLinks({ namespace, service }: { namespace: string; service: string }) {
  const [view] = useView();
  const lists = useQuery({
    queryKey: istioKeys.routingObjects(namespace),
    queryFn: ({ signal }) =>
      Promise.all(KINDS.map((k) => listObjects(namespace, k, signal).then((r) => ({ plural: k, r })))),
    refetchInterval: view.refresh > 0 ? view.refresh : false,
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
