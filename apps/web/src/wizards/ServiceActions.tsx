import './wizards.css';
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { useDismiss } from '../shell/useDismiss';
import { Link } from 'wouter';
import type { GraphResponse } from '@meshlens/contract';
import { liveShares } from '../istio/api';
import { useAuthInfo, useCanI } from '../shell/auth';
import { ServiceConfigLinks } from './ServiceConfigLinks';
import { checkKey, WIZARDS, wizardChecks } from './wizardList';
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
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  // A menu as the keyboard expects: focus on its first item, arrows move, Escape closes it.
  useDismiss(open, [menu, button], () => setOpen(false), button);
  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLElement>('[role=menuitem]:not([disabled])')?.focus();
  }, [open]);
  const onMenuKey = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[role=menuitem]:not([disabled])')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = (at + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
    items[next]?.focus();
  };
  const pick = (id: WizardId) => {
    setOpen(false);
    setWizard(id);
  };
  // Each wizard is offered only when access reviews say the user may make its writes (one request).
  const info = useAuthInfo();
  const viewOnly = info.data?.viewOnly === true;
  const checks = useMemo(() => {
    const all = new Map(WIZARDS.flatMap((w) => wizardChecks(w.id, namespace)).map((c) => [checkKey(c), c]));
    return [...all.values()];
  }, [namespace]);
  const can = useCanI(checks, !viewOnly && info.data?.authenticated === true);
  const refusal = (id: WizardId): string | undefined => {
    if (can.isPending) return 'Checking your permissions…';
    if (can.error) return `Could not check your permissions: ${can.error.message}`;
    const results = new Map((can.data ?? []).map((r) => [checkKey(r), r]));
    return wizardChecks(id, namespace)
      .map((c) => results.get(checkKey(c)))
      .find((r) => r && !r.allowed)?.message;
  };
  const refusals = new Map(WIZARDS.map((w) => [w.id, refusal(w.id)]));
  const noneAllowed = WIZARDS.every((w) => refusals.get(w.id) !== undefined);
  const menuReason = noneAllowed ? refusals.get(WIZARDS[0].id) : undefined;
  return (
    <>
      <div className="wz-actions">
        {/* A view-only console shows no write control at all. */}
        {!viewOnly && (
          <button
            ref={button}
            type="button"
            className="btn"
            aria-haspopup="menu"
            aria-expanded={open}
            disabled={noneAllowed}
            title={menuReason}
            aria-describedby={menuReason ? 'actions-denied' : undefined}
            onClick={() => setOpen((o) => !o)}
          >
            Actions ▾
          </button>
        )}
        <Link
          className="small"
          href={`/istio${search}${search ? '&' : '?'}service=${encodeURIComponent(`${namespace}/${service}`)}`}
        >
          All Istio config of {service}
        </Link>
        {open && !viewOnly && !noneAllowed && (
          <ul
            ref={menu}
            role="menu"
            className="wz-menu"
            aria-label={`Actions on ${service}`}
            onKeyDown={onMenuKey}
          >
            {WIZARDS.map((w) => {
              const why = refusals.get(w.id);
              return (
                <li key={w.id} role="none">
                  <button
                    type="button"
                    role="menuitem"
                    onClick={() => pick(w.id)}
                    disabled={why !== undefined}
                    title={why}
                    className={w.id === 'delete-routing' ? 'danger' : undefined}
                  >
                    {w.title}
                    {why && <span className="denied-reason">{why}</span>}
                  </button>
                </li>
              );
            })}
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
              onClose={() => {
                setWizard(null);
                button.current?.focus();
              }}
            />
          </Suspense>
        )}
      </div>
      {menuReason && !viewOnly && (
        <p id="actions-denied" className="denied-reason" data-testid="actions-denied">
          {menuReason}
        </p>
      )}
      <ServiceConfigLinks namespace={namespace} service={service} />
    </>
  );
}
