import './wizards.css';
import { lazy, Suspense, useState } from 'react';
import { Link } from 'wouter';
import type { GraphResponse } from '@meshlens/contract';
import { liveShares } from '../istio/api';
import { ServiceConfigLinks } from './ServiceConfigLinks';
import { WIZARDS } from './wizardList';
import type { WizardId } from './wizardList';

const WizardDialog = lazy(() => import('./WizardDialog').then((m) => ({ default: m.WizardDialog })));

/** Versions of a service as the graph shows them (v1 when it shows none). */
export function versionsOf(answer: GraphResponse, ns: string, service: string): string[] {
  const vs = new Set<string>();
  for (const n of answer.nodes)
    if (n.namespace === ns && n.version && (n.app === service || n.service === service)) vs.add(n.version);
  return vs.size > 0 ? [...vs].sort() : ['v1'];
}

/** The "Actions" menu of a service: opens the routing wizards. */
export function ServiceActions({
  answer,
  namespace,
  service,
  search,
}: {
  answer: GraphResponse;
  namespace: string;
  service: string;
  search: string;
}) {
  const [open, setOpen] = useState(false);
  const [wizard, setWizard] = useState<WizardId | null>(null);
  const pick = (id: WizardId) => {
    setOpen(false);
    setWizard(id);
  };
  return (
    <>
      <div className="wz-actions">
        <button
          type="button"
          className="btn"
          aria-haspopup="menu"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          Actions ▾
        </button>
        <Link
          className="small"
          href={`/istio${search}${search ? '&' : '?'}service=${encodeURIComponent(`${namespace}/${service}`)}`}
        >
          All Istio config of {service}
        </Link>
        {open && (
          <ul role="menu" className="wz-menu" aria-label={`Actions on ${service}`}>
            {WIZARDS.map((w) => (
              <li key={w.id} role="none">
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => pick(w.id)}
                  className={w.id === 'delete-routing' ? 'danger' : undefined}
                >
                  {w.title}
                </button>
              </li>
            ))}
          </ul>
        )}
        {wizard && (
          <Suspense fallback={null}>
            <WizardDialog
              wizard={wizard}
              target={{
                namespace,
                service,
                versions: versionsOf(answer, namespace, service),
                live: liveShares(answer, namespace, service),
              }}
              onClose={() => setWizard(null)}
            />
          </Suspense>
        )}
      </div>
      <ServiceConfigLinks namespace={namespace} service={service} />
    </>
  );
}
