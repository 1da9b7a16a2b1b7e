import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { getObject, getRoutingFacts, istioKeys } from '../istio/api';
import { currentWeights, startingWeights, subsetVersions, wizardVersions } from './currentRouting';
import { DeleteRoutingForm } from './DeleteRoutingForm';
import { PreviewChecks } from './PreviewChecks';
import { ErrorBox } from './ErrorBox';
import { GatewayForm } from './GatewayForm';
import { CircuitBreakerForm, FaultInjectionForm, TimeoutsRetriesForm } from './PolicyForms';
import { RequestRoutingForm } from './RequestRoutingForm';
import { TrafficShiftingForm } from './TrafficShiftingForm';
import { runRequest, usePreview } from './usePreview';
import type { WizardRequest } from './usePreview';

import { useWriteAccess } from '../shell/auth';
import { stepChecks, WIZARDS } from './wizardList';
import type { WizardId } from './wizardList';

export interface WizardTarget {
  namespace: string;
  service: string;
  versions: string[];
  /** Live share (%) per version, from the graph. */
  live: Map<string, number>;
}

function useObjectOrNone(ns: string, kind: string, name: string) {
  return useQuery({
    queryKey: istioKeys.object(ns, kind, name),
    queryFn: () =>
      getObject(ns, kind, name).then(
        (r) => r.object as unknown,
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        },
      ),
    retry: false,
    refetchOnMount: 'always',
  });
}

/**
 * The versions the service runs (the server's answer; subsets that select none apart) and the weights its
 * VirtualService gives them now.
 */
function useCurrentRouting(target: WizardTarget) {
  const vs = useObjectOrNone(target.namespace, 'virtualservices', target.service);
  const dr = useObjectOrNone(target.namespace, 'destinationrules', target.service);
  const facts = useQuery({
    queryKey: istioKeys.routing(target.namespace, target.service),
    queryFn: () => getRoutingFacts(target.namespace, target.service),
    retry: false,
    refetchOnMount: 'always',
  });
  const subsets = subsetVersions(dr.data ?? undefined);
  const { versions, idle } = wizardVersions({
    running: facts.data?.versions,
    graph: target.versions,
    subsets,
  });
  const version = (o: unknown) =>
    o === null
      ? ''
      : ((o as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion ?? '');
  return {
    // fetching, not loading: a cached answer may be stale, and the write must be based on the current one
    loading: vs.isFetching || dr.isFetching || facts.isFetching,
    /** The versions the form was built on: a write answers 409 when someone changed them since. */
    basedOn: { virtualService: version(vs.data), destinationRule: version(dr.data) },
    refetch: () => Promise.all([vs.refetch(), dr.refetch()]),
    versions,
    /** Versions the DestinationRule names that no workload runs (left out of the forms). */
    idle,
    weights: startingWeights(currentWeights(vs.data ?? undefined, subsets, versions), versions),
  };
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Keyboard focus of a modal: into its first field when it opens, kept inside while it is open (Tab and
 * Shift+Tab wrap), and back where it was (the Actions button) when it closes.
 */
function useModalFocus() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = ref.current;
    const focusables = () => [...(dialog?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
    const inForm = FOCUSABLE.split(', ')
      .map((f) => `.wz-form ${f}`)
      .join(', ');
    (dialog?.querySelector<HTMLElement>(inForm) ?? focusables()[0])?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Tab' || !dialog) return;
      const all = focusables();
      const [first, last] = [all[0], all[all.length - 1]];
      if (!first || !last) return;
      const inside = dialog.contains(document.activeElement);
      if (e.shiftKey && (document.activeElement === first || !inside)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (document.activeElement === last || !inside)) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (before?.isConnected) before.focus();
    };
  }, []);
  return ref;
}

/** A modal wizard: the form, the server's dry-run YAML beside it, apply or delete. */
export function WizardDialog({
  wizard,
  target,
  onClose,
}: {
  wizard: WizardId;
  target: WizardTarget;
  onClose: () => void;
}) {
  const title = WIZARDS.find((w) => w.id === wizard)?.title ?? wizard;
  const [req, setReq] = useState<WizardRequest>(
    wizard === 'delete-routing' ? { delete: true } : { invalid: 'fill in the form' },
  );
  const onChange = useCallback((r: WizardRequest) => setReq(r), []);
  const [reloadTick, setReloadTick] = useState(0);
  const current = useCurrentRouting(target);
  const { virtualService, destinationRule } = current.basedOn;
  const sent = useMemo<WizardRequest>(
    () =>
      'intent' in req && !current.loading
        ? { intent: { ...req.intent, basedOn: { virtualService, destinationRule } } }
        : current.loading && 'intent' in req
          ? { invalid: 'reading the current routing…' }
          : req,
    [req, current.loading, virtualService, destinationRule],
  );
  const preview = usePreview(target.namespace, target.service, sent, reloadTick);
  const queryClient = useQueryClient();
  const write = useMutation({
    mutationFn: (request: WizardRequest) => runRequest(target.namespace, target.service, request, false),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: istioKeys.all() });
      onClose();
    },
  });
  const writeError = write.error ?? undefined;
  const busy = write.isPending;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const dialogRef = useModalFocus();

  const apply = () => write.mutate(sent);

  const form = (() => {
    if (current.loading) return <p className="muted">Reading the routing of {target.service}…</p>;
    const p = { versions: current.versions, live: target.live, onChange, initial: current.weights };
    switch (wizard) {
      case 'traffic-shifting':
        return <TrafficShiftingForm {...p} />;
      case 'request-routing':
        return <RequestRoutingForm {...p} />;
      case 'fault-injection':
        return <FaultInjectionForm onChange={onChange} />;
      case 'timeouts-retries':
        return <TimeoutsRetriesForm onChange={onChange} />;
      case 'circuit-breaker':
        return <CircuitBreakerForm onChange={onChange} />;
      case 'gateway':
        return <GatewayForm namespace={target.namespace} service={target.service} onChange={onChange} />;
      case 'delete-routing':
        return (
          <DeleteRoutingForm
            answer={preview.data}
            includeHandWritten={'delete' in req && req.includeHandWritten === true}
            onChange={onChange}
          />
        );
    }
  })();
  const versionForms = wizard === 'traffic-shifting' || wizard === 'request-routing';

  const isDelete = wizard === 'delete-routing';
  // The exact writes of the preview, asked with the user's own rights before Apply is enabled.
  const writes = useMemo(() => stepChecks(preview.data?.steps ?? []), [preview.data]);
  const access = useWriteAccess(writes, writes.length > 0);
  const invalid = 'invalid' in sent ? sent.invalid : undefined;
  return (
    <div className="wz-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={dialogRef}
        className="wz-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="wz-title"
        data-testid="wizard"
      >
        <header className="wz-header">
          <h2 id="wz-title">
            {title}{' '}
            <span className="muted">
              · {target.service}.{target.namespace}
            </span>
          </h2>
          <button type="button" className="btn" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="wz-body">
          <form className="wz-form" onSubmit={(e) => e.preventDefault()} aria-label={title}>
            {versionForms && !current.loading && current.idle.length > 0 && (
              <p className="wz-note muted" data-testid="idle-versions">
                Left out: {current.idle.join(', ')} — named by the DestinationRule, but no workload of{' '}
                {target.service} runs {current.idle.length === 1 ? 'it' : 'them'}.
              </p>
            )}
            {form}
            {invalid && !current.loading && (
              <p className="wz-invalid" role="status">
                {invalid}
              </p>
            )}
          </form>
          <section className="wz-preview" aria-label="YAML preview">
            <h3>
              {isDelete ? 'What happens' : 'YAML to be written'}{' '}
              {preview.loading && <span className="muted small">updating…</span>}
            </h3>
            {preview.error ? (
              <ErrorBox
                error={preview.error}
                onReload={() => void current.refetch().then(() => setReloadTick((t) => t + 1))}
              />
            ) : null}
            {preview.data && preview.data.steps.length > 0 && (
              <ol className="wz-steps" data-testid="preview-steps">
                {preview.data.steps.map((s, i) => (
                  <li key={i}>
                    <span className={`wz-step wz-step-${s.action}`}>{s.action}</span> {s.kind} {s.name}
                  </li>
                ))}
              </ol>
            )}
            {preview.data && <PreviewChecks validations={preview.data.validations} />}
            {isDelete ? (
              <p className="muted small" data-testid="yaml-preview">
                {preview.data
                  ? preview.data.deleted.length > 0
                    ? 'Nothing is written: the objects listed are deleted, in this order.'
                    : preview.data.kept.some((k) => k.handWritten)
                      ? `meshlens wrote none of the routing of ${target.service}: tick “Also delete what was written by hand” to delete it.`
                      : `${target.service} has no routing that meshlens can delete.`
                  : ''}
              </p>
            ) : (
              <pre
                className="wz-yaml"
                data-testid="yaml-preview"
                // focusable: it scrolls, and the keyboard must be able to scroll it too
                tabIndex={0}
                aria-label="YAML preview"
              >
                {preview.data
                  ? preview.data.steps.length > 0
                    ? (preview.data.yaml ?? '')
                    : '# no change: the routing in place already says this'
                  : ''}
              </pre>
            )}
          </section>
        </div>
        <ErrorBox
          error={writeError}
          onReload={() => {
            write.reset();
            void current.refetch().then(() => setReloadTick((t) => t + 1));
          }}
        />
        <footer className="wz-footer">
          {!access.allowed && access.reason && (
            <span className="wz-denied" role="status" data-testid="apply-denied">
              {access.reason}
            </span>
          )}
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className={isDelete ? 'btn btn-danger' : 'btn btn-primary'}
            disabled={
              busy ||
              !access.allowed ||
              invalid !== undefined ||
              !preview.data ||
              preview.loading ||
              (isDelete ? preview.data.deleted.length === 0 : preview.data.steps.length === 0)
            }
            onClick={apply}
          >
            {busy ? 'Writing…' : isDelete ? 'Delete' : 'Apply'}
          </button>
        </footer>
      </div>
    </div>
  );
}
